/**
 * Runs one job for one window, at most once at a time, and records it in `job_runs`.
 *
 *  1. In-process guard: a job already running in this process is skipped (`busy`).
 *  2. A window that already succeeded is skipped (`done`) unless forced: re-running a window, by
 *     hand or after a crash, never duplicates its output.
 *  3. Cross-process guard: if another attempt of the job has a fresh heartbeat in `job_runs`, skip.
 *     Otherwise write our `running` row, read again, and back off if another live attempt
 *     appeared meanwhile, or if the window got done meanwhile (two racing replicas may both back
 *     off; the next tick runs it). On one
 *     ClickHouse server reads see every finished insert, so two schedulers never run the same job
 *     at once; on a replicated cluster this is best effort, hence: run one scheduler.
 *  4. Heartbeats keep the row fresh; a crashed attempt stops beating and stops blocking after
 *     `staleMs`. The outcome (succeeded with stats, or failed with the error) is a newer row.
 *
 * A failing job is logged and counted and never throws out of `run`, so other jobs carry on.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ClickHouseClient } from '../../common/clickhouse.ts';
import type { Config } from '../../common/config.ts';
import type { Logger } from '../../common/logger.ts';
import { processAlerts, type AlertRunDeps } from '../alerts/run.ts';
import type { JobContext, JobDefinition, JobWindow } from './job.ts';
import { JobRuns, type JobRunRow } from './runs.ts';
import { fmtWindow } from './windows.ts';

export type RunOutcome =
  | { status: 'succeeded'; runId: string; window: JobWindow; stats: Record<string, unknown>; durationMs: number }
  | { status: 'failed'; runId: string; window: JobWindow; error: string; durationMs: number }
  | { status: 'skipped'; reason: 'busy' | 'done'; window: JobWindow };

export interface RunnerDeps {
  config: Config;
  clickhouse: ClickHouseClient;
  log: Logger;
  registry: Registry;
  alertDeps: AlertRunDeps;
  timeZone: string;
  now?: () => number;
  heartbeatMs?: number;
  /** A `running` row without a heartbeat for this long belongs to a dead process. */
  staleMs?: number;
}

export interface RunOptions {
  force?: boolean;
  trigger: 'schedule' | 'manual' | 'catch-up';
}

function runnerMetrics(registry: Registry) {
  const cached = metricsCache.get(registry);
  if (cached) return cached;
  const m = {
    runs: new Counter({ name: 'lookout_job_runs_total', help: 'Job runs by outcome (succeeded, failed, skipped_busy, skipped_done)', labelNames: ['job', 'outcome'], registers: [registry] }),
    duration: new Histogram({ name: 'lookout_job_duration_seconds', help: 'Job run duration', labelNames: ['job', 'outcome'], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600], registers: [registry] }),
    lastSuccess: new Gauge({ name: 'lookout_job_last_success_timestamp_seconds', help: 'End of the last successful run (alert when it is too old)', labelNames: ['job'], registers: [registry] }),
    running: new Gauge({ name: 'lookout_job_running', help: '1 while the job runs in this process', labelNames: ['job'], registers: [registry] }),
  };
  metricsCache.set(registry, m);
  return m;
}
// One set per registry: a second runner on the same registry (a replica in a test) shares them.
const metricsCache = new WeakMap<Registry, { runs: Counter<'job' | 'outcome'>; duration: Histogram<'job' | 'outcome'>; lastSuccess: Gauge<'job'>; running: Gauge<'job'> }>();

export class JobRunner {
  readonly runs: JobRuns;
  private readonly inFlight = new Map<string, Promise<RunOutcome>>();
  private readonly metrics;
  private readonly host = `${hostname()}:${process.pid}`;
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;

  constructor(private readonly deps: RunnerDeps) {
    this.runs = new JobRuns(deps.clickhouse, deps.config.clickhouse.database);
    this.metrics = runnerMetrics(deps.registry);
    this.now = deps.now ?? Date.now;
    this.heartbeatMs = deps.heartbeatMs ?? 15_000;
    this.staleMs = deps.staleMs ?? 4 * this.heartbeatMs;
  }

