import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXAMPLE_EVENTS } from '../schemas/events/index.ts';
import { eventColumns } from '../test/fixtures/event-columns.ts';
import { PriceTable } from './enrich/prices.ts';
import { processMessage, warmUp, type PipelineContext } from './pipeline.ts';
import { createRedactor } from './redaction/redactor.ts';
import { RowBinaryEncoder } from './rowbinary.ts';

const NOW = Date.UTC(2025, 10, 23);
const ctx: PipelineContext = {
  redactor: createRedactor({ key: 'unit-test-key-0123456789' }),
  prices: new PriceTable(),
  now: () => NOW,
  retentionDays: 90,
  encoder: new RowBinaryEncoder(eventColumns()),
};
const msg = (value: Buffer | string | null, offset = '7') => ({ value: typeof value === 'string' ? Buffer.from(value) : value, partition: 3, offset });

test('a valid response becomes a priced, redacted row with its source position', () => {
  const out = processMessage(msg(JSON.stringify({ ...EXAMPLE_EVENTS.response, output_text: 'Write to jane.doe@example.com' })), ctx);
  assert.equal(out.kind, 'row');
  if (out.kind !== 'row') return;
  assert.equal(out.row.source_partition, 3);
  assert.equal(out.row.source_offset, '7');
  assert.match(String(out.row.output_text), /^Write to <EMAIL:[0-9a-f]+>$/);
  assert.deepEqual(out.redactions, { EMAIL: 1 });
  assert.match(String(out.row.cost_usd), /^\d+\.\d{10}$/);
  assert.match(String(out.row.user_id), /^usr_[0-9a-f]{16}$/);
  assert.equal(out.row.received_at, NOW);
  assert.ok(out.line.length > 100, 'the row comes encoded for the insert');
});

test('rejections become dead letters with reasons and redacted payloads', () => {
  const bad = processMessage(msg(JSON.stringify({ schema_version: 1, type: 'request', note: 'mail jane.doe@example.com' })), ctx);
  assert.ok(bad.kind === 'dead');
  assert.equal(bad.dead.reason, 'invalid_field');
  assert.ok(!bad.dead.payload_redacted.includes('jane.doe'));
  assert.match(bad.dead.payload_redacted, /<EMAIL:/);

  const escaped = processMessage(msg('{"schema_version":1,"x":"jane.doe\\u0040example.com"'), ctx);
  assert.ok(escaped.kind === 'dead' && escaped.dead.reason === 'invalid_json');
  assert.equal(escaped.dead.payload_redacted, '', 'an unparseable payload with escapes is not stored');

  const old = processMessage(msg(JSON.stringify({ ...EXAMPLE_EVENTS.request, ts: NOW - 91 * 86_400_000 })), ctx);
  assert.ok(old.kind === 'dead' && old.dead.reason === 'older_than_retention');
  assert.equal(old.dead.event_id, EXAMPLE_EVENTS.request.event_id);

  const tomb = processMessage(msg(null), ctx);
  assert.ok(tomb.kind === 'dead' && tomb.dead.reason === 'empty_message');
});

test('never throws: poison messages become dead letters', () => {
  for (const value of ['['.repeat(50_000) + ']'.repeat(50_000), '{"a":'.repeat(50_000), Buffer.from([0xff, 0xfe, 0x00])]) {
    const out = processMessage(msg(value), ctx);
    assert.equal(out.kind, 'dead');
  }
});

test('warm-up: every example event goes through as a row, none as a dead letter', () => {
  const live = { ...ctx, now: Date.now };
  assert.deepEqual(warmUp(live, 3), { rows: 3 * Object.keys(EXAMPLE_EVENTS).length, dead: 0 });
});

test('a row the encoder refuses becomes a dead letter, not a crash', () => {
  const strict = { ...ctx, encoder: new RowBinaryEncoder([{ name: 'conversation_id', type: 'UInt64' }]) };
  const out = processMessage(msg(JSON.stringify(EXAMPLE_EVENTS.request)), strict);
  assert.ok(out.kind === 'dead');
  assert.equal(out.dead.reason, 'internal_error');
  assert.equal(out.dead.payload_redacted, '', 'no payload when the pipeline itself failed');
});

test('warm-up refuses to start when the table lacks a column the rows carry', () => {
  const narrow = { ...ctx, now: Date.now, encoder: new RowBinaryEncoder(eventColumns().filter((c) => c.name !== 'doc_url')) };
  assert.throws(() => warmUp(narrow, 1), /the events table has no column for doc_url: run `lookout migrate` first/);
});
