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

type It = { id: number; bytes: number };
type TestBlock = { packedCount: number; bytes: number; json: string };
/** Blocks as JSON text: what the queue does with blocks, not how they are encoded. */
const jsonPacker = (run: number, after: number) => {
  const calls = { pack: 0, unpack: 0 };
  return {
    calls,
    packer: {
      run,
      after,
      pack: (items: readonly It[]): TestBlock => (calls.pack++, { packedCount: items.length, bytes: items.reduce((s, x) => s + x.bytes, 0), json: JSON.stringify(items) }),
      unpack: (b: TestBlock): It[] => (calls.unpack++, JSON.parse(b.json) as It[]),
    },
  };
};

test('packing: runs past `after` bytes become blocks; order, counts and caps are unchanged', () => {
  const { packer, calls } = jsonPacker(100, 500);
  const q = new BoundedQueue<It, TestBlock>(100_000, 1e9, 'drop_newest', packer);
  for (let i = 0; i < 50; i++) q.push(item(i));
  q.setPacking(true);
  for (let i = 50; i < 1050; i++) q.push(item(i));
  assert.equal(q.length, 1050);
  assert.equal(q.bytes, 10_500);
  // Runs of 100 close at items 99, 199, ...: the first had nothing queued ahead of it, the 50 at
  // the end do not fill a run.
  assert.equal(calls.pack, 9, 'every full run with 500 bytes queued ahead of it');
  assert.equal(q.packedCount, 900);
  const ids: number[] = [];
  while (q.length > 0) for (const x of q.take(37, 1e9)) ids.push(x.id);
  assert.deepEqual(ids, Array.from({ length: 1050 }, (_, i) => i));
  assert.equal(q.packedCount, 0);
  assert.equal(calls.unpack, 9);
  assert.equal(q.usedEvents, 1050, 'taken items are held until released');
});

test('packing off: nothing is packed, and blocks made earlier are still unpacked in order', () => {
  const { packer, calls } = jsonPacker(10, 1);
  const q = new BoundedQueue<It, TestBlock>(1000, 1e9, 'drop_newest', packer);
  q.setPacking(true);
  for (let i = 0; i < 30; i++) q.push(item(i));
  q.setPacking(false);
  for (let i = 30; i < 60; i++) q.push(item(i));
  assert.equal(calls.pack, 2, 'the first 10 stay ahead of the runs; 20 packed while on');
  assert.equal(q.peek()?.id, 0);
  assert.deepEqual(q.drain().map((x) => x.id), Array.from({ length: 60 }, (_, i) => i));
  assert.equal(q.length, 0);
  assert.equal(q.packedCount, 0);
});

test('packing with drop_oldest: eviction unpacks the head block and drops its items one by one', () => {
  const { packer } = jsonPacker(10, 10);
  const q = new BoundedQueue<It, TestBlock>(25, 1e9, 'drop_oldest', packer);
  q.setPacking(true);
  for (let i = 0; i < 25; i++) q.push(item(i));
  assert.ok(q.packedCount >= 10);
  const r = q.push(item(25));
  assert.equal(r.accepted, true);
  assert.deepEqual(r.evicted.map((x) => x.id), [0]);
  for (let i = 26; i < 40; i++) q.push(item(i));
  assert.equal(q.length, 25);
  assert.deepEqual(q.drain().map((x) => x.id), Array.from({ length: 25 }, (_, i) => 15 + i));
});
