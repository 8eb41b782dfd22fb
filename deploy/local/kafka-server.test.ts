import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newClusterId } from './kafka-server.ts';

test('cluster ids have the shape Kafka StorageTool expects', () => {
  const ids = new Set(Array.from({ length: 2_000 }, newClusterId));
  assert.equal(ids.size, 2_000);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
});
