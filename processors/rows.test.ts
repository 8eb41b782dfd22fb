import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXAMPLE_EVENTS, parseEvent, type LookoutEvent } from '../schemas/events/index.ts';
import { eventToRow } from './rows.ts';

function parsed(e: unknown): LookoutEvent {
  const r = parseEvent(e);
  assert.ok(r.ok);
  return r.event;
}
const meta = { receivedAt: Date.UTC(2026, 10, 22, 10), partition: 2, offset: '41', costUsd: '0.0012000000', priceVersion: 'p1', redactions: { EMAIL: 1 } };

test('times stay epoch milliseconds, and per-type columns are filled from the event', () => {
  const response = eventToRow(parsed(EXAMPLE_EVENTS.response), meta);
  assert.equal(response.ts, EXAMPLE_EVENTS.response.ts);
  assert.equal(response.received_at, meta.receivedAt);
  assert.equal(response.cost_usd, '0.0012000000');
  assert.equal(response.price_version, 'p1');
  assert.equal(response.output_text, EXAMPLE_EVENTS.response.output_text);
  const kb = parsed(EXAMPLE_EVENTS.kb_document);
  assert.ok(kb.type === 'kb_document');
  const doc = eventToRow(kb, { ...meta, costUsd: null });
  assert.equal(doc.doc_updated_at, kb.document.updated_at);
  assert.equal(doc.price_version, '', 'no price version without a cost');
});
