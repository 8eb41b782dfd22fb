/**
 * `job_runs` (migration 0005): one logical row per attempt, keyed by (job, window, run_id) in a
 * ReplacingMergeTree versioned by `updated_at`; every state change (running, heartbeat, succeeded,
 * failed, skipped) appends a newer version, and reads use FINAL.
 */
import type { ClickHouseClient } from '../../common/clickhouse.ts';
import { chTime } from '../../common/clickhouse.ts';
import type { JobWindow } from './job.ts';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface JobRunRow {
  job: string;
  window: JobWindow;
  run_id: string;
  status: RunStatus;
  started_at: number;
  finished_at: number | null;
  updated_at: number;
  host: string;
  error: string;
  stats: Record<string, unknown>;
}

interface DbRow {
  job: string;
  ws: number;
  we: number;
  run_id: string;
  status: string;
  started: number;
  finished: number | null;
  updated: number;
  host: string;
  error: string;
  stats: string;
}

const COLUMNS = `job, toUnixTimestamp64Milli(window_start) AS ws, toUnixTimestamp64Milli(window_end) AS we, toString(run_id) AS run_id, status,
  toUnixTimestamp64Milli(started_at) AS started, toUnixTimestamp64Milli(finished_at) AS finished, toUnixTimestamp64Milli(updated_at) AS updated, host, error, stats`;

function fromDb(r: DbRow): JobRunRow {
  return {
    job: r.job,
    window: { start: Number(r.ws), end: Number(r.we) },
    run_id: r.run_id,
    status: r.status as RunStatus,
    started_at: Number(r.started),
    finished_at: r.finished === null ? null : Number(r.finished),
    updated_at: Number(r.updated),
    host: r.host,
    error: r.error,
    stats: r.stats ? (JSON.parse(r.stats) as Record<string, unknown>) : {},
  };
}

export class JobRuns {
  constructor(
    private readonly ch: ClickHouseClient,
    private readonly database: string,
  ) {}

  private async select(where: string, params: Record<string, unknown>, tail = ''): Promise<JobRunRow[]> {
    const rs = await this.ch.query({ query: `SELECT ${COLUMNS} FROM ${this.database}.job_runs FINAL WHERE ${where} ${tail}`, query_params: params, format: 'JSONEachRow' });
    return (await rs.json<DbRow>()).map(fromDb);
  }

  async write(row: JobRunRow): Promise<void> {
    await this.ch.insert({
      table: `${this.database}.job_runs`,
      format: 'JSONEachRow',
      values: [
        {
          job: row.job,
          window_start: chTime(row.window.start),
          window_end: chTime(row.window.end),
          run_id: row.run_id,
          status: row.status,
          started_at: chTime(row.started_at),
          finished_at: row.finished_at === null ? null : chTime(row.finished_at),
          updated_at: chTime(row.updated_at),
          host: row.host,
          error: row.error,
          stats: JSON.stringify(row.stats),
        },
      ],
    });
  }

  /** Whether some attempt at exactly this window succeeded. */
  async succeeded(job: string, w: JobWindow): Promise<boolean> {
    const rows = await this.select(
      `job = {job:String} AND window_start = fromUnixTimestamp64Milli({ws:Int64}) AND window_end = fromUnixTimestamp64Milli({we:Int64}) AND status = 'succeeded'`,
      { job, ws: w.start, we: w.end },
      'LIMIT 1',
    );
    return rows.length > 0;
  }

  /** Attempts of `job` (any window) still running, with a heartbeat at or after `since`. */
  live(job: string, since: number): Promise<JobRunRow[]> {
    return this.select(`job = {job:String} AND status = 'running' AND updated_at >= fromUnixTimestamp64Milli({since:Int64})`, { job, since }, 'ORDER BY started_at, run_id');
  }

  /** Newest attempts first, for `lookout jobs status`. */
  recent(limit: number, job?: string): Promise<JobRunRow[]> {
    return this.select(job ? 'job = {job:String}' : '1', { job: job ?? '', limit }, 'ORDER BY started_at DESC, updated_at DESC LIMIT {limit:UInt32}');
  }
}