  /** Resolves when every run in flight has finished. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  run(def: JobDefinition, window: JobWindow, opts: RunOptions): Promise<RunOutcome> {
    if (this.inFlight.has(def.name)) return Promise.resolve(this.skipped(def, window, 'busy', opts, 'already running in this process'));
    const p = this.attempt(def, window, opts).finally(() => this.inFlight.delete(def.name));
    this.inFlight.set(def.name, p);
    return p;
  }

  private skipped(def: JobDefinition, window: JobWindow, reason: 'busy' | 'done', opts: RunOptions, why: string): RunOutcome {
    this.metrics.runs.inc({ job: def.name, outcome: `skipped_${reason}` });
    this.deps.log.info({ job: def.name, window: fmtWindow(window), trigger: opts.trigger, reason: why }, 'job run skipped');
    return { status: 'skipped', reason, window };
  }

  private async attempt(def: JobDefinition, window: JobWindow, opts: RunOptions): Promise<RunOutcome> {
    const log = this.deps.log.child({ job: def.name, window: fmtWindow(window) });
    const runId = randomUUID();
    const started = this.now();
    let version = started;
    const stamp = () => (version = Math.max(this.now(), version + 1));
    const row = (patch: Partial<JobRunRow>): JobRunRow => ({
      job: def.name, window, run_id: runId, status: 'running', started_at: started, finished_at: null,
      updated_at: stamp(), host: this.host, error: '', stats: {}, ...patch,
    });
    let heartbeat: NodeJS.Timeout | undefined;
    let claimed = false;
    try {
      if (!opts.force && (await this.runs.succeeded(def.name, window))) return this.skipped(def, window, 'done', opts, 'window already succeeded (use --force to re-run)');
      const live = () => this.runs.live(def.name, this.now() - this.staleMs);
      const before = await live();
      if (before.length > 0) return this.skipped(def, window, 'busy', opts, `running elsewhere (${before[0]!.host})`);
      await this.runs.write(row({}));
      const others = (await live()).filter((r) => r.run_id !== runId);
      if (others.length > 0) {
        await this.runs.write(row({ status: 'skipped', finished_at: this.now(), error: `concurrent attempt on ${others[0]!.host}` }));
        return this.skipped(def, window, 'busy', opts, `concurrent attempt on ${others[0]!.host}`);
      }
      // A racing attempt may have claimed, run and finished this window between our two reads.
      if (!opts.force && (await this.runs.succeeded(def.name, window))) {
        await this.runs.write(row({ status: 'skipped', finished_at: this.now(), error: 'finished by a concurrent attempt' }));
        return this.skipped(def, window, 'done', opts, 'finished by a concurrent attempt');
      }
      claimed = true;
      heartbeat = setInterval(() => {
        this.runs.write(row({})).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'job heartbeat failed'));
      }, this.heartbeatMs);
      heartbeat.unref();

      this.metrics.running.set({ job: def.name }, 1);
      log.info({ run_id: runId, trigger: opts.trigger }, 'job run started');
      const ctx = this.context(def, window, runId, log);
      const stats = (await def.run(ctx)) ?? {};
      clearInterval(heartbeat);
      const durationMs = this.now() - started;
      await this.runs.write(row({ status: 'succeeded', finished_at: this.now(), stats }));
      this.metrics.runs.inc({ job: def.name, outcome: 'succeeded' });
      this.metrics.duration.observe({ job: def.name, outcome: 'succeeded' }, durationMs / 1000);
      this.metrics.lastSuccess.set({ job: def.name }, this.now() / 1000);
      log.info({ run_id: runId, duration_ms: durationMs, stats }, 'job run succeeded');
      return { status: 'succeeded', runId, window, stats, durationMs };
    } catch (err) {
      clearInterval(heartbeat);
      const error = (err as Error).message?.slice(0, 2000) || String(err);
      const durationMs = this.now() - started;
      this.metrics.runs.inc({ job: def.name, outcome: 'failed' });
      this.metrics.duration.observe({ job: def.name, outcome: 'failed' }, durationMs / 1000);
      log.error({ run_id: runId, err: error, stack: (err as Error).stack }, 'job run failed');
      if (claimed) {
        await this.runs.write(row({ status: 'failed', finished_at: this.now(), error })).catch((e: unknown) => log.error({ err: (e as Error).message }, 'could not record the failed run'));
      }
      return { status: 'failed', runId, window, error, durationMs };
    } finally {
      clearInterval(heartbeat);
      this.metrics.running.set({ job: def.name }, 0);
    }
  }

  private context(def: JobDefinition, window: JobWindow, runId: string, log: Logger): JobContext {
    const now = this.now();
    const current = window.end >= def.window(now, this.deps.timeZone).end;
    const alertDeps: AlertRunDeps = { ...this.deps.alertDeps, logger: log };
    return {
      job: def.name,
      window,
      runId,
      now,
      current,
      dedupToken: `${def.name}/${window.start}-${window.end}`,
      timeZone: this.deps.timeZone,
      config: this.deps.config,
      clickhouse: this.deps.clickhouse,
      database: this.deps.config.clickhouse.database,
      log,
      alertDeps,
      alerts: (drafts, scope) => processAlerts(drafts, scope, alertDeps, { resolve: current }),
    };
  }
}
