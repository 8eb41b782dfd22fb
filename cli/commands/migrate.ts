import type { Command } from 'commander';
import { loadConfig, type Config } from '../../common/config.ts';
import type { MigrateResult } from '../../schemas/clickhouse/migrate.ts';

export async function runMigrations(config: Config, log: (line: string) => void = console.log): Promise<MigrateResult> {
  const [{ clickhouseTarget }, { migrate }] = await Promise.all([import('../../common/clickhouse.ts'), import('../../schemas/clickhouse/migrate.ts')]);
  return migrate({
    target: clickhouseTarget(config, false),
    database: config.clickhouse.database,
    eventsTtlDays: config.retention.eventsDays,
    cluster: config.clickhouse.cluster,
    log,
  });
}

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply ClickHouse migrations (idempotent; refuses changed files)')
    .action(async () => {
      const config = loadConfig();
      const res = await runMigrations(config);
      console.log(
        `migrations: ${res.applied.length} applied, ${res.alreadyApplied.length} already applied` +
          (res.ttlChanged ? `, events TTL set to ${config.retention.eventsDays} days` : ''),
      );
    });
}
