/**
 * Writes batches to ClickHouse with a deduplication token, retrying with capped exponential
 * backoff for as long as it takes (the consumer pauses meanwhile instead of buffering more).
 * The same token for the same rows makes a retried or replayed insert a no-op.
 */
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ClickHouseClient } from '../common/clickhouse.ts';
import type { Logger } from '../common/logger.ts';
import { sleep } from '../deploy/local/process.ts';
import type { ColumnType } from './rowbinary.ts';

export interface InsertControl {
  /** Return false to give up (shutdown, or the partition moved to another replica). */
  keepTrying: () => boolean;
  /** Called between attempts, e.g. to heartbeat the consumer group. */
  onWait?: () => Promise<void>;
}

export class GaveUp extends Error {
  override name = 'GaveUp';
}

export class ClickHouseWriter {
  private outageSince: number | undefined;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly database: string,
    private readonly log: Logger,
    private readonly observe: (table: string, rows: number, seconds: number, ok: boolean) => void = () => undefined,
  ) {}

  /** Inserts row objects (the client encodes them). */
  insert(table: string, rows: Record<string, unknown>[], token: string, control: InsertControl): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.attempt(table, rows.length, control, () =>
      this.client.insert({ table: `${this.database}.${table}`, values: rows, format: 'JSONEachRow', clickhouse_settings: settings(token) }),
    );
  }

  /**
   * The columns an insert must provide (those without a DEFAULT), with their types, in table order:
   * what a RowBinaryEncoder is built from. Waits while ClickHouse is unreachable; a missing table
   * is an error at once.
   */
  async columns(table: string, control: InsertControl): Promise<ColumnType[]> {
    let found: ColumnType[] = [];
    await this.attempt(`system.columns(${table})`, 0, control, async () => {
      const rs = await this.client.query({
        query: `SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String} AND default_kind = '' ORDER BY position`,
        query_params: { db: this.database, table },
        format: 'JSONEachRow',
      });
      found = await rs.json<ColumnType>();
    }, false);
    if (found.length === 0) throw new Error(`table ${this.database}.${table} does not exist: run \`lookout migrate\` first`);
    return found;
  }

  /**
   * Inserts rows already encoded as RowBinary (the encoder's `columnList`). Rows encoded one after
   * another share a buffer, so the body is sent as those few stretches: no copy, no re-encoding.
   */
  insertRowBinary(table: string, columnList: string, rows: Buffer[], token: string, control: InsertControl): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const body = joinAdjacent(rows);
    return this.attempt(table, rows.length, control, async () => {
      const res = await this.client.exec({
        query: `INSERT INTO ${this.database}.${table} ${columnList} FORMAT RowBinary`,
        values: Readable.from(body, { objectMode: false }),
        clickhouse_settings: settings(token),
      });
      // An insert answers with an empty body; reading it to the end frees the socket.
      res.stream.resume();
      await finished(res.stream);
    });
  }

  /** `observe: false` for lookups, which are not inserts and stay out of the insert metrics. */
  private async attempt(table: string, rows: number, control: InsertControl, send: () => Promise<unknown>, observe = true): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      try {
        await send();
        if (observe) this.observe(table, rows, (performance.now() - t0) / 1000, true);
        if (this.outageSince !== undefined) {
          this.log.warn({ downSeconds: (Date.now() - this.outageSince) / 1000 }, 'ClickHouse is reachable again; resuming');
          this.outageSince = undefined;
        }
        return;
      } catch (err) {
        if (observe) this.observe(table, rows, (performance.now() - t0) / 1000, false);
        if (this.outageSince === undefined) {
          this.outageSince = Date.now();
          // Error messages from ClickHouse may quote row data on parse errors: log the code only.
          const e = err as { code?: string; type?: string };
          this.log.warn({ table, code: e.code ?? (err as NodeJS.ErrnoException).code, type: e.type }, 'ClickHouse request failed; pausing consumption and retrying');
        }
        if (!control.keepTrying()) throw new GaveUp(`${table}: gave up after ${attempt + 1} attempts`);
        const delay = Math.min(5_000, 200 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
        await control.onWait?.();
        await sleep(delay);
      }
    }
  }
}

/**
 * The same token for the same rows makes a repeated insert (and its rollups) a no-op.
 * optimize_on_insert=0: ReplacingMergeTree would otherwise collapse each inserted block on its key
 * as a merge does, which cost ClickHouse ~40 % of its insert CPU for `events` (1.84 vs 3.24-3.56 s
 * per 200,000 rows) and rarely finds anything: a duplicate in the block is collapsed by the next
 * merge like any other, and exact reads use FINAL anyway.
 */
function settings(token: string) {
  return {
    insert_deduplicate: 1,
    insert_deduplication_token: token,
    deduplicate_blocks_in_dependent_materialized_views: 1,
    async_insert: 0,
    optimize_on_insert: 0,
  } as const;
}

/**
 * The same bytes in fewer buffers: each run of views that follow one another in one memory block
 * becomes a single view. Copying 5,000 small rows one by one cost the processor's main thread
 * about 2 µs a row (Buffer.concat's per-buffer overhead), more than the memory copy itself.
 */
export function joinAdjacent(parts: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let first: Buffer | undefined;
  let end = 0;
  for (const b of parts) {
    if (first && b.buffer === first.buffer && b.byteOffset === end) {
      end += b.byteLength;
      continue;
    }
    if (first) out.push(Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset));
    first = b;
    end = b.byteOffset + b.byteLength;
  }
  if (first) out.push(Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset));
  return out;
}
