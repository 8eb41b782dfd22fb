/**
 * Events/s accepted by POST /v1/events in batches of 100 (JSON arrays of ~1.5 KB events), each
 * answered after the Kafka ack, with a few requests in flight.
 *   LOOKOUT_BENCH_KAFKA_BROKERS=127.0.0.1:49092 node --import tsx bench/gateway-throughput.ts
 * Env: BENCH_SECONDS (default 15), BENCH_CONCURRENCY (default 8), BENCH_KAFKA_THREAD=1 (the
 * gateway's producer delivers from a worker thread: LOOKOUT_GATEWAY_KAFKA_THREAD).
 */
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { startGateway } from '../ingest/gateway/index.ts';
import { brokersFromEnv, event1500, percentile, save } from './producer-common.ts';

const brokers = brokersFromEnv();
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const kafkaThread = process.env.BENCH_KAFKA_THREAD === '1';
const topic = `bench.gateway.${Date.now().toString(36)}`;
const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });

const gw = await startGateway({
  port: 0,
  apiKeys: [{ tenant: 'bench', key: 'bench-key' }],
  producer: { brokers, topic, kafkaThread },
  rateLimit: { perSecond: 1e6, burst: 1e6 },
  logger: pino({ level: 'warn' }),
});
const bodies = Array.from({ length: 20 }, (_, b) =>
  JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ ...event1500(b * 100 + i), schema_version: 1, service: 'bench', event_id: crypto.randomUUID(), ts: Date.now() }))),
);
const latencies: number[] = [];
const statuses = new Map<number, number>();
let accepted = 0;
const started = Date.now();
let k = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() - started < seconds * 1000) {
      const t0 = performance.now();
      const res = await fetch(`${gw.url}/v1/events`, { method: 'POST', headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' }, body: bodies[k++ % bodies.length] });
      const body = (await res.json()) as { accepted?: number };
      latencies.push(performance.now() - t0);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      accepted += body.accepted ?? 0;
    }
  }),
);
const elapsed = (Date.now() - started) / 1000;
await gw.close();
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
await admin.disconnect();
latencies.sort((a, b) => a - b);
const result = {
  benchmark: 'gateway-throughput',
  batchSize: 100,
  concurrency,
  kafkaThread,
  seconds: +elapsed.toFixed(1),
  acceptedEventsPerSec: Math.round(accepted / elapsed),
  requestMedianMs: Math.round(percentile(latencies, 50)),
  requestP99Ms: Math.round(percentile(latencies, 99)),
  statuses: Object.fromEntries(statuses),
  node: process.version,
  at: new Date().toISOString(),
};
console.table([{ ...result, statuses: JSON.stringify(result.statuses) }]);
save('gateway-throughput', result);
process.exit(0);
