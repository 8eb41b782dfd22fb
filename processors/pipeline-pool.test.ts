import assert from 'node:assert/strict';
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
