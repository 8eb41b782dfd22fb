import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedQueue } from './queue.ts';

const item = (id: number, bytes = 10) => ({ id, bytes });

test('drop_newest refuses the newcomer once the event cap is reached', () => {
  const q = new BoundedQueue<{ id: number; bytes: number }>(3, 1000, 'drop_newest');
  for (let i = 0; i < 3; i++) assert.equal(q.push(item(i)).accepted, true);
  const r = q.push(item(3));
  assert.equal(r.accepted, false);
  assert.deepEqual(r.evicted, []);
  assert.deepEqual(q.take(10, 1e9).map((x) => x.id), [0, 1, 2]);
});

test('drop_oldest evicts from the head until the newcomer fits the byte cap', () => {
  const q = new BoundedQueue<{ id: number; bytes: number }>(100, 100, 'drop_oldest');
  q.push(item(0, 40));
  q.push(item(1, 40));
  const r = q.push(item(2, 70));
  assert.equal(r.accepted, true);
  assert.deepEqual(r.evicted.map((x) => x.id), [0, 1]);
  assert.equal(q.bytes, 70);
});

test('held (in-flight) items count against the caps until released and are never evicted', () => {
  const q = new BoundedQueue<{ id: number; bytes: number }>(2, 1000, 'drop_oldest');
  q.push(item(0));
  q.push(item(1));
  const batch = q.take(2, 1e9);
  assert.equal(q.length, 0);
  assert.equal(q.usedEvents, 2);
  assert.equal(q.push(item(2)).accepted, false, 'nothing evictable: the newcomer goes');
  q.release(batch);
  assert.equal(q.usedEvents, 0);
  assert.equal(q.push(item(3)).accepted, true);
});

test('take respects count and byte limits but always returns at least one item', () => {
  const q = new BoundedQueue<{ id: number; bytes: number }>(100, 10_000, 'drop_newest');
  for (let i = 0; i < 10; i++) q.push(item(i, 100));
  assert.equal(q.take(3, 1e9).length, 3);
  assert.equal(q.take(100, 250).length, 2);
  assert.equal(q.take(100, 1).length, 1);
  assert.equal(q.length, 4);
  assert.equal(q.peek()?.id, 6);
});

test('an item larger than the byte cap is refused even when empty', () => {
  const q = new BoundedQueue<{ id: number; bytes: number }>(10, 50, 'drop_oldest');
  assert.equal(q.push(item(0, 51)).accepted, false);
});

test('stays FIFO across many shifts (compaction)', () => {
  const q = new BoundedQueue<{ id: number; bytes: number }>(1_000_000, 1e12, 'drop_newest');
  let next = 0;
  let expect = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 500; i++) q.push(item(next++, 1));
    for (const x of q.take(300, 1e9)) assert.equal(x.id, expect++);
  }
  const rest = q.drain();
  assert.equal(rest[0]?.id, expect);
  assert.equal(rest.length, next - expect);
  assert.equal(q.bytes, 0);
});
