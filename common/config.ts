/**
 * Configuration: environment variables plus an optional JSON file, validated once at start-up.
 * Every key is declared once below with its env name, type, default and description; the README
 * table is generated from the same list (`lookout config docs`), so the two cannot drift apart.
 * Precedence: environment > file > default.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

type Def = {
  env: string;
  schema: z.ZodType;
  default?: unknown;
  doc: string;
};

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const csv = z.union([
  z.array(z.string().min(1)).min(1),
  z
    .string()
    .min(1)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(1)).min(1)),
]);
const url = z.url({ protocol: /^https?$/ });
/** JSON given inline in an env var (the file can hold the value itself). */
function inlineJson<T>(accept: (v: unknown) => boolean, what: string) {
  return z.string().transform((text, ctx) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (accept(value)) return value as T;
    ctx.addIssue({ code: 'custom', message: `must be ${what}` });
    return z.NEVER;
  });
}
const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
const jsonObject = z.union([z.record(z.string(), z.unknown()), inlineJson<Record<string, unknown>>(isObject, 'a JSON object')]);
const jsonArray = z.union([z.array(z.unknown()), inlineJson<unknown[]>(Array.isArray, 'a JSON array')]);
const apiKeys = z.union([
  z.array(z.object({ tenant: z.string().min(1), key: z.string().min(16, 'API keys need at least 16 characters') })).min(1),
  z
    .string()
    .min(1)
    .transform((text, ctx) =>
      text.split(',').map((pair) => {
        const i = pair.indexOf(':');
        const tenant = pair.slice(0, i).trim();
        const key = pair.slice(i + 1).trim();
        if (i <= 0 || key.length < 16) ctx.addIssue({ code: 'custom', message: 'expected tenant:key pairs separated by commas, keys of at least 16 characters' });
        return { tenant, key };
      }),
    ),
]);
const heap = z.string().regex(/^\d+[mMgG]$/, 'a JVM heap size such as 512m or 1g');

