import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinAdjacent } from './writer.ts';

test('joinAdjacent merges views that follow one another in one block and keeps every byte in order', () => {
  const block = Buffer.from('abcdefghijkl');
  const other = Buffer.from('XYZ');
  const parts = [block.subarray(0, 3), block.subarray(3, 5), block.subarray(5, 9), other, block.subarray(10, 12), block.subarray(12, 12)];
  const joined = joinAdjacent(parts);
  assert.deepEqual(joined.map(String), ['abcdefghi', 'XYZ', 'kl']);
  assert.equal(Buffer.concat(joined).toString(), Buffer.concat(parts).toString());
  // Merged views share the block's memory: nothing was copied.
  assert.equal(joined[0]!.buffer, block.buffer);
});

test('joinAdjacent keeps views apart when they are out of order, overlap or leave a gap', () => {
  const block = Buffer.from('abcdefgh');
  const parts = [block.subarray(4, 6), block.subarray(0, 2), block.subarray(1, 3), block.subarray(5, 8)];
  assert.deepEqual(joinAdjacent(parts).map(String), ['ef', 'ab', 'bc', 'fgh']);
  assert.deepEqual(joinAdjacent([]), []);
});
