import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import { ALERT_KINDS, type AlertKind } from '../../jobs/alerts/model.ts';

export function registerAlertsCommands(program: Command): void {
  const alerts = program.command('alerts').description('alert channels and recent alerts');

  alerts
    .command('test')
    .description('send a sample alert to every configured channel (ignores routes and rate limits)')
    .action(async () => {
      const [{ alertOptionsFromConfig }, { alertsTest }] = await Promise.all([import('../../jobs/alerts/from-config.ts'), import('../../jobs/alerts/cli.ts')]);
      const options = alertOptionsFromConfig(loadConfig());
      if (options.channels.length === 0) throw new Error('no alert channels configured (LOOKOUT_ALERT_CHANNELS / alerts.channels)');
      const results = await alertsTest(options);
      for (const r of results) {
        console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.channel} (${r.type}, ${r.host}) after ${r.attempts} attempt${r.attempts > 1 ? 's' : ''}${r.error ? `: ${r.error}` : ''}`);
      }
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });

  alerts
    .command('list')
    .description('recent alerts from ClickHouse: the latest state of each, newest first')
    .option('--status <status>', 'firing or resolved')
    .option('--kind <kind...>', `only these kinds (${ALERT_KINDS.join(', ')})`)
    .option('--tenant <tenant>', 'only this tenant (* for installation-wide alerts)')
    .option('--limit <n>', 'rows', '50')
    .action(async (opts: { status?: string; kind?: string[]; tenant?: string; limit: string }) => {
      if (opts.status && opts.status !== 'firing' && opts.status !== 'resolved') throw new Error('--status: firing or resolved');
      const unknown = opts.kind?.find((k) => !(ALERT_KINDS as readonly string[]).includes(k));
      if (unknown) throw new Error(`--kind: unknown kind "${unknown}"`);
      const config = loadConfig();
      const [{ clickhouseTarget, createClickHouse }, { alertsList, formatAlertList }, { ClickHouseAlertStore }] = await Promise.all([
        import('../../common/clickhouse.ts'),
        import('../../jobs/alerts/cli.ts'),
        import('../../jobs/alerts/clickhouse-store.ts'),
      ]);
      const ch = createClickHouse(clickhouseTarget(config));
      try {
        const rows = await alertsList(new ClickHouseAlertStore(ch, config.clickhouse.database), {
          ...(opts.status ? { status: opts.status as 'firing' | 'resolved' } : {}),
          ...(opts.kind ? { kinds: opts.kind as AlertKind[] } : {}),
          ...(opts.tenant ? { tenant: opts.tenant } : {}),
          limit: Number(opts.limit) || 50,
        });
        console.log(rows.length === 0 ? 'no alerts' : formatAlertList(rows));
      } finally {
        await ch.close();
      }
    });
}
