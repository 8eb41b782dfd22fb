import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaTransport, type Compression } from './kafka-transport.ts';

const make = (compression: Compression) => new KafkaTransport({ brokers: ['127.0.0.1:9'], topic: 't', compression });

test('gzip and none need no codec; lz4, snappy and zstd refuse to start until one is registered', async () => {
  await make('gzip').close();
  await make('none').close();
  for (const name of ['lz4', 'snappy', 'zstd'] as const) {
    assert.throws(() => make(name), (e: unknown) => e instanceof TypeError && e.message.includes(`'${name}'`) && e.message.includes('CompressionCodecs'));
  }
  assert.throws(() => make('brotli' as Compression), /unknown compression 'brotli'/);
});

test('a codec registered in kafkajs CompressionCodecs is accepted', async () => {
  const codecs = kafkajs.CompressionCodecs;
  const type = kafkajs.CompressionTypes.LZ4;
  const builtin = codecs[type];
  codecs[type] = () => ({ compress: async () => Buffer.alloc(0), decompress: async () => Buffer.alloc(0) });
  try {
    await make('lz4').close();
  } finally {
    codecs[type] = builtin;
  }
});
