/**
 * ClickHouse migration runner (`lookout migrate`). Numbered .sql files in this folder are applied
 * in order and recorded in `schema_migrations` with their checksum. Applied files are immutable:
 * a changed one is refused (add a new numbered file instead). The same runner works against the
 * local stack and a remote server or cluster.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClickHouse, type ClickHouseTarget } from '../../common/clickhouse.ts';

export const MIGRATIONS_DIR = dirname(fileURLToPath(import.meta.url));

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrateOptions {
  target: ClickHouseTarget;
  database: string;
  eventsTtlDays: number;
  /** Cluster name for ON CLUSTER DDL; empty on a single server. */
  cluster?: string;
  dir?: string;
  log?: (line: string) => void;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  ttlChanged: boolean;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const seen = new Map<number, string>();
  return files.map((name) => {
    const version = Number(name.slice(0, 4));
    if (seen.has(version)) throw new MigrationError(`migrations ${seen.get(version)} and ${name} share number ${version}`);
    seen.set(version, name);
    const sql = readFileSync(join(dir, name), 'utf8');
    return { version, name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** Splits a file into statements: a statement ends with ';' at the end of a line. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    if (/^\s*--/.test(line) && current.length === 0) continue;
    current.push(line);
    if (/;\s*$/.test(line)) {
      statements.push(current.join('\n').replace(/;\s*$/, '').trim());
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest) statements.push(rest);
  return statements.filter(Boolean);
}

function render(sql: string, o: MigrateOptions): string {
  const onCluster = o.cluster ? `ON CLUSTER '${o.cluster.replace(/'/g, "\\'")}'` : '';
  return sql
    .replaceAll('{{db}}', o.database)
    .replaceAll('{{on_cluster}}', onCluster)
    .replaceAll('{{events_ttl_days}}', String(o.eventsTtlDays));
}

export async function migrate(o: MigrateOptions): Promise<MigrateResult> {
  const log = o.log ?? (() => undefined);
  const migrations = loadMigrations(o.dir);
  const client = createClickHouse({ ...o.target, database: undefined });
  const onCluster = o.cluster ? ` ON CLUSTER '${o.cluster}'` : '';
  try {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${o.database}${onCluster}` });
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS ${o.database}.schema_migrations${onCluster} (
        version UInt32 COMMENT 'Number of the migration file',
        name String COMMENT 'File name',
        checksum String COMMENT 'SHA-256 of the file as applied',
        applied_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When it was applied'
      ) ENGINE = MergeTree ORDER BY version COMMENT 'Applied Lookout migrations'`,
    });
    const rows = await client.query({
      query: `SELECT version, name, checksum FROM ${o.database}.schema_migrations ORDER BY version`,
      format: 'JSONEachRow',
    });
    const applied = new Map((await rows.json<{ version: number; name: string; checksum: string }>()).map((r) => [Number(r.version), r]));

    // Check every applied file before changing anything.
    for (const m of migrations) {
      const done = applied.get(m.version);
      if (done && done.checksum !== m.checksum) {
        throw new MigrationError(
          `migration ${m.name} was changed after it was applied (recorded checksum ${done.checksum.slice(0, 12)}, file ${m.checksum.slice(0, 12)}). ` +
            'Applied migrations are immutable: restore the file and add a new numbered migration for the change.',
        );
      }
    }

    const result: MigrateResult = { applied: [], alreadyApplied: [], ttlChanged: false };
    for (const m of migrations) {
      if (applied.has(m.version)) {
        result.alreadyApplied.push(m.name);
        continue;
      }
      log(`applying ${m.name}`);
      for (const statement of splitStatements(render(m.sql, o))) {
        try {
          await client.command({ query: statement });
        } catch (err) {
          throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
        }
      }
      await client.insert({
        table: `${o.database}.schema_migrations`,
        values: [{ version: m.version, name: m.name, checksum: m.checksum }],
        format: 'JSONEachRow',
      });
      result.applied.push(m.name);
    }
    result.ttlChanged = await applyEventsTtl(client, o, log);
    return result;
  } finally {
    await client.close();
  }
}

/** The events TTL comes from config, so a changed setting is applied without a new migration. */
async function applyEventsTtl(
  client: ReturnType<typeof createClickHouse>,
  o: MigrateOptions,
  log: (line: string) => void,
): Promise<boolean> {
  const res = await client.query({
    query: 'SELECT create_table_query FROM system.tables WHERE database = {db:String} AND name = {t:String}',
    query_params: { db: o.database, t: 'events' },
    format: 'JSONEachRow',
  });
  const [row] = await res.json<{ create_table_query: string }>();
  if (!row) return false;
  // ClickHouse normalises `INTERVAL 90 DAY` to `toIntervalDay(90)`; accept either spelling.
  const current = /TTL toDateTime\(ts\) \+ (?:toIntervalDay\((\d+)\)|INTERVAL (\d+) DAY)/.exec(row.create_table_query);
  if (current && Number(current[1] ?? current[2]) === o.eventsTtlDays) return false;
  log(`setting events TTL to ${o.eventsTtlDays} days`);
  const onCluster = o.cluster ? ` ON CLUSTER '${o.cluster}'` : '';
  await client.command({
    query: `ALTER TABLE ${o.database}.events${onCluster} MODIFY TTL toDateTime(ts) + INTERVAL ${o.eventsTtlDays} DAY`,
    clickhouse_settings: { materialize_ttl_after_modify: 0 },
  });
  return true;
}
