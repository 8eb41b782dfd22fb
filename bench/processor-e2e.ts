/**
 * End-to-end processor benchmark on this machine, against a private local Kafka + ClickHouse:
 *
 *  1. drain: 200,000 events of ~1.5 KB already in Kafka → all queryable; events/s of `lookout process`.
 *  2. raw baselines: the same events consumed and inserted with no validation, redaction or pricing
 *     (bench/raw-consumer.ts), into the same tables and views as ours and into a plain table; our
 *     rate as a fraction of each. Each drain also reports its rate after its first insert (start-up
 *     left out).
 *  3. latency: events produced live at a steady rate to a freshly started processor; produce-to-
 *     queryable p50/p99 from ClickHouse (inserted_at − ts; both clocks are this machine's) over the
 *     events after the first --warmup seconds, and over all of them. The first second or two of a
 *     cold process lag (its first batches were 1.5-2.2 s old when inserted).
 *
 *   node --import tsx bench/processor-e2e.ts [--events 200000] [--rate 5000] [--seconds 20] [--warmup 5]
 * BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to the consumers' node:
 * Node refuses profiling flags in NODE_OPTIONS.
 * Prints a table and saves bench/results/processor-e2e.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { chTime, createClickHouse } from '../common/clickhouse.ts';
import { loadConfig } from '../common/config.ts';
import { REPO_ROOT } from '../deploy/local/paths.ts';
import { freePort, sleep } from '../deploy/local/process.ts';
import { startStack } from '../deploy/local/stack.ts';
import { migrate } from '../schemas/clickhouse/migrate.ts';
import { keyOf, makeEvent } from '../test/fixtures/events.ts';
import { processCpuSeconds } from './process-cpu.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('events', 200_000);
const RATE = arg('rate', 5_000);
const SECONDS = arg('seconds', 20);
const WARMUP = arg('warmup', 5);
const PARTITIONS = 6;

const dir = mkdtempSync(join(tmpdir(), 'lookout-bench-'));
const settings = {
  dir,
  kafkaPort: await freePort(),
  kafkaControllerPort: await freePort(),
  kafkaHeap: '1g',
  clickhouseHttpPort: await freePort(),
  clickhouseTcpPort: await freePort(),
  readyTimeoutMs: 90_000,
  python: 'python3',
  java: 'java',
};
console.error(`starting a private stack in ${dir}`);
const stack = await startStack(settings);
const brokers = [`127.0.0.1:${settings.kafkaPort}`];
const url = `http://127.0.0.1:${settings.clickhouseHttpPort}`;
const ch = createClickHouse({ url });
const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });

async function count(table: string): Promise<number> {
  const r = await ch.query({ query: `SELECT count() AS c FROM ${table}`, format: 'JSONEachRow' });
  return ((await r.json<{ c: number }>())[0]?.c ?? 0) as number;
}

async function produceAll(topic: string, from: number, n: number, rate = 0): Promise<void> {
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const chunk = rate > 0 ? Math.max(100, Math.round(rate / 20)) : 2_000;
  const t0 = Date.now();
  for (let i = 0; i < n; i += chunk) {
    const now = Date.now();
    const messages = [];
    for (let j = i; j < Math.min(n, i + chunk); j++) {
      const e = makeEvent(from + j, { seed: 3, textBytes: 550, now });
      e.ts = now;
      messages.push({ key: keyOf(e), value: JSON.stringify(e) });
    }
    await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages });
    if (rate > 0) await sleep(Math.max(0, t0 + ((i + chunk) / rate) * 1000 - Date.now()));
  }
  await producer.disconnect();
}

async function readAll(topic: string, n: number): Promise<void> {
  const consumer = kafka.consumer({ groupId: 'bench-jvm-warmup', maxBytesPerPartition: 1024 * 1024, maxBytes: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= n) resolve();
      },
    });
  });
  await consumer.disconnect();
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv) {
  const flags = process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return { child, exited: new Promise((r) => child.once('exit', r)) };
}

const cpuSeconds = (pid: number | undefined) => (pid ? processCpuSeconds(pid) : Number.NaN);

/** Background merges of an earlier drain's table would compete with the next drain: wait them out. */
async function quiet(): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000 && (await count('system.merges')) > 0) await sleep(250);
}

/**
 * Times one drain from the consumer's start. `steadyPerSecond` leaves out the start-up (process
 * start, worker warm-up, group join, first batch): rows after the first insert over the time after it.
 */