/** Every configuration key. Dotted names are the JSON file's nesting. */
export const CONFIG_DEFS = {
  'logLevel': { env: 'LOOKOUT_LOG_LEVEL', schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), default: 'info', doc: 'pino log level.' },
  'kafka.brokers': { env: 'KAFKA_BROKERS', schema: csv, doc: 'Comma-separated bootstrap brokers. Default: the local stack (127.0.0.1:<stack.kafkaPort>).' },
  'kafka.clientId': { env: 'KAFKA_CLIENT_ID', schema: z.string().min(1), default: 'lookout', doc: 'Kafka client id.' },
  'kafka.ssl': { env: 'KAFKA_SSL', schema: bool, default: false, doc: 'Use TLS to the brokers.' },
  'kafka.saslMechanism': { env: 'KAFKA_SASL_MECHANISM', schema: z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512']), default: 'none', doc: 'SASL mechanism for production clusters.' },
  'kafka.username': { env: 'KAFKA_USERNAME', schema: z.string(), default: '', doc: 'SASL username.' },
  'kafka.password': { env: 'KAFKA_PASSWORD', schema: z.string(), default: '', doc: 'SASL password.' },
  'kafka.eventsTopic': { env: 'LOOKOUT_EVENTS_TOPIC', schema: z.string().min(1), default: 'lookout.events.v1', doc: 'Topic the producers write events to.' },
  'kafka.deadLetterTopic': { env: 'LOOKOUT_DLQ_TOPIC', schema: z.string().min(1), default: 'lookout.events.dlq.v1', doc: 'Topic for dead letters (redacted, with the reason).' },
  'kafka.partitions': { env: 'LOOKOUT_EVENTS_PARTITIONS', schema: positiveInt, default: 6, doc: 'Partitions when Lookout creates the events topic; the ceiling on processor replicas.' },
  'kafka.replicationFactor': { env: 'LOOKOUT_EVENTS_REPLICATION', schema: positiveInt, default: 1, doc: 'Replication factor when Lookout creates its topics (3 in production).' },
  'clickhouse.url': { env: 'CLICKHOUSE_URL', schema: url, doc: 'ClickHouse HTTP(S) endpoint. Default: the local stack (http://127.0.0.1:<stack.clickhouseHttpPort>).' },
  'clickhouse.username': { env: 'CLICKHOUSE_USER', schema: z.string(), default: 'default', doc: 'ClickHouse user.' },
  'clickhouse.password': { env: 'CLICKHOUSE_PASSWORD', schema: z.string(), default: '', doc: 'ClickHouse password.' },
  'clickhouse.database': { env: 'CLICKHOUSE_DATABASE', schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain identifier'), default: 'lookout', doc: 'Database holding the Lookout tables.' },
  'clickhouse.cluster': { env: 'CLICKHOUSE_CLUSTER', schema: z.string(), default: '', doc: 'Cluster name: migrations then run as ON CLUSTER DDL (same tables on every node; Replicated/Distributed variants are not written yet). Empty on one server.' },
  'retention.eventsDays': { env: 'LOOKOUT_EVENTS_TTL_DAYS', schema: positiveInt, default: 90, doc: 'Days events are kept in ClickHouse (table TTL).' },
  'stack.dir': { env: 'LOOKOUT_STACK_DIR', schema: z.string().min(1), default: '.lookout/stack', doc: 'Local stack data, logs and state (relative to the repository).' },
  'stack.kafkaPort': { env: 'LOOKOUT_KAFKA_PORT', schema: port, default: 9092, doc: 'Local Kafka broker port.' },
  'stack.kafkaControllerPort': { env: 'LOOKOUT_KAFKA_CONTROLLER_PORT', schema: port, default: 9093, doc: 'Local Kafka KRaft controller port.' },
  'stack.kafkaHeap': { env: 'LOOKOUT_KAFKA_HEAP', schema: heap, default: '512m', doc: 'Local Kafka JVM heap (-Xmx).' },
  'stack.clickhouseHttpPort': { env: 'LOOKOUT_CLICKHOUSE_HTTP_PORT', schema: port, default: 8123, doc: 'Local ClickHouse HTTP port.' },
  'stack.clickhouseTcpPort': { env: 'LOOKOUT_CLICKHOUSE_TCP_PORT', schema: port, default: 9000, doc: 'Local ClickHouse native-protocol port (clickhouse-client).' },
  'stack.readyTimeoutMs': { env: 'LOOKOUT_STACK_READY_TIMEOUT_MS', schema: positiveInt, default: 60000, doc: 'How long `stack up` waits for each server to answer.' },
  'stack.python': { env: 'LOOKOUT_PYTHON', schema: z.string().min(1), default: 'python3', doc: 'Python 3 used to run the small ClickHouse launcher.' },
  'stack.java': { env: 'LOOKOUT_JAVA', schema: z.string().min(1), default: 'java', doc: 'Java 17+ used to run Kafka.' },
  'processor.groupId': { env: 'LOOKOUT_PROCESSOR_GROUP', schema: z.string().min(1), default: 'lookout-processor', doc: 'Kafka consumer group of the stream processors; replicas in one group share the partitions.' },
  'processor.batchMaxRows': { env: 'LOOKOUT_BATCH_MAX_ROWS', schema: positiveInt, default: 5000, doc: 'Rows per ClickHouse insert, at most (per partition).' },
  'processor.batchMaxBytes': { env: 'LOOKOUT_BATCH_MAX_BYTES', schema: positiveInt, default: 16 * 1024 * 1024, doc: 'Message bytes per ClickHouse insert, at most (per partition).' },
  'processor.batchMaxWaitMs': { env: 'LOOKOUT_BATCH_MAX_WAIT_MS', schema: positiveInt, default: 500, doc: 'Longest an event waits in a batch before it is written.' },
  'processor.workers': { env: 'LOOKOUT_PROCESSOR_WORKERS', schema: z.coerce.number().int().min(0).max(16), doc: 'Worker threads that validate, redact and encode events (0: on the main thread). Default: one per core, 2 to 8.' },
  'processor.metricsPort': { env: 'LOOKOUT_PROCESSOR_METRICS_PORT', schema: z.coerce.number().int().min(0).max(65535), default: 9464, doc: 'Port of the processor /metrics and /healthz endpoint (0 picks a free port).' },
  'redaction.key': { env: 'LOOKOUT_REDACTION_KEY', schema: z.string().min(16, 'at least 16 characters'), doc: 'Secret HMAC key for pseudonyms (same value, same token). Default: a random key generated once in .lookout/redaction.key (set your own in production).' },
  'redaction.keyId': { env: 'LOOKOUT_REDACTION_KEY_ID', schema: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/), default: 'k1', doc: 'Names the key, so pseudonyms made under a rotated key can be told apart.' },
  'redaction.operators': { env: 'LOOKOUT_REDACTION_OPERATORS', schema: jsonObject, default: {}, doc: 'Per entity type operator, JSON: {"EMAIL":"mask","PERSON":"remove"} (pseudonym | mask | remove).' },
  'redaction.fields': { env: 'LOOKOUT_REDACTION_FIELDS', schema: jsonObject, default: {}, doc: 'Per field overrides, JSON: {"output_text":{"operators":{"PERSON":"remove"}}}.' },
  'prices.overrides': { env: 'LOOKOUT_PRICE_OVERRIDES', schema: jsonArray, default: [], doc: 'Extra or replacement model prices, JSON array of price families (see processors/enrich/prices.ts).' },
  'gateway.host': { env: 'LOOKOUT_GATEWAY_HOST', schema: z.string().min(1), default: '127.0.0.1', doc: 'Ingest gateway listen address (0.0.0.0 to accept remote services).' },
  'gateway.port': { env: 'LOOKOUT_GATEWAY_PORT', schema: z.coerce.number().int().min(0).max(65535), default: 8787, doc: 'Ingest gateway port (POST /v1/events, POST /v1/traces).' },
  'gateway.apiKeys': { env: 'LOOKOUT_GATEWAY_API_KEYS', schema: apiKeys, doc: 'Per-tenant API keys, `tenant:key,tenant2:key2`; the key decides the tenant. Default: one key for tenant "local", generated once in .lookout/gateway.key.' },
  'gateway.maxBodyBytes': { env: 'LOOKOUT_GATEWAY_MAX_BODY_BYTES', schema: positiveInt, default: 5 * 1024 * 1024, doc: 'Largest request body after decompression.' },
  'gateway.kafkaThread': { env: 'LOOKOUT_GATEWAY_KAFKA_THREAD', schema: bool, default: true, doc: "The gateway's Kafka producer runs on a worker thread, leaving the event loop to HTTP and validation (20,146-23,502 against 15,441-16,192 events/s in the gateway benchmark)." },
  'gateway.rateLimitPerSecond': { env: 'LOOKOUT_GATEWAY_RATE_LIMIT_RPS', schema: z.coerce.number().positive(), default: 50, doc: 'Sustained requests per second per API key (burst: twice this).' },
  'demo.onStart': { env: 'LOOKOUT_DEMO_ON_START', schema: bool, default: true, doc: '`npm start` on the local stack also streams demo traffic once, so the tables have data.' },
  'demo.days': { env: 'LOOKOUT_DEMO_DAYS', schema: positiveInt, default: 14, doc: 'Simulated days of demo history, ending now.' },
  'demo.conversationsPerDay': { env: 'LOOKOUT_DEMO_CONVERSATIONS_PER_DAY', schema: positiveInt, default: 300, doc: 'Demo conversations per simulated weekday.' },
  'demo.rate': { env: 'LOOKOUT_DEMO_RATE', schema: z.coerce.number().int().min(0), default: 2000, doc: 'Demo events per second, wall clock (0: as fast as possible).' },
  'demo.seed': { env: 'LOOKOUT_DEMO_SEED', schema: z.coerce.number().int(), default: 42, doc: 'Seed of the demo generator (same seed, same traffic).' },
  'jobs.timezone': { env: 'LOOKOUT_JOBS_TIMEZONE', schema: z.string().refine((tz) => { try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; } }, 'an IANA time zone such as Europe/Paris'), default: 'UTC', doc: 'Time zone of job schedules and of day/month boundaries (daily jobs, budgets, `jobs run --date`).' },
  'jobs.schedules': { env: 'LOOKOUT_JOBS_SCHEDULES', schema: jsonObject, default: {}, doc: 'Per-job cron overrides, JSON: {"cost":"5 * * * *","judge":"off"} ("off" disables a job). `lookout jobs list` shows the jobs and defaults.' },
  'jobs.metricsPort': { env: 'LOOKOUT_JOBS_METRICS_PORT', schema: z.coerce.number().int().min(0).max(65535), default: 9465, doc: 'Port of the scheduler /metrics and /healthz endpoint (0 picks a free port).' },
  'alerts.channels': { env: 'LOOKOUT_ALERT_CHANNELS', schema: jsonArray, default: [], doc: 'Alert channels, JSON array: [{"name":"oncall","type":"slack","url":"https://hooks.slack.com/services/..."}] (type slack or webhook; optional headers, rate_limit {max, window_ms}, timeout_ms). URLs are secrets.' },
  'alerts.routes': { env: 'LOOKOUT_ALERT_ROUTES', schema: jsonArray, default: [], doc: 'Alert routing, JSON array: [{"channels":["oncall"],"kinds":["cost_budget"],"tenants":["acme"],"min_severity":"warning"}]; an alert goes to every matching route.' },
  'alerts.cooldownMinutes': { env: 'LOOKOUT_ALERT_COOLDOWN_MINUTES', schema: z.coerce.number().int().min(0), default: 360, doc: 'The same alert (fingerprint) is not sent again at the same or lower severity within this time.' },
  'cost.budgets': { env: 'LOOKOUT_COST_BUDGETS', schema: jsonArray, default: [], doc: 'Budgets, JSON array: [{"tenant":"acme","feature":"chat-bot","period":"monthly","limit_usd":5000}] (feature optional; optional thresholds [{"pct":80,"severity":"warning"}], default 50/80/100 %).' },
  'cost.anomaly': { env: 'LOOKOUT_COST_ANOMALY', schema: jsonObject, default: {}, doc: 'Spend anomaly overrides, JSON: {"minRequests":50,"minSpendUsd":1,"zWarning":5,"zCritical":8,"minRatio":2,"weeks":4} (see jobs/cost/anomaly.ts).' },
  'cost.runaway': { env: 'LOOKOUT_COST_RUNAWAY', schema: jsonObject, default: {}, doc: 'Runaway conversation overrides, JSON: {"zThreshold":4,"minTokens":200000,"minTurns":60,"criticalTokens":2000000,"baselineDays":7,"lookbackHours":24}.' },
  'cost.dashboardUrl': { env: 'LOOKOUT_COST_DASHBOARD_URL', schema: z.union([z.literal(''), url]), default: '', doc: 'Grafana cost dashboard URL; cost alerts link to it with var-tenant and var-service set.' },
  'judge.provider': { env: 'LOOKOUT_JUDGE_PROVIDER', schema: z.enum(['offline', 'openai', 'anthropic']), default: 'offline', doc: 'Judge: offline (embeddings and detectors, no key), openai (any OpenAI-compatible chat-completions endpoint: OpenAI, Azure, vLLM, Ollama, LiteLLM) or anthropic (Messages API).' },
  'judge.baseUrl': { env: 'LOOKOUT_JUDGE_BASE_URL', schema: z.union([z.literal(''), url]), default: '', doc: 'Judge API base URL, e.g. http://127.0.0.1:11434/v1 for Ollama. Empty: https://api.openai.com/v1 or https://api.anthropic.com.' },
  'judge.model': { env: 'LOOKOUT_JUDGE_MODEL', schema: z.string(), default: '', doc: 'Judge model. Empty: gpt-4o-mini (openai) or claude-haiku-4-5 (anthropic).' },
  'judge.apiKey': { env: 'LOOKOUT_JUDGE_API_KEY', schema: z.string(), default: '', doc: 'Judge API key (secret; may be empty for a local OpenAI-compatible server).' },
  'judge.rubric': { env: 'LOOKOUT_JUDGE_RUBRIC', schema: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/), default: 'support-v1', doc: 'Rubric prompt file in jobs/judge/rubric/ (without .md); its content hash is stored with every score.' },
  'judge.sampleSize': { env: 'LOOKOUT_JUDGE_SAMPLE_SIZE', schema: positiveInt, default: 200, doc: 'Conversations judged per day (stratified by tenant, topic and risk).' },
  'judge.seed': { env: 'LOOKOUT_JUDGE_SEED', schema: z.coerce.number().int().min(0), default: 1, doc: 'Sampling seed: the same seed and day give the same sample.' },
  'judge.riskOversample': { env: 'LOOKOUT_JUDGE_RISK_OVERSAMPLE', schema: z.coerce.number().min(1), default: 4, doc: 'How many times more likely a conversation with a risk signal (escalation, negative feedback, guardrail, failure, slow turn) is sampled.' },
  'judge.slowTurnMs': { env: 'LOOKOUT_JUDGE_SLOW_TURN_MS', schema: positiveInt, default: 15000, doc: 'A response slower than this makes its conversation a risk (slow turn).' },
  'judge.concurrency': { env: 'LOOKOUT_JUDGE_CONCURRENCY', schema: positiveInt, default: 4, doc: 'Judge calls in flight at once.' },
  'judge.timeoutMs': { env: 'LOOKOUT_JUDGE_TIMEOUT_MS', schema: positiveInt, default: 60000, doc: 'Timeout of one judge API attempt.' },
  'judge.maxAttempts': { env: 'LOOKOUT_JUDGE_MAX_ATTEMPTS', schema: positiveInt, default: 4, doc: 'Attempts per judge API call (429, 5xx, timeouts are retried with backoff and Retry-After).' },
  'judge.budgetTokens': { env: 'LOOKOUT_JUDGE_BUDGET_TOKENS', schema: z.coerce.number().int().min(0), default: 2000000, doc: 'Per-run token budget of the judge (prompt + answer); the run stops cleanly when the next call would exceed it. 0: no limit.' },
  'judge.budgetUsd': { env: 'LOOKOUT_JUDGE_BUDGET_USD', schema: z.coerce.number().min(0), default: 0, doc: 'Per-run dollar budget, priced with the price table (prices.overrides for unlisted models). 0: no limit.' },
  'judge.baselineDays': { env: 'LOOKOUT_JUDGE_BASELINE_DAYS', schema: positiveInt, default: 14, doc: 'Trailing days a day\'s quality is compared with (at least 5 with scores are needed to alert).' },
  'judge.alertAlpha': { env: 'LOOKOUT_JUDGE_ALERT_ALPHA', schema: z.coerce.number().positive().max(0.5), default: 0.01, doc: 'False-alarm rate of a quality-drop alert per run (Bonferroni over tenants and criteria).' },
  'judge.alertMinDrop': { env: 'LOOKOUT_JUDGE_ALERT_MIN_DROP', schema: z.coerce.number().min(0), default: 0.3, doc: 'Smallest drop of a mean 1-5 score that can alert, in points.' },
  'drift.baselineDays': { env: 'LOOKOUT_DRIFT_BASELINE_DAYS', schema: positiveInt, default: 14, doc: 'Days before the day being checked that form the drift and knowledge-rot baseline.' },
  'drift.sampleSize': { env: 'LOOKOUT_DRIFT_SAMPLE_SIZE', schema: positiveInt, default: 2000, doc: 'Request inputs per tenant and day compared, at most (a deterministic sample; embedding time grows with it).' },
  'drift.baselineSampleSize': { env: 'LOOKOUT_DRIFT_BASELINE_SAMPLE_SIZE', schema: positiveInt, default: 5000, doc: 'Baseline request inputs per tenant, at most (a deterministic sample).' },
  'drift.minInputs': { env: 'LOOKOUT_DRIFT_MIN_INPUTS', schema: positiveInt, default: 30, doc: 'A tenant with fewer inputs in the day gets no drift verdict (knowledge rot still runs); the baseline needs at least 100.' },
  'drift.alpha': { env: 'LOOKOUT_DRIFT_ALPHA', schema: z.coerce.number().positive().max(0.5), default: 0.01, doc: 'False-alarm rate per tenant and day of the drift verdict, and of each knowledge-rot signal (Bonferroni over topics).' },
  'drift.kbGapSimilarity': { env: 'LOOKOUT_DRIFT_KB_GAP_SIMILARITY', schema: z.coerce.number().min(-1).max(1), default: 0.4, doc: 'An input is not covered by the knowledge base when no passage of a known KB document is at least this similar (cosine, all-MiniLM-L6-v2).' },
  'drift.kbGapShare': { env: 'LOOKOUT_DRIFT_KB_GAP_SHARE', schema: z.coerce.number().positive().max(1), default: 0.6, doc: 'A topic is a knowledge-base gap when at least this share of its inputs of the day is not covered.' },
  'drift.kbGapMinInputs': { env: 'LOOKOUT_DRIFT_KB_GAP_MIN_INPUTS', schema: positiveInt, default: 10, doc: 'Topics with fewer inputs in the day are not judged for knowledge-base gaps.' },
} satisfies Record<string, Def>;

