/** The gateway end to end against the real broker: HTTP in, per-item errors out, events in Kafka. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { EXAMPLE_EVENTS } from '../../schemas/events/index.ts';
import { testStack, uniqueName } from '../../test/env.ts';
import { createProducer } from '../producer/index.ts';
import { startGateway } from './index.ts';

test('POST /v1/events and the HTTP transport land valid events in Kafka with per-item errors', async () => {
  const { brokers } = testStack();
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const topic = uniqueName('gateway_int');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();

  const gw = await startGateway({
    port: 0,
    apiKeys: [{ tenant: 'acme', key: 'int-key-1' }],
    // As `lookout gateway` runs by default (LOOKOUT_GATEWAY_KAFKA_THREAD): readyz and acks go through the thread.
    producer: { brokers, topic, kafkaThread: true },
    logger: pino({ level: 'silent' }),
  });
  try {
    const ready = await fetch(`${gw.url}/readyz`);
    assert.equal(ready.status, 200);

    const good = (i: number) => ({ ...EXAMPLE_EVENTS.response, event_id: crypto.randomUUID(), conversation_id: `g-${i}`, tenant: 'spoofed' });
    const items = [good(0), { ...good(1), latency_ms: -5 }, good(2), 'not an object', good(3)];
    const res = await fetch(`${gw.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer int-key-1', 'content-type': 'application/json' },
      body: JSON.stringify(items),
    });
    assert.equal(res.status, 207);
    const body = (await res.json()) as any;
    assert.equal(body.accepted, 3);
    assert.deepEqual(body.errors.map((e: { index: number; reason: string }) => [e.index, e.reason]), [[1, 'invalid_field'], [3, 'not_an_object']]);
    assert.equal(body.errors[0].issues[0].path, 'latency_ms');

    // The producer's HTTP transport, same API as with Kafka.
    const viaHttp = createProducer({ http: { url: gw.url, apiKey: 'int-key-1' }, service: 'py-like', tenant: 'ignored', logger: null });
    for (let i = 0; i < 50; i++) viaHttp.request({ conversation_id: `h-${i % 4}`, input_text: `q${i}`, turn: i });
    viaHttp.record({ type: 'request', conversation_id: 'h-x', input_text: 'x', ts: 123 } as never);
    const totals = await viaHttp.shutdown({ timeoutMs: 30_000 });
    assert.deepEqual(totals, { sent: 50, dropped: 1, failed: 0 });

    const consumer = kafka.consumer({ groupId: uniqueName('g') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: Record<string, unknown>[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} of 53 arrived`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(JSON.parse(message.value!.toString()));
          if (seen.length >= 53) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    assert.equal(seen.length, 53);
    assert.ok(seen.every((e) => e.tenant === 'acme'), 'the key decides the tenant');
    assert.equal(seen.filter((e) => e.service === 'py-like').length, 50);
  } finally {
    await gw.close();
  }
});