async function timeDrain(table: string, target: number, start: () => ReturnType<typeof spawnCli>) {
  await quiet();
  const servers = () => ({ kafka: cpuSeconds(stack.kafka.pid), clickhouse: cpuSeconds(stack.clickhouse.pid) });
  const before = servers();
  const proc = start();
  const t0 = Date.now();
  let last = -1;
  let first: { seconds: number; rows: number } | undefined;
  while ((last = await count(table)) < target) {
    if (Date.now() - t0 > 30 * 60_000) throw new Error(`${table}: only ${last}/${target} after 30 min`);
    if (last > 0 && !first) first = { seconds: (Date.now() - t0) / 1000, rows: last };
    await sleep(100);
  }
  const seconds = (Date.now() - t0) / 1000;
  const after = servers();
  // Where the two cores went during the drain: the consumer, ClickHouse and Kafka.
  const cpu = {
    consumer: cpuSeconds(proc.child.pid),
    clickhouse: Number((after.clickhouse - before.clickhouse).toFixed(2)),
    kafka: Number((after.kafka - before.kafka).toFixed(2)),
  };
  proc.child.kill('SIGTERM');
  await proc.exited;
  const steady = first && seconds > first.seconds ? Math.round((target - first.rows) / (seconds - first.seconds)) : null;
  return { seconds, perSecond: Math.round(target / seconds), firstRowsAfterSeconds: first?.seconds ?? null, steadyPerSecond: steady, cpuSeconds: cpu };
}

