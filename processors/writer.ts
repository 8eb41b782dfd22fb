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

  /** Inserts rows already encoded as JSONEachRow lines: one copy into the body, no re-encoding. */
  insertLines(table: string, lines: Buffer[], token: string, control: InsertControl): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    const body = Buffer.concat(lines);
    return this.attempt(table, lines.length, control, async () => {
      const res = await this.client.exec({
        query: `INSERT INTO ${this.database}.${table} FORMAT JSONEachRow`,
        values: Readable.from([body], { objectMode: false }),
        clickhouse_settings: settings(token),
      });
      // An insert answers with an empty body; reading it to the end frees the socket.
      res.stream.resume();
      await finished(res.stream);
    });
  }

  private async attempt(table: string, rows: number, control: InsertControl, send: () => Promise<unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      try {
        await send();
        this.observe(table, rows, (performance.now() - t0) / 1000, true);
        if (this.outageSince !== undefined) {
          this.log.warn({ downSeconds: (Date.now() - this.outageSince) / 1000 }, 'ClickHouse is reachable again; resuming');
          this.outageSince = undefined;
        }
        return;
      } catch (err) {
        this.observe(table, rows, (performance.now() - t0) / 1000, false);
        if (this.outageSince === undefined) {
          this.outageSince = Date.now();
          // Error messages from ClickHouse may quote row data on parse errors: log the code only.
          const e = err as { code?: string; type?: string };
          this.log.warn({ table, code: e.code ?? (err as NodeJS.ErrnoException).code, type: e.type }, 'ClickHouse insert failed; pausing consumption and retrying');
        }
        if (!control.keepTrying()) throw new GaveUp(`insert into ${table} abandoned after ${attempt + 1} attempts`);
        const delay = Math.min(5_000, 200 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
        await control.onWait?.();
        await sleep(delay);
      }
    }
  }
}

/** The same token for the same rows makes a repeated insert (and its rollups) a no-op. */
function settings(token: string) {
  return {
    insert_deduplicate: 1,
    insert_deduplication_token: token,
    deduplicate_blocks_in_dependent_materialized_views: 1,
    async_insert: 0,
  } as const;
}
