import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { lastDay, parseDateArg } from '../../jobs/scheduler/windows.ts';

interface RunFlags {
  date?: string;
  seed?: string;
  sampleSize?: string;
  alerts: boolean;
}

const positive = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: expected a non-negative integer, got "${v}"`);
  return n;
};

export function registerJudgeCommands(program: Command): void {
  const judge = program.command('judge').description('LLM-as-judge and offline quality scoring of sampled conversations');
  judge
    .command('run')
    .description('sample one day of conversations, judge them, store scores and daily quality, raise quality alerts (prints the run summary as JSON)')
    .option('--date <YYYY-MM-DD>', 'day to judge, in jobs.timezone (default: yesterday)')
    .option('--seed <n>', 'sampling seed (default: judge.seed)')
    .option('--sample-size <n>', 'conversations to judge (default: judge.sampleSize)')
    .option('--no-alerts', 'compute alert drafts and print them instead of raising them')
    .action(async (flags: RunFlags) => {
      const config = loadConfig();
      const [
        { createClickHouse, clickhouseTarget },
        { ClickHouseAlertStore },
        { alertOptionsFromConfig },
        { processAlerts },
        { runStats },
        { createJudge, judgeSettingsFromConfig, pricingFor, runOptionsFromConfig },
        { runJudge },
        { dayLabel },
      ] = await Promise.all([
        import('../../common/clickhouse.ts'),
        import('../../jobs/alerts/clickhouse-store.ts'),
        import('../../jobs/alerts/from-config.ts'),
        import('../../jobs/alerts/run.ts'),
        import('../../jobs/judge/job.ts'),
        import('../../jobs/judge/options.ts'),
        import('../../jobs/judge/run.ts'),
        import('../../jobs/judge/conversations.ts'),
      ]);
      const tz = config.jobs.timezone;
      const window = flags.date ? parseDateArg(flags.date, tz) : lastDay(Date.now(), tz);
      const options = runOptionsFromConfig(config, dayLabel(window.start, tz), window);
      options.seed = positive(flags.seed, '--seed') ?? options.seed;
      options.sampleSize = positive(flags.sampleSize, '--sample-size') ?? options.sampleSize;
      const logger = createLogger('judge', config.logLevel);
      const ch = createClickHouse(clickhouseTarget(config));
      const judgeImpl = await createJudge(judgeSettingsFromConfig(config));
      try {
        const store = new ClickHouseAlertStore(ch, config.clickhouse.database);
        const alertOptions = alertOptionsFromConfig(config);
        const result = await runJudge(options, {
          ch,
          database: config.clickhouse.database,
          judge: judgeImpl,
          pricing: pricingFor(config, judgeImpl),
          logger,
          ...(flags.alerts ? { alerts: (drafts, scope) => processAlerts(drafts, scope, { store, options: alertOptions, logger }) } : {}),
        });
        console.log(JSON.stringify(flags.alerts ? runStats(result) : result, null, 2));
      } finally {
        await judgeImpl.dispose?.();
        await ch.close();
      }
    });
}
