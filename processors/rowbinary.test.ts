import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXAMPLE_EVENTS, parseEvent } from '../schemas/events/index.ts';
import { eventColumns } from '../test/fixtures/event-columns.ts';
import { decimalUnits, RowBinaryEncoder } from './rowbinary.ts';
import { eventToRow } from './rows.ts';

const one = (type: string, value: unknown) => [...new RowBinaryEncoder([{ name: 'c', type }]).encode({ c: value })];
const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];

test('strings carry their UTF-8 byte length as LEB128, at every prefix size', () => {
  assert.deepEqual(one('String', ''), [0]);
  assert.deepEqual(one('String', 'é'), [2, ...utf8('é')]);
  assert.deepEqual(one('LowCardinality(String)', 'ok'), [2, ...utf8('ok')]);
  for (const s of ['a'.repeat(127), 'a'.repeat(128), '€'.repeat(42), '€'.repeat(43), 'x'.repeat(16_383), 'x'.repeat(16_384), '😀'.repeat(5_000), 'y'.repeat(3_000_000)]) {
    const bytes = Buffer.from(s, 'utf8');
    const out = Buffer.from(one('String', s));
    let n = 0;
    let shift = 0;
    let i = 0;
    for (; ; i++) {
      n += (out[i]! & 0x7f) * 2 ** shift;
      shift += 7;
      if (out[i]! < 0x80) break;
    }
    assert.equal(n, bytes.length, `length of a ${s.length}-unit string`);
    assert.ok(out.subarray(i + 1).equals(bytes), `bytes of a ${s.length}-unit string`);
  }
});

test('numbers, times, decimals, UUIDs and nullables in their binary forms', () => {
  assert.deepEqual(one('UInt8', 7), [7]);
  assert.deepEqual(one('Int8', -1), [0xff]);
  assert.deepEqual(one('Bool', true), [1]);
  assert.deepEqual(one('UInt32', 0x01020304), [4, 3, 2, 1]);
  assert.deepEqual(one('UInt64', '4294967297'), [1, 0, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual(one('UInt64', '18446744073709551615'), [255, 255, 255, 255, 255, 255, 255, 255]);
  assert.deepEqual(one("DateTime64(3, 'UTC')", 1_000), [0xe8, 0x03, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(one("DateTime64(6, 'UTC')", 1), [0xe8, 0x03, 0, 0, 0, 0, 0, 0], 'ticks of the declared precision');
  assert.deepEqual(one('Float32', 1), [0, 0, 0x80, 0x3f]);
  assert.deepEqual(one('Nullable(UInt32)', null), [1]);
  assert.deepEqual(one('Nullable(UInt32)', 2), [0, 2, 0, 0, 0]);
  assert.deepEqual(one('Array(Nullable(Float32))', [null, 1]), [2, 1, 0, 0, 0, 0x80, 0x3f]);
  assert.deepEqual(one('Map(LowCardinality(String), UInt32)', { EMAIL: 2 }), [1, 5, ...utf8('EMAIL'), 2, 0, 0, 0]);
  // Two little-endian UInt64 halves: each half's bytes reversed.
  assert.deepEqual(one('UUID', '00112233-4455-6677-8899-aabbccddeeff'), [0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88]);
  assert.deepEqual(one('Decimal(18, 10)', '0.0000000001'), [1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(decimalUnits('12.5', 10), 125_000_000_000n);
  assert.equal(decimalUnits('-0.25', 2), -25n);
  assert.throws(() => decimalUnits('0.123', 2), /more than 2 decimal places/);
  assert.throws(() => decimalUnits('1e3', 2), /not a decimal/);
});

test('a missing value takes the type default; unknown fields are listed; an unknown type is refused by name', () => {
  const enc = new RowBinaryEncoder([
    { name: 'a', type: 'String' },
    { name: 'b', type: 'Nullable(UInt8)' },
    { name: 'c', type: 'Array(String)' },
  ]);
  assert.deepEqual([...enc.encode({})], [0, 1, 0]);
  assert.equal(enc.columnList, '(`a`, `b`, `c`)');
  assert.deepEqual(enc.unknownFields({ a: 'x', extra: 1 }), ['extra']);
  assert.throws(() => new RowBinaryEncoder([{ name: 'geo', type: 'Point' }]), /column geo: .*Point is not supported/);
  for (const bad of ['not-a-uuid', '00112233-4455-6677-8899-aabbccddeefg', '00112233x4455-6677-8899-aabbccddeeff', '00112233-4455-6677-8899-aabbccddeeff0', '00112233-4455-6677-8899-aabbccddee\u0146f']) {
    assert.throws(() => one('UUID', bad), /not a UUID/, bad);
  }
});

test('rows of every event type encode against the events table, and rows never overlap across chunks', () => {
  const enc = new RowBinaryEncoder(eventColumns());
  const meta = { receivedAt: Date.now(), partition: 1, offset: '9', costUsd: '0.0100000000', priceVersion: 'v', redactions: { EMAIL: 1 } };
  const rows = Object.values(EXAMPLE_EVENTS).map((e) => {
    const r = parseEvent(e);
    assert.ok(r.ok);
    return eventToRow(r.event, meta);
  });
  const first = rows.map((r) => Buffer.from(enc.encode(r)));
  // Enough rows to fill several 1 MB chunks: each view must still hold its own row's bytes.
  const views = Array.from({ length: 3_000 }, (_, i) => enc.encode(rows[i % rows.length]!));
  views.forEach((v, i) => assert.ok(v.equals(first[i % rows.length]!), `row ${i}`));
});
