import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProducer, type ProducerOptions } from './index.ts';

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
