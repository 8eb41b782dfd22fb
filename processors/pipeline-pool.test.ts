import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import { EXAMPLE_EVENTS } from '../schemas/events/index.ts';
import { eventColumns } from '../test/fixtures/event-columns.ts';
import { PriceTable } from './enrich/prices.ts';
import { pipelineContext, PipelinePool, processChunk, type ChunkMessage, type PipelineSettings } from './pipeline-pool.ts';

const settings: PipelineSettings = { redaction: { key: 'unit-test-key-0123456789' }, priceOverrides: [], retentionDays: 90, columns: eventColumns() };
const pools: PipelinePool[] = [];
after(() => Promise.all(pools.map((p) => p.stop())));

function messages(): ChunkMessage[] {
  const now = Date.now();
  const values: (string | null)[] = [
    ...Object.values(EXAMPLE_EVENTS).map((e) => JSON.stringify({ ...e, ts: now })),
    JSON.stringify({ ...EXAMPLE_EVENTS.request, ts: now, input_text: 'mail jane.doe@example.com or call +44 20 7946 0958' }),
    JSON.stringify({ ...EXAMPLE_EVENTS.response, ts: now, model: 'no-such-model-7' }),
    '{"schema_version":1,"type":"request"}',
    'not json',
    null,
  ];
  return values.map((v, i) => ({ value: v === null ? null : Buffer.from(v), offset: String(1_000 + i) }));
}

/** Equal rows but for received_at (each thread's clock): it follows event_id, schema_version, type and ts. */
function sameRow(a: Buffer, b: Buffer, type: string): boolean {
  const at = 16 + 1 + 1 + type.length + 8;
  const mask = (x: Buffer) => Buffer.concat([x.subarray(0, at), x.subarray(at + 8)]);
  return a.length === b.length && mask(a).equals(mask(b));
}

test('a worker thread gives the same outcomes as the main thread, byte for byte, and its unknown models are counted here', async () => {
  const registry = new Registry();
  const prices = new PriceTable({ registry });
  const pool = new PipelinePool(settings, prices, 1);
  pools.push(pool);
  const warmed = await pool.start();
  assert.ok(warmed.rows > 0 && warmed.dead === 0);
  const sent = messages();
  const viaWorker = await pool.run(4, sent);
  const inline = processChunk(pipelineContext(settings, new PriceTable({ registry: new Registry() })), 4, sent);
  assert.equal(viaWorker.length, inline.length);
  viaWorker.forEach((got, i) => {
    const want = inline[i]!;
    assert.equal(got.type, want.type, `message ${i}`);
    assert.equal(got.unpriced, want.unpriced, `message ${i}`);
    assert.deepEqual(got.redactions ?? {}, want.redactions ?? {}, `message ${i}`);
    assert.ok(got.line && want.line ? sameRow(got.line, want.line, got.type!) : got.line === want.line, `row bytes of message ${i}`);
    assert.deepEqual({ ...got.dead, received_at: 0 }, { ...want.dead, received_at: 0 }, `dead letter of message ${i}`);
  });
  assert.deepEqual(viaWorker.slice(-3).map((o) => o.dead?.reason), ['invalid_field', 'invalid_json', 'empty_message']);
  assert.equal(viaWorker.at(-4)!.unpriced, true);
  const unknown = await registry.getSingleMetric('lookout_cost_unknown_model_total')!.get();
  assert.deepEqual(unknown.values.map((v) => [v.labels.model, v.value]), [['no-such-model-7', 1]]);
});

test('a worker that cannot build its pipeline fails the start with its reason', async () => {
  const pool = new PipelinePool({ ...settings, redaction: { key: 'short' } }, new PriceTable({ registry: new Registry() }), 1);
  pools.push(pool);
  await assert.rejects(pool.start(), /invalid_options|key/);
  await assert.rejects(pool.run(0, messages()), /key|exited/);
});

test('a worker that dies is replaced: the chunks queued behind it are sent again, and only the message that kills a worker alone becomes a dead letter', async () => {
  const crashes: (number | undefined)[] = [];
  const pool = new PipelinePool(settings, new PriceTable({ registry: new Registry() }), 1, {
    workerUrl: new URL('../test/fixtures/crashing-pipeline-worker.mjs', import.meta.url),
    onCrash: (exitCode) => crashes.push(exitCode),
  });
  pools.push(pool);
  await pool.start();
  const now = Date.now();
  const chunk = (from: number, poison?: number): ChunkMessage[] =>
    Array.from({ length: 10 }, (_, i) => {
      const input_text = i === poison ? 'please KILL-THIS-WORKER now' : `where is my parcel ${from + i}`;
      return { value: Buffer.from(JSON.stringify({ ...EXAMPLE_EVENTS.request, event_id: randomUUID(), ts: now, input_text })), offset: String(from + i) };
    });
  // One worker: the second and third chunks wait in its queue behind the first.
  const [first, second, third] = await Promise.all([pool.run(2, chunk(0, 4)), pool.run(2, chunk(10)), pool.run(2, chunk(20))]);
  assert.deepEqual(crashes, [7, 7], 'died with the chunk, then with the message alone');
  first.forEach((o, i) => assert.equal(o.line === undefined, i === 4, `message ${i}`));
  assert.deepEqual(
    { ...first[4]!.dead, received_at: 0 },
    {
      received_at: 0,
      source_partition: 2,
      source_offset: '4',
      reason: 'worker_crashed',
      field_path: '',
      message: 'a pipeline worker thread died processing this message, again when it was sent alone; it was not stored',
      event_id: '',
      tenant: '',
      type: '',
      payload_bytes: chunk(0, 4)[4]!.value!.byteLength,
      payload_redacted: '',
    },
  );
  assert.ok([...second, ...third].every((o) => o.line && o.type === 'request'), 'queued chunks were sent again whole');
  const afterwards = await pool.run(2, chunk(30));
  assert.equal(afterwards.filter((o) => o.line).length, 10, 'the replacement keeps working');
});
