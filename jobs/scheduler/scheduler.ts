/**
 * The job scheduler (`lookout jobs`, and `npm start`): node-cron in the configured time zone,
 * every run through the JobRunner (recorded in `job_runs`, one run of a job at a time, failures
 * logged and counted without stopping the other jobs), metrics on `jobs.metricsPort`.
 *
 * Run ONE scheduler per installation. A second replica is harmless (the `running` row in
 * `job_runs` makes it skip what the first is running, and finished windows are never redone), but
 * it is not a consensus lock: see runner.ts.
 */
import type { Server } from 'node:http';
import cron, { type ScheduledTask } from 'node-cron';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { clickhouseTarget, createClickHouse, type ClickHouseClient } from '../../common/clickhouse.ts';
import { ConfigError, type Config } from '../../common/config.ts';
import type { Logger } from '../../common/logger.ts';
import { serveMetrics } from '../../processors/metrics.ts';
import { ClickHouseAlertStore } from '../alerts/clickhouse-store.ts';
import { alertOptionsFromConfig } from '../alerts/from-config.ts';
import type { AlertRunDeps } from '../alerts/run.ts';
import { costOptionsFromConfig } from '../cost/options.ts';
import { builtinJobs } from './builtin.ts';
import type { JobDefinition } from './job.ts';
import type { JobRegistry } from './registry.ts';
import { JobRunner } from './runner.ts';

export interface ScheduledJob {
  job: JobDefinition;
  /** Effective cron expression, or `off`. */
  schedule: string;
}

/** Each registered job with its effective schedule (`jobs.schedules` overrides the default). */
export function effectiveSchedules(config: Config, registry: JobRegistry): ScheduledJob[] {
  const overrides = config.jobs.schedules as Record<string, unknown>;
  for (const [name, value] of Object.entries(overrides)) {
    if (!registry.get(name)) throw new ConfigError('jobs.schedules', `jobs.schedules: unknown job "${name}" (jobs: ${registry.names().join(', ')})`);
    if (typeof value !== 'string' || (value !== 'off' && !cron.validate(value))) {
      throw new ConfigError('jobs.schedules', `jobs.schedules.${name}: expected a cron expression or "off"`);
    }
  }
  return registry.all().map((job) => ({ job, schedule: (overrides[job.name] as string | undefined) ?? job.schedule }));
}

export interface JobsEnvironment {
  runner: JobRunner;
  registry: JobRegistry;
  metrics: Registry;
  clickhouse: ClickHouseClient;
  close(): Promise<void>;
}

/**
 * Everything a run needs, validated up front so a bad channel, route, budget or schedule stops
 * start-up with the key named instead of failing at the first run.
 */
export function jobsEnvironment(config: Config, log: Logger, opts: { registry?: JobRegistry; now?: () => number; heartbeatMs?: number; staleMs?: number } = {}): JobsEnvironment {
  const registry = opts.registry ?? builtinJobs();
  effectiveSchedules(config, registry);
  costOptionsFromConfig(config);
  const metrics = new Registry();
  const clickhouse = createClickHouse(clickhouseTarget(config));
  const alertDeps: AlertRunDeps = {
    store: new ClickHouseAlertStore(clickhouse, config.clickhouse.database),
    options: alertOptionsFromConfig(config),
    logger: log,
    registry: metrics,
    ...(opts.now ? { now: opts.now } : {}),
  };
  const runner = new JobRunner({
    config, clickhouse, log, registry: metrics, alertDeps, timeZone: config.jobs.timezone,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}),
    ...(opts.staleMs ? { staleMs: opts.staleMs } : {}),
  });
  return { runner, registry, metrics, clickhouse, close: () => clickhouse.close() };
}

export interface StartOptions {
  registry?: JobRegistry;
  /** On start, run each job's latest window unless it already succeeded (default true). */
  catchUp?: boolean;
  metricsPort?: number;
  heartbeatMs?: number;
  staleMs?: number;
}

export interface RunningScheduler {
  metricsPort: number;
  jobs: ScheduledJob[];
  runner: JobRunner;
  /** Stops scheduling, waits for runs in flight, closes connections. */
  stop(): Promise<void>;
}

export async function startScheduler(config: Config, log: Logger, opts: StartOptions = {}): Promise<RunningScheduler> {
  const env = jobsEnvironment(config, log, opts);
  collectDefaultMetrics({ register: env.metrics, prefix: 'lookout_scheduler_' });
  const jobs = effectiveSchedules(config, env.registry);
  const tz = config.jobs.timezone;
  const tasks: ScheduledTask[] = [];
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  for (const { job, schedule } of jobs) {
    if (schedule === 'off') continue;
    const task = cron.schedule(
      schedule,
      // The scheduled instant, not the (slightly later) wall clock, decides the window.
      (tick) => track(env.runner.run(job, job.window(tick.date.getTime(), tz), { trigger: 'schedule' })),
      { name: `lookout-${job.name}`, timezone: tz },
    );
    tasks.push(task);
  }
  let http: { server: Server; port: number } | undefined;
  try {
    http = await serveMetrics(env.metrics, opts.metricsPort ?? config.jobs.metricsPort, '0.0.0.0');
  } catch (err) {
    for (const t of tasks) await t.destroy();
    await env.close();
    throw err;
  }
  log.info({ timezone: tz, jobs: jobs.map((j) => `${j.job.name}@${j.schedule}`), metricsPort: http.port }, 'scheduler running');
  if (opts.catchUp ?? true) {
    for (const { job, schedule } of jobs) {
      if (schedule !== 'off') track(env.runner.run(job, job.window(Date.now(), tz), { trigger: 'catch-up' }));
    }
  }
  return {
    metricsPort: http.port,
    jobs,
    runner: env.runner,
    async stop() {
      for (const t of tasks) await t.destroy();
      await Promise.allSettled([...pending]);
      await env.runner.drain();
      await new Promise<void>((resolve) => http!.server.close(() => resolve()));
      await env.close();
    },
  };
}
