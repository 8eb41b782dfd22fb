/**
 * `lookout process`: wires configuration into the stream processor and runs it until SIGTERM.
 */
import { createClickHouse, clickhouseTarget } from '../common/clickhouse.ts';
import type { Config } from '../common/config.ts';
import { createKafka, waitForCoordinators } from '../common/kafka.ts';
import type { Logger } from '../common/logger.ts';
import { ensureTopics } from '../common/topics.ts';
import { localSecret } from '../common/local-secrets.ts';
import { EventConsumer } from './consumer.ts';
import { PriceTable, type PriceFamilyInput } from './enrich/prices.ts';
import { processorMetrics, serveMetrics } from './metrics.ts';
import { defaultWorkers, PipelinePool, type PipelineSettings } from './pipeline-pool.ts';
import type { RedactionOptions } from './redaction/types.ts';
import { insertColumnList } from './rowbinary.ts';
import { ClickHouseWriter } from './writer.ts';

/** The configured key, or one generated once for this checkout (fine locally, not in production). */
export function redactionKey(config: Config, log: Logger): string {
  if (config.redaction.key) return config.redaction.key;
  const { value, file } = localSecret('redaction.key', 32);
  log.warn({ file }, 'LOOKOUT_REDACTION_KEY is not set: using the generated key in this file; set your own secret in production');
  return value;
}

export function redactionOptions(config: Config, log: Logger): RedactionOptions {
  return {
    key: redactionKey(config, log),
    keyId: config.redaction.keyId,
    operators: config.redaction.operators as RedactionOptions['operators'],
    fields: config.redaction.fields as RedactionOptions['fields'],
  };
}

export interface RunningProcessor {
  metricsPort: number;
  consumer: EventConsumer;
  stop(): Promise<void>;
}

export async function startProcessor(config: Config, log: Logger): Promise<RunningProcessor> {
  const metrics = processorMetrics();
  const prices = new PriceTable({ overrides: config.prices.overrides as PriceFamilyInput[], registry: metrics.registry });
  const kafka = createKafka(config, log, 'processor');
  const clickhouse = createClickHouse(clickhouseTarget(config));
  // Rows are encoded for the table as it is on the server, so its schema is the one source of truth.
  const [, columns] = await Promise.all([
    ensureTopics(kafka, config).then(() => waitForCoordinators(config, config.processor.groupId, 30_000)),
    new ClickHouseWriter(clickhouse, config.clickhouse.database, log).columns('events', { keepTrying: () => true }),
  ]);
  const settings: PipelineSettings = {
    redaction: redactionOptions(config, log),
    priceOverrides: config.prices.overrides as PriceFamilyInput[],
    retentionDays: config.retention.eventsDays,
    columns,
  };
  const pool = new PipelinePool(settings, prices, config.processor.workers ?? defaultWorkers(), {
    onCrash: (exitCode) => {
      metrics.workerRestarts.inc();
      log.error({ exitCode }, 'a pipeline worker thread died; replacing it and sending its chunks again');
    },
  });
  const consumer = new EventConsumer({
    kafka,
    topic: config.kafka.eventsTopic,
    deadLetterTopic: config.kafka.deadLetterTopic,
    groupId: config.processor.groupId,
    clickhouse,
    database: config.clickhouse.database,
    pipeline: pool,
    eventColumns: insertColumnList(columns),
    batch: { maxRows: config.processor.batchMaxRows, maxBytes: config.processor.batchMaxBytes, maxWaitMs: config.processor.batchMaxWaitMs },
    log,
    metrics,
  });
  const http = await serveMetrics(metrics.registry, config.processor.metricsPort, '0.0.0.0', () => consumer.healthy);
  // The workers warm up while the consumer joins its group: fetched chunks wait for a warmed
  // worker, so nothing runs cold, and a restart reaches its first insert about a second sooner.
  const warm = performance.now();
  const warming = pool.start().then((warmed) => log.info({ ...warmed, workers: pool.size, ms: Math.round(performance.now() - warm) }, 'pipeline warmed up'));
  try {
    await Promise.all([warming, consumer.start()]);
  } catch (err) {
    // Nothing was committed: chunks only reach a worker once it has warmed up.
    await Promise.allSettled([warming, consumer.stop(), pool.stop()]);
    await clickhouse.close();
    http.server.close();
    throw err;
  }
  log.info({ topic: config.kafka.eventsTopic, group: config.processor.groupId, metricsPort: http.port }, 'processor running');
  return {
    metricsPort: http.port,
    consumer,
    stop: async () => {
      await consumer.stop();
      await pool.stop();
      await clickhouse.close();
      http.server.close();
    },
  };
}
