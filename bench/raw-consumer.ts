/**
 * The raw baseline for bench/processor-e2e.ts: consume the events topic and insert the events into
 * ClickHouse with the same batch sizes but no validation, redaction, pricing, intent markers or
 * dead letters. What Kafka + ClickHouse cost on their own on this machine. Not a product path.
 */
import { Kafka, logLevel } from 'kafkajs';
import { createClickHouse } from '../common/clickhouse.ts';
import { eventToRow } from '../processors/rows.ts';
import type { LookoutEvent } from '../schemas/events/index.ts';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const kafka = new Kafka({ brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
const ch = createClickHouse({ url: env('CLICKHOUSE_URL'), database: env('CLICKHOUSE_DATABASE') });
const consumer = kafka.consumer({ groupId: env('GROUP'), maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 250 });
await consumer.connect();
await consumer.subscribe({ topic: env('LOOKOUT_EVENTS_TOPIC'), fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    const rows = batch.messages.map((m) => {
      const e = JSON.parse(m.value!.toString()) as LookoutEvent;
      return eventToRow(e, { receivedAt: Date.now(), partition: batch.partition, offset: m.offset, costUsd: null, priceVersion: '', redactions: {} });
    });
    await ch.insert({ table: env('TABLE'), values: rows, format: 'JSONEachRow' });
  },
});
process.once('SIGTERM', () => void consumer.disconnect().then(() => process.exit(0)));
