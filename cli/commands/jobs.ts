import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import type { JobWindow } from '../../jobs/scheduler/job.ts';
import { fmtWindow, parseDateArg, parseWindowArg, windowsWithin } from '../../jobs/scheduler/windows.ts';
import { untilSignal } from '../signals.ts';

function startAction() {
  return async () => {
    const config = loadConfig();
    const log = createLogger('jobs', config.logLevel);
    const { startScheduler } = await import('../../jobs/scheduler/scheduler.ts');
    const scheduler = await startScheduler(config, log);
    console.log(`scheduler running (${config.jobs.timezone}), metrics http://127.0.0.1:${scheduler.metricsPort}/metrics`);
    for (const j of scheduler.jobs) console.log(`  ${j.job.name.padEnd(16)} ${j.schedule.padEnd(14)} ${j.job.description}`);
    await untilSignal(log, () => scheduler.stop());
  };
}

export function registerJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('scheduled jobs: run the scheduler (default), list, run one now, status');
  jobs.command('start', { isDefault: true }).description('run the job scheduler in the foreground (one per installation)').action(startAction());

  jobs
    .command('list')
    .description('registered jobs with their effective schedules')
    .action(async () => {
      const config = loadConfig();
      const { effectiveSchedules, jobsEnvironment } = await import('../../jobs/scheduler/scheduler.ts');
      const env = jobsEnvironment(config, createLogger('jobs', config.logLevel));
      console.log(`time zone ${config.jobs.timezone}`);
      for (const j of effectiveSchedules(config, env.registry)) {
        const dflt = j.schedule === j.job.schedule ? '' : ` (default ${j.job.schedule})`;
        console.log(`  ${j.job.name.padEnd(16)} ${j.schedule.padEnd(14)} ${j.job.description}${dflt}`);
      }
      return env.close();
    });

  jobs
    .command('run <name>')
    .description('run one job now: its latest window, or each of its windows within --window/--date (backfill)')
    .option('--window <start/end>', 'ISO range, e.g. 2026-11-02T00:00Z/2026-11-03T00:00Z (UTC when no zone is given)')
    .option('--date <YYYY-MM-DD>', 'one local day in jobs.timezone')
    .option('--force', 're-run windows that already succeeded')
    .action(async (name: string, opts: { window?: string; date?: string; force?: boolean }) => {
      const config = loadConfig();
      const log = createLogger('jobs', config.logLevel);
      const { jobsEnvironment } = await import('../../jobs/scheduler/scheduler.ts');
      const env = jobsEnvironment(config, log);
      try {
        const def = env.registry.get(name);
        if (!def) throw new Error(`unknown job "${name}" (jobs: ${env.registry.names().join(', ')})`);
        if (opts.window && opts.date) throw new Error('give --window or --date, not both');
        const tz = config.jobs.timezone;
        let windows: JobWindow[];
        if (opts.window || opts.date) {
          const range = opts.window ? parseWindowArg(opts.window) : parseDateArg(opts.date!, tz);
          windows = windowsWithin(def, range, tz);
          if (windows.length === 0) throw new Error(`no complete ${name} window lies within ${fmtWindow(range)}`);
        } else {
          windows = [def.window(Date.now(), tz)];
        }
        let failed = 0;
        for (const w of windows) {
          const out = await env.runner.run(def, w, { trigger: 'manual', force: opts.force ?? false });
          const detail = out.status === 'succeeded' ? `${out.durationMs} ms ${JSON.stringify(out.stats)}` : out.status === 'failed' ? out.error : out.reason === 'done' ? 'already done (--force to re-run)' : 'running elsewhere';
          console.log(`${name} ${fmtWindow(w)} ${out.status} ${detail}`);
          if (out.status === 'failed') failed++;
        }
        if (failed > 0) process.exitCode = 1;
      } finally {
        await env.close();
      }
    });

  jobs
    .command('status')
    .description('recent job runs from job_runs')
    .option('--job <name>', 'only this job')
    .option('--limit <n>', 'rows', '20')
    .action(async (opts: { job?: string; limit: string }) => {
      const config = loadConfig();
      const { jobsEnvironment } = await import('../../jobs/scheduler/scheduler.ts');
      const env = jobsEnvironment(config, createLogger('jobs', config.logLevel));
      try {
        const rows = await env.runner.runs.recent(Number(opts.limit) || 20, opts.job);
        const iso = (t: number) => new Date(t).toISOString().slice(0, 19) + 'Z';
        console.log(['JOB'.padEnd(16), 'WINDOW'.padEnd(36), 'STATUS'.padEnd(10), 'STARTED'.padEnd(21), 'TOOK'.padEnd(8), 'ERROR'].join(' '));
        for (const r of rows) {
          const took = r.finished_at === null ? '' : `${((r.finished_at - r.started_at) / 1000).toFixed(1)}s`;
          console.log([r.job.padEnd(16), fmtWindow(r.window).padEnd(36), r.status.padEnd(10), iso(r.started_at).padEnd(21), took.padEnd(8), r.error.slice(0, 120)].join(' '));
        }
      } finally {
        await env.close();
      }
    });
}