try {
  const db = 'lookout';
  await migrate({ target: { url }, database: db, eventsTtlDays: 90 });
  // Two raw baselines. One inserts into the same tables as the processor (a second database
  // migrated alike: ReplacingMergeTree, rollup views), so it differs from ours only in validation,
  // redaction and pricing. The plain one stores like events (partitioning, order, TTL, merge
  // settings) minus the ReplacingMergeTree engine and the views: what the insert alone costs.
  const rawDb = 'lookout_raw';
  await migrate({ target: { url }, database: rawDb, eventsTtlDays: 90 });
  const tables = await (await ch.query({ query: `SELECT engine_full FROM system.tables WHERE database = '${db}' AND name = 'events'`, format: 'JSONEachRow' })).json<{ engine_full: string }>();
  await ch.command({ query: `CREATE TABLE ${db}.events_raw AS ${db}.events ENGINE = ${tables[0]!.engine_full.replace(/^ReplacingMergeTree/, 'MergeTree')}` });
  const topic = 'bench.events';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }, { topic: 'bench.dlq', numPartitions: 1 }], waitForLeaders: true });
  // A fresh broker creates and loads its group-offsets topic on the first group lookup; do that
  // here so the first timed drain is not charged for it (it made the processor's group restart).
  await admin.fetchOffsets({ groupId: 'bench-warmup', topics: [topic] });
  await admin.disconnect();

  console.error(`producing ${N} events (~1.5 KB) into ${topic}...`);
  const p0 = Date.now();
  await produceAll(topic, 0, N);
  console.error(`produced in ${((Date.now() - p0) / 1000).toFixed(1)} s`);
  // The broker's JVM compiles its fetch path on the first reads: read the topic once, untimed, so
  // that the first timed drain is not charged for it and the later ones not spared.
  await readAll(topic, N);

  const env = {
    KAFKA_BROKERS: brokers.join(','),
    CLICKHOUSE_URL: url,
    CLICKHOUSE_DATABASE: db,
    LOOKOUT_EVENTS_TOPIC: topic,
    LOOKOUT_DLQ_TOPIC: 'bench.dlq',
    LOOKOUT_REDACTION_KEY: 'bench-key-0123456789abcdef',
    LOOKOUT_PROCESSOR_METRICS_PORT: '0',
    LOOKOUT_LOG_LEVEL: 'warn',
  };
  console.error('draining with lookout process...');
  const ours = await timeDrain(`${db}.events`, N, () => spawnCli(['cli/main.ts', 'process'], { ...env, LOOKOUT_PROCESSOR_GROUP: 'bench-lookout' }));
  console.error(`  ${ours.perSecond} events/s, CPU s ${JSON.stringify(ours.cpuSeconds)}`);
  console.error('draining with the raw baseline into the same tables (no validation, redaction or pricing)...');
  const rawSame = await timeDrain(`${rawDb}.events`, N, () => spawnCli(['bench/raw-consumer.ts'], { ...env, CLICKHOUSE_DATABASE: rawDb, GROUP: 'bench-raw-same', TABLE: 'events' }));
  console.error(`  ${rawSame.perSecond} events/s, CPU s ${JSON.stringify(rawSame.cpuSeconds)}`);
  console.error('draining with the raw baseline into a plain MergeTree table (no views)...');
  const raw = await timeDrain(`${db}.events_raw`, N, () => spawnCli(['bench/raw-consumer.ts'], { ...env, GROUP: 'bench-raw', TABLE: 'events_raw' }));
  console.error(`  ${raw.perSecond} events/s, CPU s ${JSON.stringify(raw.cpuSeconds)}`);
  // The baselines' tables are done with: dropping them stops their background merges, which would
  // otherwise compete with the latency run below.
  await ch.command({ query: `DROP DATABASE ${rawDb}` });
  await ch.command({ query: `DROP TABLE ${db}.events_raw` });

  console.error(`latency: ${RATE} events/s for ${WARMUP} + ${SECONDS} s with the processor running...`);
  const live = spawnCli(['cli/main.ts', 'process'], { ...env, LOOKOUT_PROCESSOR_GROUP: 'bench-lookout' });
  await sleep(5_000);
  const liveStart = Date.now();
  const liveN = RATE * (WARMUP + SECONDS);
  await produceAll(topic, N, liveN, RATE);
  while ((await count(`${db}.events`)) < N + liveN) await sleep(250);
  live.child.kill('SIGTERM');
  await live.exited;
  const latencySince = async (fromMs: number) => {
    const q = await ch.query({
      query: `SELECT quantiles(0.5, 0.99)(dateDiff('millisecond', ts, inserted_at)) AS q, count() AS n FROM ${db}.events WHERE ts >= {from:DateTime64(3, 'UTC')}`,
      query_params: { from: chTime(fromMs) },
      format: 'JSONEachRow',
    });
    const row = (await q.json<{ q: number[]; n: number }>())[0];
    return row && { n: row.n, q: row.q.map(Math.round) };
  };
  const lat = await latencySince(liveStart + WARMUP * 1000);
  const withWarmup = await latencySince(liveStart);

  const result = {
    benchmark: 'processor-e2e',
    at: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
    settings: { events: N, eventBytes: 1500, partitions: PARTITIONS, batchMaxRows: loadConfig({ env: process.env }).processor.batchMaxRows, liveRate: RATE, liveSeconds: SECONDS, liveWarmupSeconds: WARMUP },
    drain: {
      lookout: ours,
      raw,
      rawSameTables: rawSame,
      fractionOfRaw: Number((ours.perSecond / raw.perSecond).toFixed(2)),
      fractionOfRawSameTables: Number((ours.perSecond / rawSame.perSecond).toFixed(2)),
      steadyFractionOfRaw: ours.steadyPerSecond && raw.steadyPerSecond ? Number((ours.steadyPerSecond / raw.steadyPerSecond).toFixed(2)) : null,
    },
    latency: { events: lat?.n, p50Ms: lat?.q[0], p99Ms: lat?.q[1] },
    latencyIncludingWarmup: { events: withWarmup?.n, p50Ms: withWarmup?.q[0], p99Ms: withWarmup?.q[1] },
    targets: { eventsPerSecond: 15_000, fractionOfRaw: 0.6, p99Ms: 2_000 },
  };
  console.log('| measure | value | target |\n| --- | --- | --- |');
  console.log(`| lookout process, drain of ${N} | ${ours.perSecond} events/s (${ours.steadyPerSecond}/s after its first insert at ${ours.firstRowsAfterSeconds} s) | 15,000 |`);
  console.log(`| raw baseline, plain table | ${raw.perSecond} events/s (${raw.steadyPerSecond}/s after ${raw.firstRowsAfterSeconds} s) | |`);
  console.log(`| raw baseline, same tables and views | ${rawSame.perSecond} events/s (${rawSame.steadyPerSecond}/s after ${rawSame.firstRowsAfterSeconds} s) | |`);
  console.log(`| fraction of raw: plain / same tables / steady vs plain | ${result.drain.fractionOfRaw} / ${result.drain.fractionOfRawSameTables} / ${result.drain.steadyFractionOfRaw} | 0.6 |`);
  console.log(`| produce-to-queryable at ${RATE}/s, after ${WARMUP} s | p50 ${lat?.q[0]} ms, p99 ${lat?.q[1]} ms | p99 < 2,000 ms |`);
  console.log(`| same, first ${WARMUP} s included | p50 ${withWarmup?.q[0]} ms, p99 ${withWarmup?.q[1]} ms | |`);
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'processor-e2e.json'), JSON.stringify(result, null, 2) + '\n');
} finally {
  await ch.close();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
