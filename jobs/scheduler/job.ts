/**
 * What a scheduled job is. Jobs register `{ name, schedule, window(now), run(ctx) }` in
 * jobs/scheduler/builtin.ts; the runner records every run in `job_runs` keyed by job and window.
 */
import type { ClickHouseClient } from '../../common/clickhouse.ts';
import type { Config } from '../../common/config.ts';
import type { Logger } from '../../common/logger.ts';
import type { AlertDraftInput } from '../alerts/model.ts';
import type { AlertRunDeps, RunReport } from '../alerts/run.ts';
import type { AlertScope } from '../alerts/store.ts';

/** Half-open `[start, end)`, epoch ms. */
export interface JobWindow {
  start: number;
  end: number;
}

export interface JobContext {
  job: string;
  window: JobWindow;
  runId: string;
  /** Wall clock of the run (the alert lifecycle's time). */
  now: number;
  /** False for a backfill of a past window: its alerts may fire but never resolve current ones. */
  current: boolean;
  /**
   * `job/start-end`: prefix of insert_deduplication_token for rows the job writes, so a re-run of
   * the same window (manual, or after a crash) never duplicates them.
   */
  dedupToken: string;
  timeZone: string;
  config: Config;
  clickhouse: ClickHouseClient;
  database: string;
  log: Logger;
  /** Runs the alert lifecycle for everything the job found wrong in `scope`, then delivers. */
  alerts(drafts: AlertDraftInput[], scope: AlertScope): Promise<RunReport>;
  alertDeps: AlertRunDeps;
}

export interface JobDefinition {
  /** Lower-case name, the key in `job_runs` and in `jobs.schedules`. */
  name: string;
  description: string;
  /** Default cron expression (5 or 6 fields), in the scheduler's time zone; config can override. */
  schedule: string;
  /** The window a run at `now` covers: the last complete period before `now`. */
  window(now: number, timeZone: string): JobWindow;
  /** Does the work; the returned object is stored as the run's stats (JSON). */
  run(ctx: JobContext): Promise<Record<string, unknown> | void>;
}