export type ConfigKey = keyof typeof CONFIG_DEFS;

type ValueOf<K extends ConfigKey> = z.output<(typeof CONFIG_DEFS)[K]['schema']>;
type Flat = { [K in ConfigKey]: ValueOf<K> };

/** Builds the nested object type from the dotted keys. */
type Nest<T> = {
  [K in keyof T as K extends `${infer H}.${string}` ? H : K]: K extends `${string}.${string}`
    ? Nest<{ [P in keyof T as P extends `${K extends `${infer H}.${string}` ? H : never}.${infer R}` ? R : never]: T[P] }>
    : T[K];
};

export type Config = Nest<Flat> & {
  kafka: { brokers: string[] };
  clickhouse: { url: string };
  /** Where the file part came from, for messages. */
  source: { file?: string };
};

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    cur[part] ??= {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

/** Every dotted leaf key present in a parsed file, to catch typos. */
function fileKeys(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [prefix];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return key in CONFIG_DEFS ? [key] : fileKeys(v, key);
  });
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit file; otherwise LOOKOUT_CONFIG, otherwise ./lookout.config.json if present. */
  file?: string;
  cwd?: string;
}

/** Reads and validates the configuration; throws ConfigError naming the first bad key. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  let filePath = opts.file ?? env.LOOKOUT_CONFIG;
  if (filePath) {
    filePath = resolve(cwd, filePath);
    if (!existsSync(filePath)) throw new ConfigError('LOOKOUT_CONFIG', `LOOKOUT_CONFIG: file not found: ${filePath}`);
  } else if (existsSync(resolve(cwd, 'lookout.config.json'))) {
    filePath = resolve(cwd, 'lookout.config.json');
  }
  let fileData: unknown = {};
  if (filePath) {
    try {
      fileData = JSON.parse(readFileSync(filePath, 'utf8'));
    } catch (err) {
      throw new ConfigError('LOOKOUT_CONFIG', `${filePath}: not valid JSON (${(err as Error).message})`);
    }
    for (const key of fileKeys(fileData)) {
      if (!(key in CONFIG_DEFS)) {
        throw new ConfigError(key, `${key} (in ${filePath}): unknown key; see \`lookout config docs\` for the valid keys`);
      }
    }
  }

  const flat: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(CONFIG_DEFS) as [ConfigKey, Def][]) {
    const envValue = env[def.env];
    const fromEnv = envValue !== undefined && envValue !== '';
    const raw = fromEnv ? envValue : (getPath(fileData, key) ?? def.default);
    if (raw === undefined) continue;
    const parsed = def.schema.safeParse(raw);
    if (!parsed.success) {
      const where = fromEnv ? `${def.env}` : `${key} (in ${filePath ?? 'defaults'})`;
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      throw new ConfigError(fromEnv ? def.env : key, `${where}: invalid value: ${why}. Expected: ${def.doc}`);
    }
    flat[key] = parsed.data;
  }

  // The local stack is the default target, so `npm start` needs no configuration at all.
  flat['kafka.brokers'] ??= [`127.0.0.1:${flat['stack.kafkaPort'] as number}`];
  flat['clickhouse.url'] ??= `http://127.0.0.1:${flat['stack.clickhouseHttpPort'] as number}`;
  flat['stack.dir'] = resolve(cwd, flat['stack.dir'] as string);

  const nested: Record<string, unknown> = { source: { file: filePath } };
  for (const [key, value] of Object.entries(flat)) setPath(nested, key, value);
  return nested as Config;
}

/** Markdown table of every key, for the README. */
export function configDocsMarkdown(): string {
  const rows = Object.entries(CONFIG_DEFS).map(([key, def]: [string, Def]) => {
    const dflt = def.default === undefined ? '(see description)' : `\`${JSON.stringify(def.default)}\``;
    return `| \`${def.env}\` | \`${key}\` | ${dflt} | ${def.doc} |`;
  });
  return ['| Environment | File key | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
