import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createClickHouse } from '../../common/clickhouse.ts';
import { testStack, uniqueName } from '../../test/env.ts';
import { loadMigrations, migrate, MigrationError, MIGRATIONS_DIR, splitStatements } from './migrate.ts';

const url = testStack().clickhouseUrl;
const ch = createClickHouse({ url });
const databases: string[] = [];
after(async () => {
  for (const db of databases) await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
});

function freshDb(): string {
  const db = uniqueName('mig');
  databases.push(db);
  return db;
}

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

test('migrations apply once; a second run is a no-op', async () => {
  const db = freshDb();
  const all = loadMigrations().map((m) => m.name);
  const first = await migrate({ target: { url }, database: db, eventsTtlDays: 90 });
  assert.deepEqual(first.applied, all);
  const second = await migrate({ target: { url }, database: db, eventsTtlDays: 90 });
  assert.deepEqual(second.applied, []);
  assert.deepEqual(second.alreadyApplied, all);
  assert.equal(second.ttlChanged, false);
  const recorded = await rows<{ c: number }>(`SELECT count() AS c FROM ${db}.schema_migrations`);
  assert.equal(recorded[0]!.c, all.length);

  const tables = (await rows<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String}', { db })).map((r) => r.name);
  for (const t of ['events', 'kb_documents', 'dead_letters', 'alerts', 'job_runs', 'events_hourly', 'events_hourly_mv', 'kb_documents_mv']) {
    assert.ok(tables.includes(t), `missing ${t}`);
  }
});

test('every column of every Lookout table carries a COMMENT (the schema is the analysts\u2019 API)', async () => {
  const db = freshDb();
  await migrate({ target: { url }, database: db, eventsTtlDays: 90 });
  const bare = await rows<{ table: string; name: string }>(
    "SELECT table, name FROM system.columns WHERE database = {db:String} AND comment = '' AND table NOT LIKE '%_mv'",
    { db },
  );
  assert.deepEqual(bare, []);
});

test('a migration file changed after it was applied is refused, and nothing else runs', async () => {
  const db = freshDb();
  const dir = mkdtempSync(join(tmpdir(), 'lookout-mig-'));
  for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql'))) cpSync(join(MIGRATIONS_DIR, f), join(dir, f));
  await migrate({ target: { url }, database: db, eventsTtlDays: 90, dir });
  appendFileSync(join(dir, '0003_dead_letters.sql'), '\n-- an innocent-looking edit\n');
  writeFileSync(join(dir, '0999_new.sql'), `CREATE TABLE IF NOT EXISTS {{db}}.later (x UInt8 COMMENT 'x') ENGINE = MergeTree ORDER BY x;\n`);
  await assert.rejects(migrate({ target: { url }, database: db, eventsTtlDays: 90, dir }), (err: unknown) => {
    return err instanceof MigrationError && /0003_dead_letters\.sql was changed after it was applied/.test(err.message);
  });
  const later = await rows<{ c: number }>("SELECT count() AS c FROM system.tables WHERE database = {db:String} AND name = 'later'", { db });
  assert.equal(later[0]!.c, 0, 'a later migration ran despite the refusal');
});

test('the events TTL follows configuration without a new migration', async () => {
  const db = freshDb();
  await migrate({ target: { url }, database: db, eventsTtlDays: 90 });
  const res = await migrate({ target: { url }, database: db, eventsTtlDays: 14 });
  assert.equal(res.ttlChanged, true);
  const [t] = await rows<{ q: string }>("SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = 'events'", { db });
  assert.match(t!.q, /toIntervalDay\(14\)|INTERVAL 14 DAY/);
});

test('the hourly rollup sums tokens and exact costs from inserted events', async () => {
  const db = freshDb();
  await migrate({ target: { url }, database: db, eventsTtlDays: 90 });
  const base = { type: 'response', tenant: 'acme', service: 'chat', environment: 'production', model: 'm', provider: 'p', conversation_id: 'c1', received_at: '2026-11-01 10:00:00.000', status: 'ok' };
  await ch.insert({
    table: `${db}.events`,
    format: 'JSONEachRow',
    values: [
      { ...base, event_id: crypto.randomUUID(), ts: '2026-11-01 10:05:00.000', input_tokens: 100, output_tokens: 10, cost_usd: '0.0000000001', latency_ms: 100 },
      { ...base, event_id: crypto.randomUUID(), ts: '2026-11-01 10:55:00.000', input_tokens: 200, output_tokens: 20, cost_usd: '0.1000000002', latency_ms: 300, status: 'error' },
      { ...base, event_id: crypto.randomUUID(), ts: '2026-11-01 11:01:00.000', input_tokens: 5, output_tokens: 5, cost_usd: null },
    ],
  });
  const r = await rows<{ hour: string; events: number; errors: number; input_tokens: number; cost: string; unpriced: number }>(
    `SELECT hour, sum(events) AS events, sum(errors) AS errors, sum(input_tokens) AS input_tokens, toString(sum(cost_usd)) AS cost, sum(unpriced_events) AS unpriced
     FROM ${db}.events_hourly GROUP BY hour ORDER BY hour`,
  );
  assert.deepEqual(r, [
    { hour: '2026-11-01 10:00:00', events: 2, errors: 1, input_tokens: 300, cost: '0.1000000003', unpriced: 0 },
    { hour: '2026-11-01 11:00:00', events: 1, errors: 0, input_tokens: 5, cost: '0', unpriced: 1 },
  ]);
});

test('statement splitting keeps multi-line statements whole and skips leading comments', () => {
  assert.deepEqual(splitStatements('-- c\nCREATE X\n(a);\n\nSELECT 1;\n'), ['CREATE X\n(a)', 'SELECT 1']);
});
