import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { lastDay, parseDateArg } from '../../jobs/scheduler/windows.ts';

const stderr = (line: string) => process.stderr.write(`${line}\n`);

const number = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag}: expected a positive number, got "${v}"`);
  return n;
};

export function registerDriftCommands(program: Command): void {
  const drift = program.command('drift').description('input drift (emerging topics, topic mix) and knowledge rot');

  drift
    .command('evaluate')
    .description('run drift detection on two files of texts (CSV with a text column, or NDJSON with a text field); prints the JSON verdict')
    .requiredOption('--baseline <file>', 'baseline texts')
    .requiredOption('--current <file>', 'current window texts')
    .option('--field <name>', 'column or field holding the text', 'text')
    .option('--kb <file>', 'knowledge-base documents (CSV or NDJSON with doc_id, title, text): adds each topic\'s KB coverage and gaps')
    .option('--alpha <p>', 'false-alarm rate of the verdict (default 0.01)')
    .option('--seed <n>', 'seed of the sampling, k-means and permutations (default 1)')
    .action(async (flags: { baseline: string; current: string; field: string; kb?: string; alpha?: string; seed?: string }) => {
      const alpha = number(flags.alpha, '--alpha');
      const seed = number(flags.seed, '--seed');
      const { evaluateFiles } = await import('../../jobs/drift/evaluate.ts');
      const result = await evaluateFiles({
        baseline: flags.baseline,
        current: flags.current,
        field: flags.field,
        ...(flags.kb ? { kb: flags.kb } : {}),
        drift: { ...(alpha ? { alpha } : {}), ...(seed ? { seed } : {}) },
        progress: stderr,
      });
      console.log(JSON.stringify(result, null, 2));
    });

  drift
    .command('run')
    .description('per tenant, one day of inputs against the previous days: store the verdict in drift_runs/drift_clusters and raise drift and knowledge-rot alerts (prints a JSON summary)')
    .option('--tenant <id>', 'only this tenant (default: every tenant with inputs)')
    .option('--date <YYYY-MM-DD>', 'day to check, in jobs.timezone (default: yesterday)')
    .option('--no-alerts', 'print the alert drafts instead of raising them')
    .action(async (flags: { tenant?: string; date?: string; alerts: boolean }) => {
      const config = loadConfig();
      const [{ clickhouseTarget, createClickHouse }, { DRIFT_ALERT_KINDS, detectDrift, driftOptionsFromConfig }, { ClickHouseAlertStore }, { alertOptionsFromConfig }, { processAlerts }] =
        await Promise.all([
          import('../../common/clickhouse.ts'),
          import('../../jobs/drift/job.ts'),
          import('../../jobs/alerts/clickhouse-store.ts'),
          import('../../jobs/alerts/from-config.ts'),
          import('../../jobs/alerts/run.ts'),
        ]);
      const tz = config.jobs.timezone;
      const latest = lastDay(Date.now(), tz);
      const window = flags.date ? parseDateArg(flags.date, tz) : latest;
      const options = { ...driftOptionsFromConfig(config), progress: stderr, ...(flags.tenant ? { tenants: [flags.tenant] } : {}) };
      const logger = createLogger('drift', config.logLevel);
      const ch = createClickHouse(clickhouseTarget(config));
      try {
        const db = config.clickhouse.database;
        const { tenants, drafts } = await detectDrift({ clickhouse: ch, database: db }, window, options);
        const summary = {
          window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
          tenants: tenants.map((t) => ({
            tenant: t.tenant,
            run_id: t.runId,
            ...(t.skipped ? { skipped: t.skipped } : {}),
            ...(t.report ? { drift: t.report.drift, reasons: t.report.reasons, p_value: t.report.test.pValue, sizes: t.report.sizes, embedded: t.embedded } : {}),
          })),
        };
        if (!flags.alerts) {
          console.log(JSON.stringify({ ...summary, drafts }, null, 2));
          return;
        }
        const store = new ClickHouseAlertStore(ch, db);
        const scope = { kinds: DRIFT_ALERT_KINDS, ...(flags.tenant ? { tenants: [flags.tenant] } : {}) };
        // Only a run of the latest day may resolve alerts: a backfill says nothing about now.
        const report = await processAlerts(drafts, scope, { store, options: alertOptionsFromConfig(config), logger }, { resolve: window.end >= latest.end });
        console.log(JSON.stringify({ ...summary, drafts: drafts.length, alerts: report }, null, 2));
      } finally {
        await ch.close();
      }
    });
}
