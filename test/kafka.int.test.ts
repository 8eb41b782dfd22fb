import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { testStack, uniqueName } from './env.ts';

test('produce and consume with kafkajs on the local broker (idempotent, gzip, consumer group)', async () => {
  const kafka = new Kafka({ brokers: testStack().brokers, logLevel: logLevel.NOTHING });
  const topic = uniqueName('kafka_test');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  const sent = Array.from({ length: 300 }, (_, i) => ({ key: `conv-${i % 17}`, value: JSON.stringify({ i }) }));
  await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: sent });

  const consumer = kafka.consumer({ groupId: uniqueName('g') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Map<string, number[]>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${[...seen.values()].flat().length} of 300 consumed`)), 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key!.toString();
        seen.set(key, [...(seen.get(key) ?? []), JSON.parse(message.value!.toString()).i]);
        if ([...seen.values()].flat().length === sent.length) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  // Same key, same partition, in order.
  for (const [key, values] of seen) assert.deepEqual(values, [...values].sort((a, b) => a - b), `order broken for ${key}`);
  assert.equal(seen.size, 17);
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});
