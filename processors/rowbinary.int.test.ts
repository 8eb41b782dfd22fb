import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createClickHouse } from '../common/clickhouse.ts';
import { createLogger } from '../common/logger.ts';
import { migrate } from '../schemas/clickhouse/migrate.ts';
import { EXAMPLE_EVENTS, parseEvent } from '../schemas/events/index.ts';
import { eventColumns } from '../test/fixtures/event-columns.ts';
import { testStack, uniqueName } from '../test/env.ts';
import { RowBinaryEncoder } from './rowbinary.ts';
import { eventToRow } from './rows.ts';
import { ClickHouseWriter } from './writer.ts';

const url = testStack().clickhouseUrl;
const ch = createClickHouse({ url });
const db = uniqueName('rowbin');
const writer = new ClickHouseWriter(ch, db, createLogger('test', 'silent'));
const once = { keepTrying: () => false };
after(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
});

test('the columns the server reports for events are the ones the unit tests encode against', async () => {
  await migrate({ target: { url }, database: db, eventsTtlDays: 90 });
  assert.deepEqual(await writer.columns('events', once), eventColumns());
  await assert.rejects(writer.columns('no_such_table', once), /does not exist: run `lookout migrate` first/);
});

test('RowBinary rows of every event type read back with the values they were encoded from', async () => {
  const encoder = new RowBinaryEncoder(await writer.columns('events', once));
  const receivedAt = Date.now() - 86_400_000 + 987;
  const texts = ['é € 😀 中文', 'x'.repeat(20_000), ''];
  const rows = Object.values(EXAMPLE_EVENTS).map((example, i) => {
    // Recent times: rows past the table TTL would be dropped at insert.
    const parsed = parseEvent({ ...example, ts: receivedAt - i, ...(example.type === 'request' ? { input_text: texts[i % 3] } : {}) });
    assert.ok(parsed.ok);
    const row = eventToRow(parsed.event, {
      receivedAt,
      partition: i,
      offset: String(2 ** 40 + i),
      costUsd: parsed.event.type === 'response' ? '12345.0123456789' : null,
      priceVersion: '2026-11-01',
      redactions: { EMAIL: i, PHONE: 1 },
    });
    return row;
  });
  await writer.insertRowBinary('events', encoder.columnList, rows.map((r) => Buffer.from(encoder.encode(r))), 'rowbinary-test/1', once);
  const back = await (
    await ch.query({
      query: `SELECT toString(event_id) AS event_id, type, toUnixTimestamp64Milli(ts) AS ts, toUnixTimestamp64Milli(received_at) AS received_at,
                tenant, input_text, output_text, retrieved_doc_ids, retrieved_scores, toString(cost_usd) AS cost_usd, price_version,
                turn, latency_ms, feedback_thumbs, toString(target_event_id) AS target_event_id, fallback_used,
                toUnixTimestamp64Milli(doc_updated_at) AS doc_updated_at, attributes, redactions, source_partition, toString(source_offset) AS source_offset
              FROM ${db}.events ORDER BY source_partition`,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    })
  ).json<Record<string, unknown>>();
  assert.equal(back.length, rows.length);
  rows.forEach((row, i) => {
    const got = back[i]!;
    const expect = (k: string, fallback: unknown) => (row[k] === undefined ? fallback : row[k]);
    assert.equal(got.event_id, row.event_id);
    assert.equal(got.type, row.type);
    assert.equal(got.ts, row.ts);
    assert.equal(got.received_at, receivedAt);
    assert.equal(got.input_text, expect('input_text', ''));
    assert.equal(got.output_text, expect('output_text', ''));
    assert.deepEqual(got.retrieved_doc_ids, expect('retrieved_doc_ids', []));
    assert.deepEqual(
      (got.retrieved_scores as (number | null)[]).map((s) => (s === null ? null : Math.round(s * 1e4) / 1e4)),
      (expect('retrieved_scores', []) as (number | null)[]).map((s) => (s === null ? null : Math.round(s * 1e4) / 1e4)),
    );
    assert.equal(got.cost_usd, row.cost_usd === null ? null : '12345.0123456789');
    assert.equal(got.turn, expect('turn', null));
    assert.equal(got.latency_ms, expect('latency_ms', null));
    assert.equal(got.feedback_thumbs, expect('feedback_thumbs', null));
    assert.equal(got.target_event_id, expect('target_event_id', null));
    assert.equal(got.fallback_used, expect('fallback_used', false));
    assert.equal(got.doc_updated_at, expect('doc_updated_at', null));
    assert.deepEqual(got.attributes, row.attributes);
    assert.deepEqual(got.redactions, { EMAIL: i, PHONE: 1 });
    assert.equal(got.source_offset, String(2 ** 40 + i));
  });
});
