/**
 * The raw baseline for bench/processor-e2e.ts: consume the events topic and insert the events into
 * ClickHouse with the same fetch and batch sizes, row encoding and insert path as the processor,
 * but no validation, redaction, pricing, intent markers or dead letters. What Kafka + ClickHouse
 * cost on their own on this machine. Not a product path.
 */
import { Kafka, logLevel } from 'kafkajs';
import { createClickHouse } from '../common/clickhouse.ts';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { inflateInPlace } from '../processors/consumer.ts';
import { RowBinaryEncoder } from '../processors/rowbinary.ts';
import { eventToRow } from '../processors/rows.ts';
import { ClickHouseWriter } from '../processors/writer.ts';
import type { LookoutEvent } from '../schemas/events/index.ts';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const { batchMaxRows } = loadConfig({ env: process.env }).processor;
const kafka = new Kafka({ brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
const ch = createClickHouse({ url: env('CLICKHOUSE_URL'), database: env('CLICKHOUSE_DATABASE') });
const writer = new ClickHouseWriter(ch, env('CLICKHOUSE_DATABASE'), createLogger('raw-consumer', 'warn'));
const encoder = new RowBinaryEncoder(await writer.columns(env('TABLE'), { keepTrying: () => true }));
// The processor's fetch sizes and gzip handling, so both pay the same for Kafka.
inflateInPlace();
const consumer = kafka.consumer({ groupId: env('GROUP'), maxBytesPerPartition: 1024 * 1024, maxBytes: 4 * 1024 * 1024, maxWaitTimeInMs: 250 });
await consumer.connect();
await consumer.subscribe({ topic: env('LOOKOUT_EVENTS_TOPIC'), fromBeginning: true });
let inserts = 0;
const insert = (rows: Buffer[]) => writer.insertRowBinary(env('TABLE'), encoder.columnList, rows, `raw/${inserts++}`, { keepTrying: () => true });
/** Per partition, rows encoded and not yet inserted: batches fill across fetches, as the processor's do. */
const pending = new Map<number, Buffer[]>();
await consumer.run({
  eachBatch: async ({ batch }) => {
    const rows = pending.get(batch.partition) ?? [];
    pending.set(batch.partition, rows);
    for (const m of batch.messages) {
      const e = JSON.parse(m.value!.toString()) as LookoutEvent;
      rows.push(encoder.encode(eventToRow(e, { receivedAt: Date.now(), partition: batch.partition, offset: m.offset, costUsd: null, priceVersion: '', redactions: {} })));
      if (rows.length >= batchMaxRows) await insert(rows.splice(0));
    }
    // Caught up with the partition: write the rest rather than wait for more.
    if (rows.length > 0 && batch.offsetLag() === '0') await insert(rows.splice(0));
  },
});
process.once('SIGTERM', () => void consumer.disconnect().then(() => process.exit(0)));
