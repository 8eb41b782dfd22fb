/**
 * Sustained delivery of ~1.5 KB events to a real broker (events/s acknowledged), then peak RSS
 * while the broker is unreachable and the client buffers against a 50 MB cap.
 *   LOOKOUT_BENCH_KAFKA_BROKERS=127.0.0.1:49092 node --import tsx bench/producer-delivery.ts
 * Options via env: BENCH_SECONDS (default 20), BENCH_WARMUP_SECONDS (default 3, not counted),
 * BENCH_COMPRESSIONS (default gzip,none), BENCH_MODES (default inline,thread: kafkajs on the
 * host's thread, or on a worker thread with the kafkaThread option), BENCH_DOWN_EVENTS (default 200000),
 * BENCH_BATCH_EVENTS / BENCH_BATCH_BYTES (producer batch caps; defaults are the client's),
 * BENCH_BROKER_PID (the broker's JVM on this machine: adds its CPU to the result, so the split
 * between client and broker is measured, not guessed), BENCH_DOWN_ONLY=1 (only the broker-down
 * phase; saved as producer-delivery-down unless BENCH_NAME says otherwise), BENCH_DOWN_RATE
 * (events/s recorded while the broker is down; default 0, as fast as possible: a burst that fills
 * the cap before the client knows the broker is away).
 */
import { Kafka, logLevel } from 'kafkajs';
import { createProducer, type Compression, type LookoutProducer } from '../ingest/producer/index.ts';
import { processCpuSeconds } from './process-cpu.ts';
import { brokersFromEnv, event1500, save } from './producer-common.ts';

const brokers = brokersFromEnv();
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const compressions = (process.env.BENCH_COMPRESSIONS ?? 'gzip,none').split(',') as Compression[];
// 'inline': kafkajs on the host's thread (the default); 'thread': the kafkaThread option.
const modes = (process.env.BENCH_MODES ?? 'inline,thread').split(',');
const brokerPid = process.env.BENCH_BROKER_PID ? Number(process.env.BENCH_BROKER_PID) : undefined;
const downOnly = process.env.BENCH_DOWN_ONLY === '1';
const topic = `bench.producer.${Date.now().toString(36)}`;
const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });

// The client's defaults unless overridden, so the saved result names the batch caps it ran with.
const batchMaxEvents = Number(process.env.BENCH_BATCH_EVENTS ?? 1000);
const batchMaxBytes = Number(process.env.BENCH_BATCH_BYTES ?? 900 * 1024);
const events = Array.from({ length: 1000 }, (_, i) => event1500(i));
const turn = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the queue topped up for `ms` without overflowing it: the broker path is what is measured. */
async function feed(p: LookoutProducer, ms: number, state: { recorded: number }): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const s = p.stats();
    if (s.queued + s.inFlight < 20_000) {
      for (let i = 0; i < 1000; i++) p.record(events[(state.recorded + i) % 1000]!);
      state.recorded += 1000;
      await turn();
    } else {
      // A host that spins here would take the CPU the producer needs on a small machine.
      await sleep(1);
    }
  }
}

async function sustained(compression: Compression, mode: string) {
  const p = createProducer({ brokers, topic, service: 'bench', tenant: 'bench', logger: null, compression, batchMaxEvents, batchMaxBytes, kafkaThread: mode === 'thread' });
  await p.flush();
  const state = { recorded: 0 };
  await feed(p, warmupSeconds * 1000, state);
  const before = p.stats();
  const cpu0 = process.cpuUsage();
  const loop0 = performance.eventLoopUtilization();
  const broker0 = brokerPid ? processCpuSeconds(brokerPid) : 0;
  const started = Date.now();
  await feed(p, seconds * 1000, state);
  const after = p.stats();
  const elapsed = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const loop = performance.eventLoopUtilization(loop0);
  const brokerCpu = brokerPid ? processCpuSeconds(brokerPid) - broker0 : undefined;
  const sent = after.sent - before.sent;
  const clientCpu = (cpu.user + cpu.system) / 1e6;
  const totals = await p.shutdown({ timeoutMs: 60_000 });
  return {
    compression,
    mode,
    seconds: +elapsed.toFixed(1),
    ackedEventsPerSec: Math.round(sent / elapsed),
    mbPerSec: +((sent * 1514) / elapsed / 1e6).toFixed(1),
    eventsPerBatch: Math.round(sent / (after.batches - before.batches)),
    clientCores: +(clientCpu / elapsed).toFixed(2),
    clientCpuUsPerEvent: +((clientCpu * 1e6) / sent).toFixed(1),
    // The share of the host's event loop in use: the bench feeding the client, plus the client.
    hostLoopBusy: +loop.utilization.toFixed(2),
    ...(brokerCpu === undefined ? {} : { brokerCores: +(brokerCpu / elapsed).toFixed(2), brokerCpuUsPerEvent: +((brokerCpu * 1e6) / sent).toFixed(1) }),
    totals,
  };
}

// Broker down: an address where nothing listens. Record well past the cap and watch RSS. First,
// while the process is fresh: after the sustained runs the heap has grown and hides the growth.
const capMb = 50;
const downEvents = Number(process.env.BENCH_DOWN_EVENTS ?? 200_000);
const downRate = Number(process.env.BENCH_DOWN_RATE ?? 0);
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const down = createProducer({ brokers: ['127.0.0.1:9'], topic, service: 'bench', tenant: 'bench', logger: null, maxQueueBytes: capMb * 1024 * 1024, maxQueueEvents: 10_000_000, retryMaxMs: 1000 });
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const downStarted = Date.now();
for (let i = 0; i < downEvents; i++) {
  down.record(events[i % 1000]!);
  if (i % 1000 === 999) {
    await turn();
    if (downRate > 0) await sleep(Math.max(0, downStarted + ((i + 1) / downRate) * 1000 - Date.now()));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
}
await sleep(1000);
clearInterval(sampler);
const ds = down.stats();
await down.shutdown({ timeoutMs: 100 });
const brokerDown = {
  capMb,
  recorded: downEvents,
  ratePerSec: downRate || 'burst',
  packed: ds.packed,
  buffered: ds.queued + ds.inFlight,
  bufferedMb: +(ds.queuedBytes / 1024 / 1024).toFixed(1),
  droppedQueueFull: ds.droppedByReason.queue_full,
  rssBeforeMb: Math.round(rssBefore / 1024 / 1024),
  peakRssMb: Math.round(peakRss / 1024 / 1024),
  growthMb: Math.round((peakRss - rssBefore) / 1024 / 1024),
};

const runs = [];
if (!downOnly) for (const mode of modes) for (const c of compressions) runs.push(await sustained(c, mode));
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
await admin.disconnect();

if (runs.length > 0) console.table(runs.map(({ totals, ...r }) => ({ ...r, ...totals })));
console.table([brokerDown]);
save(process.env.BENCH_NAME ?? (downOnly ? 'producer-delivery-down' : 'producer-delivery'), {
  benchmark: 'producer-delivery',
  brokers,
  batchMaxEvents,
  batchMaxBytes,
  eventBytes: 1514,
  warmupSeconds,
  sustained: runs,
  brokerDown,
  node: process.version,
  at: new Date().toISOString(),
});
process.exit(0);
