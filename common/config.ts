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
  'clickhouse.cluster': { env: 'CLICKHOUSE_CLUSTER', schema: z.string(), default: '', doc: 'Cluster name for the clustered DDL variant (deploy/clickhouse-cluster); empty on one server.' },
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
  'gateway.rateLimitPerSecond': { env: 'LOOKOUT_GATEWAY_RATE_LIMIT_RPS', schema: z.coerce.number().positive(), default: 50, doc: 'Sustained requests per second per API key (burst: twice this).' },
  'demo.onStart': { env: 'LOOKOUT_DEMO_ON_START', schema: bool, default: true, doc: '`npm start` on the local stack also streams demo traffic once, so the tables have data.' },
  'demo.days': { env: 'LOOKOUT_DEMO_DAYS', schema: positiveInt, default: 14, doc: 'Simulated days of demo history, ending now.' },
  'demo.conversationsPerDay': { env: 'LOOKOUT_DEMO_CONVERSATIONS_PER_DAY', schema: positiveInt, default: 300, doc: 'Demo conversations per simulated weekday.' },
  'demo.rate': { env: 'LOOKOUT_DEMO_RATE', schema: z.coerce.number().int().min(0), default: 2000, doc: 'Demo events per second, wall clock (0: as fast as possible).' },
  'demo.seed': { env: 'LOOKOUT_DEMO_SEED', schema: z.coerce.number().int(), default: 42, doc: 'Seed of the demo generator (same seed, same traffic).' },
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
