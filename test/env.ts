/** Shared helpers for integration tests: the test stack's addresses and an isolated database each. */
import { randomBytes } from 'node:crypto';
import { createClickHouse, type ClickHouseClient } from '../common/clickhouse.ts';
import { loadConfig, type Config } from '../common/config.ts';
import { migrate } from '../schemas/clickhouse/migrate.ts';

export function testStack(): { brokers: string[]; clickhouseUrl: string } {
  const brokers = process.env.LOOKOUT_TEST_KAFKA_BROKERS;
  const clickhouseUrl = process.env.LOOKOUT_TEST_CLICKHOUSE_URL;
  if (!brokers || !clickhouseUrl) {
    throw new Error('integration tests need the test stack: run them through `npm test` (LOOKOUT_TEST_* is not set)');
  }
  return { brokers: brokers.split(','), clickhouseUrl };
}

/** A unique name so tests never see each other's topics, groups or databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Configuration pointing at the test stack, with a fresh database and topic names. */
export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  const { brokers, clickhouseUrl } = testStack();
  const id = uniqueName('t');
  return loadConfig({
    env: {
      KAFKA_BROKERS: brokers.join(','),
      CLICKHOUSE_URL: clickhouseUrl,
      CLICKHOUSE_DATABASE: `lookout_${id}`,
      LOOKOUT_EVENTS_TOPIC: `events.${id}`,
      LOOKOUT_DLQ_TOPIC: `dlq.${id}`,
      LOOKOUT_LOG_LEVEL: 'warn',
      ...overrides,
    },
    cwd: process.cwd(),
  });
}

/** Applies the migrations to the config's database and returns a client bound to it. */
export async function migratedDatabase(config: Config): Promise<ClickHouseClient> {
  await migrate({
    target: { url: config.clickhouse.url },
    database: config.clickhouse.database,
    eventsTtlDays: config.retention.eventsDays,
  });
  return createClickHouse({ url: config.clickhouse.url, database: config.clickhouse.database });
}
