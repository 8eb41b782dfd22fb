/**
 * `judge` (nightly): samples the previous day's conversations, judges them, stores the scores and
 * the weighted daily quality, and raises quality alerts through the alert lifecycle.
 * Register it in jobs/scheduler/builtin.ts; override the schedule with jobs.schedules {"judge": "..."}.
 */
import type { JobContext, JobDefinition } from '../scheduler/job.ts';
import { lastDay } from '../scheduler/windows.ts';
import { dayLabel } from './conversations.ts';
import { createJudge, judgeSettingsFromConfig, pricingFor, runOptionsFromConfig } from './options.ts';
import { runJudge, type JudgeRunResult } from './run.ts';

/** What `job_runs.stats` keeps of a run: the counts, and the alert titles rather than whole drafts. */
export function runStats(r: JudgeRunResult): Record<string, unknown> {
  const { drafts, ...rest } = r;
  return { ...rest, alerts: drafts.map((d) => d.title) };
}

export async function runJudgeJob(ctx: JobContext): Promise<JudgeRunResult> {
  const judge = await createJudge(judgeSettingsFromConfig(ctx.config));
  try {
    return await runJudge(runOptionsFromConfig(ctx.config, dayLabel(ctx.window.start, ctx.timeZone), ctx.window), {
      ch: ctx.clickhouse,
      database: ctx.database,
      judge,
      pricing: pricingFor(ctx.config, judge),
      alerts: ctx.alerts,
      logger: ctx.log,
    });
  } finally {
    await judge.dispose?.();
  }
}

export const judgeJob: JobDefinition = {
  name: 'judge',
  description: "sample and judge the previous day's conversations; weighted daily quality; quality-drop alerts",
  schedule: '30 2 * * *',
  window: lastDay,
  async run(ctx) {
    return runStats(await runJudgeJob(ctx));
  },
};
