/** Against the real local broker: delivery, a broker outage mid-run and at start-up, shutdown. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka, stopKafka } from '../../test/stack-control.ts';
import { testStack, uniqueName } from '../../test/env.ts';
import { createProducer } from './index.ts';

const { brokers } = testStack();
const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, clientId: 'producer-int-test' });
const admin = kafka.admin();

before(() => admin.connect());
after(() => admin.disconnect());

async function newTopic(): Promise<string> {
  const topic = uniqueName('producer_int');
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  return topic;
}

/** Reads the topic from the start until `expected` distinct event ids arrived (or timeout). */
async function consume(topic: string, expected: number, timeoutMs = 60_000) {
  const consumer = kafka.consumer({ groupId: uniqueName('g') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const byKey = new Map<string, number[]>();
  const ids = new Set<string>();
  let messages = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${ids.size} of ${expected} events arrived`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages++;
          const e = JSON.parse(message.value!.toString());
          ids.add(e.event_id);
          const key = message.key!.toString();
          assert.equal(key, e.conversation_id);
          byKey.set(key, [...(byKey.get(key) ?? []), e.turn]);
          if (ids.size >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return { byKey, ids, messages };
}

const options = (topic: string) => ({ brokers, topic, service: 'int-test', tenant: 'acme', logger: null });
const ask = (conv: string, turn: number) => ({ conversation_id: conv, turn, input_text: `question ${turn}` });

// Both deliveries: kafkajs on the host's thread, and on a worker thread (kafkaThread).
for (const kafkaThread of [false, true]) {
  const mode = kafkaThread ? ' (kafkaThread)' : '';

  test(`delivers every event, keyed by conversation and in order per conversation${mode}`, async () => {
    const topic = await newTopic();
    const p = createProducer({ ...options(topic), kafkaThread });
    const ids = new Set<string>();
    for (let turn = 0; turn < 40; turn++) for (let c = 0; c < 50; c++) ids.add(p.request(ask(`conv-${c}`, turn)));
    const totals = await p.shutdown({ timeoutMs: 30_000 });
    assert.deepEqual(totals, { sent: 2000, dropped: 0, failed: 0 });
    const got = await consume(topic, 2000);
    assert.deepEqual([...got.ids].sort(), [...ids].sort());
    assert.equal(got.byKey.size, 50);
    for (const [k, turns] of got.byKey) assert.deepEqual(turns, Array.from({ length: 40 }, (_, i) => i), `order for ${k}`);
  });

  test(`broker stopped mid-run: the client buffers, then delivers the buffer once the broker is back${mode}`, async () => {
    const topic = await newTopic();
    const p = createProducer({ ...options(topic), retryMaxMs: 2000, kafkaThread });
    for (let i = 0; i < 200; i++) p.request(ask(`c${i % 10}`, i));
    assert.equal((await p.flush({ timeoutMs: 30_000 })).sent, 200);
    await stopKafka();
    try {
      for (let i = 200; i < 700; i++) p.request(ask(`c${i % 10}`, i));
      await new Promise((r) => setTimeout(r, 3000));
      const during = p.stats();
      assert.equal(during.healthy, false);
      assert.equal(during.sent, 200);
      assert.ok(during.retries > 0);
      assert.equal(during.queued + during.inFlight, 500);
    } finally {
      await startKafka();
    }
    const totals = await p.flush({ timeoutMs: 90_000 });
    assert.deepEqual(totals, { sent: 700, dropped: 0, failed: 0 });
    assert.equal(p.stats().healthy, true);
    await p.shutdown();
    const got = await consume(topic, 700);
    assert.equal(got.ids.size, 700);
  });
}

test('broker down at start-up: buffers up to the cap, drops beyond it with counters, delivers when up', async () => {
  const topic = await newTopic();
  await stopKafka();
  let p: ReturnType<typeof createProducer>;
  try {
    p = createProducer({ ...options(topic), maxQueueEvents: 300, retryMaxMs: 2000 });
    for (let i = 0; i < 400; i++) p.request(ask(`c${i % 5}`, i));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(p.stats().droppedByReason.queue_full, 100);
    assert.equal(p.stats().sent, 0);
  } finally {
    await startKafka();
  }
  const totals = await p.shutdown({ timeoutMs: 90_000 });
  assert.deepEqual(totals, { sent: 300, dropped: 100, failed: 0 });
  const got = await consume(topic, 300);
  assert.equal(got.ids.size, 300);
  for (const turns of got.byKey.values()) assert.ok(Math.max(...turns) < 300, 'the first 300 were kept');
});

test('shutdown() delivers what was queued even before a batch was due', async () => {
  const topic = await newTopic();
  const p = createProducer({ ...options(topic), lingerMs: 60_000, batchMaxEvents: 100_000 });
  for (let i = 0; i < 1234; i++) p.request(ask(`s${i % 3}`, i));
  const totals = await p.shutdown({ timeoutMs: 30_000 });
  assert.deepEqual(totals, { sent: 1234, dropped: 0, failed: 0 });
  assert.equal((await consume(topic, 1234)).ids.size, 1234);
});
