/**
 * Sustained delivery of ~1.5 KB events to a real broker (events/s acknowledged), then peak RSS
 * while the broker is unreachable and the client buffers against a 50 MB cap.
 *   LOOKOUT_BENCH_KAFKA_BROKERS=127.0.0.1:49092 node --import tsx bench/producer-delivery.ts
 * Options via env: BENCH_SECONDS (default 20), BENCH_DOWN_EVENTS (default 200000),
 * BENCH_BATCH_EVENTS / BENCH_BATCH_BYTES (producer batch caps; defaults are the client's).
 */
import { Kafka, logLevel } from 'kafkajs';
import { createProducer } from '../ingest/producer/index.ts';
import { brokersFromEnv, event1500, save } from './producer-common.ts';

const brokers = brokersFromEnv();
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const topic = `bench.producer.${Date.now().toString(36)}`;
const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });

const batchMaxEvents = Number(process.env.BENCH_BATCH_EVENTS ?? 1000);
const batchMaxBytes = Number(process.env.BENCH_BATCH_BYTES ?? 900 * 1024);
const events = Array.from({ length: 1000 }, (_, i) => event1500(i));
const turn = () => new Promise((r) => setImmediate(r));

async function sustained(compression: 'gzip' | 'none') {
  const p = createProducer({ brokers, topic, service: 'bench', tenant: 'bench', logger: null, compression, batchMaxEvents, batchMaxBytes });
  await p.flush();
  const started = Date.now();
  let recorded = 0;
  // Keep the queue topped up without overflowing it: the broker path is what is measured.
  while (Date.now() - started < seconds * 1000) {
    const s = p.stats();
    if (s.queued + s.inFlight < 20_000) {
      for (let i = 0; i < 1000; i++) p.record(events[(recorded + i) % 1000]!);
      recorded += 1000;
    }
    await turn();
  }
  const sentAtEnd = p.stats().sent;
  const elapsed = (Date.now() - started) / 1000;
  const totals = await p.shutdown({ timeoutMs: 60_000 });
  return { compression, seconds: +elapsed.toFixed(1), ackedEventsPerSec: Math.round(sentAtEnd / elapsed), mbPerSec: +((sentAtEnd * 1514) / elapsed / 1e6).toFixed(1), totals };
}

const runs = [await sustained('gzip'), await sustained('none')];
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
await admin.disconnect();

// Broker down: an address where nothing listens. Record well past the cap and watch RSS.
const capMb = 50;
const downEvents = Number(process.env.BENCH_DOWN_EVENTS ?? 200_000);
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const down = createProducer({ brokers: ['127.0.0.1:9'], topic, service: 'bench', tenant: 'bench', logger: null, maxQueueBytes: capMb * 1024 * 1024, maxQueueEvents: 10_000_000, retryMaxMs: 1000 });
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
for (let i = 0; i < downEvents; i++) {
  down.record(events[i % 1000]!);
  if (i % 1000 === 999) {
    await turn();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
}
await new Promise((r) => setTimeout(r, 1000));
clearInterval(sampler);
const ds = down.stats();
await down.shutdown({ timeoutMs: 100 });
const brokerDown = {
  capMb,
  recorded: downEvents,
  buffered: ds.queued + ds.inFlight,
  bufferedMb: +(ds.queuedBytes / 1024 / 1024).toFixed(1),
  droppedQueueFull: ds.droppedByReason.queue_full,
  rssBeforeMb: Math.round(rssBefore / 1024 / 1024),
  peakRssMb: Math.round(peakRss / 1024 / 1024),
  growthMb: Math.round((peakRss - rssBefore) / 1024 / 1024),
};

console.table(runs.map(({ totals, ...r }) => ({ ...r, ...totals })));
console.table([brokerDown]);
save(process.env.BENCH_NAME ?? 'producer-delivery', { benchmark: 'producer-delivery', brokers, batchMaxEvents, batchMaxBytes, eventBytes: 1514, sustained: runs, brokerDown, node: process.version, at: new Date().toISOString() });
process.exit(0);
