/**
 * Overhead of one record() on the host event loop: each call timed on its own (median, p99), with
 * the event loop turning every 500 calls so the producer's batched validation and serialisation run
 * as they would in a service. Also the amortised cost per event including that deferred work.
 * Delivery is a no-op transport so only host-side cost is measured.
 *   node --import tsx bench/producer-record.ts
 */
import { cpus } from 'node:os';
import { createProducer, type Transport } from '../ingest/producer/index.ts';
import { event1500, percentile, save } from './producer-common.ts';

const noop: Transport = { send: async () => undefined, ping: async () => true, close: async () => undefined };
const producer = createProducer({ service: 'bench', tenant: 'bench', transport: noop, logger: null, maxQueueEvents: 1_000_000, maxQueueBytes: 2 * 1024 ** 3 });
const N = 200_000;
const events = Array.from({ length: 1000 }, (_, i) => event1500(i));
const turn = () => new Promise((r) => setImmediate(r));

// Warm-up: JIT the hot paths.
for (let i = 0; i < 20_000; i++) {
  producer.record(events[i % 1000]!);
  if (i % 500 === 499) await turn();
}
await producer.flush();

const samples = new Float64Array(N);
const cpu0 = process.cpuUsage();
const wall0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  const t0 = process.hrtime.bigint();
  producer.record(events[i % 1000]!);
  samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  if (i % 500 === 499) await turn();
}
await producer.flush();
const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
const cpu = process.cpuUsage(cpu0);
await producer.shutdown();

// The cost of reading the clock twice, subtracted from nothing but reported alongside.
const clock = new Float64Array(100_000);
for (let i = 0; i < clock.length; i++) {
  const t0 = process.hrtime.bigint();
  clock[i] = Number(process.hrtime.bigint() - t0) / 1000;
}
clock.sort();
samples.sort();
const result = {
  benchmark: 'producer-record',
  events: N,
  eventBytes: Buffer.byteLength(JSON.stringify({ ...events[0], event_id: crypto.randomUUID(), ts: Date.now(), schema_version: 1, tenant: 'bench', service: 'bench', environment: 'production' })),
  recordMedianUs: +percentile(samples, 50).toFixed(3),
  recordP99Us: +percentile(samples, 99).toFixed(3),
  recordP999Us: +percentile(samples, 99.9).toFixed(3),
  timerOverheadMedianUs: +percentile(clock, 50).toFixed(3),
  amortisedCpuUsPerEvent: +((cpu.user + cpu.system) / N).toFixed(2),
  wallMs: Math.round(wallMs),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  at: new Date().toISOString(),
};
console.table([result]);
save('producer-record', result);
