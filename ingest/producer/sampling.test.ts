import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from './backoff.ts';
import { fnv1a32, inSample } from './sampling.ts';

test('fnv1a32 matches the published test vectors', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
});

test('sampling is deterministic per conversation and close to the rate', () => {
  let kept = 0;
  for (let i = 0; i < 20_000; i++) {
    const id = `conv-${i}`;
    const a = inSample(id, 0.25);
    assert.equal(a, inSample(id, 0.25));
    if (a) kept++;
  }
  assert.ok(kept > 4500 && kept < 5500, `kept ${kept} of 20000 at 25%`);
});

test('a conversation kept at a low rate is kept at every higher rate', () => {
  for (let i = 0; i < 2000; i++) {
    const id = `c${i}`;
    if (inSample(id, 0.1)) assert.equal(inSample(id, 0.5), true);
  }
  assert.equal(inSample('x', 1), true);
  assert.equal(inSample('x', 0), false);
});

test('backoff grows exponentially, is capped, and jitters within [10%, 100%] of the ceiling', () => {
  const o = { initialMs: 100, maxMs: 5000 };
  assert.equal(backoffDelay(0, o, () => 1), 100);
  assert.equal(backoffDelay(3, o, () => 1), 800);
  assert.equal(backoffDelay(20, o, () => 1), 5000);
  assert.equal(backoffDelay(3, o, () => 0), 80);
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) seen.add(backoffDelay(4, o));
  assert.ok(seen.size > 10, 'jittered');
});
