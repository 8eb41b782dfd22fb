/** One place that turns configuration into a ClickHouse client. */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Config } from './config.ts';

export type { ClickHouseClient };

export interface ClickHouseTarget {
  url: string;
  username?: string;
  password?: string;
  /** Omit to connect without a default database (needed before the database exists). */
  database?: string;
}

export function clickhouseTarget(config: Config, withDatabase = true): ClickHouseTarget {
  return {
    url: config.clickhouse.url,
    username: config.clickhouse.username,
    password: config.clickhouse.password,
    database: withDatabase ? config.clickhouse.database : undefined,
  };
}

export function createClickHouse(target: ClickHouseTarget, settings: Record<string, unknown> = {}): ClickHouseClient {
  return createClient({
    url: target.url,
    username: target.username ?? 'default',
    password: target.password ?? '',
    database: target.database,
    request_timeout: 60_000,
    // Errors are thrown to the caller, which reports them once; the client's own console log would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
    // Counts come back as JSON numbers whatever the server default; exact decimals are read with toString().
    clickhouse_settings: { date_time_input_format: 'best_effort', output_format_json_quote_64bit_integers: 0, ...settings },
  });
}

/** `2026-11-02 10:00:00.000`: the DateTime64(3) text form, UTC, for rows and parameters sent as text. */
export function chTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}
