/** Integration-test helpers around a real `lookout process` child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { CompressionTypes, Kafka, logLevel, type Message } from 'kafkajs';
import type { ClickHouseClient } from '../common/clickhouse.ts';
import type { Config } from '../common/config.ts';
import { ensureTopics } from '../common/topics.ts';
import { REPO_ROOT } from '../deploy/local/paths.ts';
import { sleep } from '../deploy/local/process.ts';
import { migratedDatabase, testConfig } from './env.ts';

export const TEST_REDACTION_KEY = 'test-key-0123456789abcdef';

/** Environment that points `lookout process` at the config's Kafka topic and ClickHouse database. */
export function processorEnv(config: Config, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_BROKERS: config.kafka.brokers.join(','),
    CLICKHOUSE_URL: config.clickhouse.url,
    CLICKHOUSE_DATABASE: config.clickhouse.database,
    LOOKOUT_EVENTS_TOPIC: config.kafka.eventsTopic,
    LOOKOUT_DLQ_TOPIC: config.kafka.deadLetterTopic,
    LOOKOUT_PROCESSOR_GROUP: `group-${config.clickhouse.database}`,
    LOOKOUT_REDACTION_KEY: TEST_REDACTION_KEY,
    LOOKOUT_PROCESSOR_METRICS_PORT: '0',
    LOOKOUT_EVENTS_PARTITIONS: '4',
    ...extra,
  };
}

export interface ProcessorChild {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | string>;
}

export function spawnProcessor(env: NodeJS.ProcessEnv): ProcessorChild {
  const child = spawn(process.execPath, ['cli/lookout.mjs', 'process'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, output, exited };
}

export async function stopProcessor(p: ProcessorChild, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  return p.exited;
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export function testKafka(config: Config): Kafka {
  return new Kafka({ brokers: config.kafka.brokers, logLevel: logLevel.NOTHING, clientId: 'test' });
}

/** Sends messages in chunks with acks from all replicas. */
export async function produce(kafka: Kafka, topic: string, messages: Message[], chunk = 1000): Promise<void> {
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: messages.slice(i, i + chunk) });
    }
  } finally {
    await producer.disconnect();
  }
}

export async function scalar<T = number>(ch: ClickHouseClient, query: string): Promise<T> {
  const rows = await (await ch.query({ query, format: 'JSONEachRow' })).json<Record<string, T>>();
  return Object.values(rows[0] ?? {})[0] as T;
}

/**
 * For a test file: its own topics, consumer group and migrated database on the test stack, created
 * before its tests and dropped after. `ch()` is the client bound to that database.
 */
export function isolatedPipeline(): { config: Config; db: string; ch: () => ClickHouseClient } {
  const config = testConfig({ LOOKOUT_EVENTS_PARTITIONS: '4' });
  let client: ClickHouseClient | undefined;
  before(async () => {
    client = await migratedDatabase(config);
    await ensureTopics(testKafka(config), config);
  });
  after(async () => {
    await client?.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouse.database}` });
    await client?.close();
  });
  return {
    config,
    db: config.clickhouse.database,
    ch: () => {
      if (!client) throw new Error('the test database is not ready yet (use ch() inside a test)');
      return client;
    },
  };
}
