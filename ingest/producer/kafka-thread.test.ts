import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createProducer, type ProducerOptions } from './index.ts';
import { ThreadedKafkaTransport } from './kafka-thread.ts';

const base: ProducerOptions = { brokers: ['127.0.0.1:9'], service: 's', tenant: 't', logger: null, kafkaThread: true };

test('kafkaThread refuses, at creation, what cannot cross to the worker thread', () => {
  assert.throws(() => createProducer({ ...base, compression: 'lz4' }), /kafkaThread supports compression 'gzip' or 'none', not 'lz4'/);
  const sasl = { mechanism: 'oauthbearer' as const, oauthBearerProvider: async () => ({ value: 'token' }) };
  assert.throws(() => createProducer({ ...base, kafka: { sasl } }), /kafka settings that are plain data/);
});

test('kafkaThread with plain settings is accepted and shuts down without a broker', async () => {
  const p = createProducer({ ...base, compression: 'none', kafka: { ssl: false } });
  assert.deepEqual(await p.shutdown({ timeoutMs: 200 }), { sent: 0, dropped: 0, failed: 0 });
});

const fixture = new URL('../../test/fixtures/failing-kafka-thread.mjs', import.meta.url);
const transport = () => new ThreadedKafkaTransport({ brokers: ['127.0.0.1:9'], topic: 't' }, fixture);

/** Records one event through the fixture thread in `mode` (see the fixture); the totals and what onError heard. */
async function throughFixture(mode: string) {
  process.env.LOOKOUT_TEST_THREAD = mode;
  const errors: string[] = [];
  const p = createProducer({ service: 's', tenant: 't', logger: null, transport: transport(), retryMaxMs: 50, onError: (e) => errors.push(e.message) });
  p.request({ conversation_id: 'c1', input_text: 'hello' });
  return { totals: await p.shutdown({ timeoutMs: 5_000 }), errors: errors.join('\n') };
}
const markerFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'kafka-thread-')), name);

test('a Kafka thread that cannot start fails the batch for good instead of retrying forever', async () => {
  const { totals, errors } = await throughFixture('broken');
  assert.deepEqual(totals, { sent: 0, dropped: 0, failed: 1 });
  assert.match(errors, /the Kafka thread could not start \(cannot load the Kafka thread\)/);
});

test('a Kafka thread that dies at work is replaced and the batch is sent again through the new one', async () => {
  const marker = markerFile('died');
  const { totals, errors } = await throughFixture(`dies-once:${marker}`);
  assert.deepEqual(totals, { sent: 1, dropped: 0, failed: 0 });
  assert.ok(existsSync(marker), 'the first thread did not die');
  assert.match(errors, /the Kafka thread stopped \(exit code 9\)/);
});

test('an error from the Kafka thread keeps its name in onError (KafkaJSConnectionError: …, as inline)', async () => {
  const { totals, errors } = await throughFixture(`refused-once:${markerFile('refused')}`);
  assert.deepEqual(totals, { sent: 1, dropped: 0, failed: 0 });
  assert.match(errors, /KafkaJSConnectionError: Connection error: connect ECONNREFUSED/);
});
