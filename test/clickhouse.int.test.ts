import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClickHouse, type ClickHouseClient } from '../common/clickhouse.ts';
import { testStack, uniqueName } from './env.ts';

let ch: ClickHouseClient;
const db = uniqueName('chtest');

before(async () => {
  ch = createClickHouse({ url: testStack().clickhouseUrl });
  await ch.command({ query: `CREATE DATABASE ${db}` });
});
after(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
});

test('insert and query with @clickhouse/client, with query parameters', async () => {
  await ch.command({ query: `CREATE TABLE ${db}.t (tenant String, n UInt32, ts DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY (tenant, ts)` });
  await ch.insert({
    table: `${db}.t`,
    format: 'JSONEachRow',
    values: [
      { tenant: 'acme', n: 1, ts: '2026-11-01 10:00:00.000' },
      { tenant: 'acme', n: 2, ts: '2026-11-01 11:00:00.000' },
      { tenant: "o'brien", n: 40, ts: '2026-11-01 12:00:00.000' },
    ],
  });
  const res = await ch.query({
    query: `SELECT sum(n) AS total, count() AS c FROM ${db}.t WHERE tenant = {tenant:String} AND ts >= {since:DateTime64(3, 'UTC')}`,
    query_params: { tenant: "o'brien", since: '2026-11-01 00:00:00.000' },
    format: 'JSONEachRow',
  });
  assert.deepEqual(await res.json(), [{ total: 40, c: 1 }]);
});

test('insert deduplication tokens drop a repeated insert on a plain MergeTree', async () => {
  await ch.command({ query: `CREATE TABLE ${db}.d (x UInt32) ENGINE = MergeTree ORDER BY x SETTINGS non_replicated_deduplication_window = 100` });
  for (let i = 0; i < 3; i++) {
    await ch.insert({ table: `${db}.d`, format: 'JSONEachRow', values: [{ x: 1 }, { x: 2 }], clickhouse_settings: { insert_deduplication_token: 'p0-0-1' } });
  }
  const res = await ch.query({ query: `SELECT count() AS c FROM ${db}.d`, format: 'JSONEachRow' });
  assert.deepEqual(await res.json(), [{ c: 2 }]);
});

test('the native protocol port answers too', async () => {
  const { connect } = await import('node:net');
  const port = Number(process.env.LOOKOUT_TEST_CLICKHOUSE_TCP_PORT);
  const ok = await new Promise<boolean>((resolve) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  assert.ok(ok, `nothing listens on the native port ${port}`);
});
