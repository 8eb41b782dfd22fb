import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyRing, RateLimiter, presentedKey } from './security.ts';

test('the key decides the tenant; unknown, empty and prefix keys are refused', () => {
  const ring = new KeyRing([{ tenant: 'acme', key: 'k-acme-123' }, { tenant: 'globex', key: 'k-globex-456' }]);
  assert.equal(ring.match('k-globex-456')?.tenant, 'globex');
  assert.equal(ring.match('k-acme-123')?.tenant, 'acme');
  assert.equal(ring.match('k-acme-12'), undefined);
  assert.equal(ring.match(''), undefined);
  assert.equal(ring.match(undefined), undefined);
  assert.notEqual(ring.match('k-acme-123')?.id, ring.match('k-globex-456')?.id);
});

test('keys come from Bearer or X-API-Key headers', () => {
  assert.equal(presentedKey({ authorization: 'Bearer abc' }), 'abc');
  assert.equal(presentedKey({ authorization: 'bearer  abc ' }), 'abc');
  assert.equal(presentedKey({ 'x-api-key': 'xyz' }), 'xyz');
  assert.equal(presentedKey({ authorization: 'Basic Zm9v' }), undefined);
});

test('token bucket: a burst passes, then requests wait for refill at the sustained rate', () => {
  let now = 0;
  const rl = new RateLimiter({ perSecond: 10, burst: 3 }, () => now);
  assert.deepEqual([rl.take('a'), rl.take('a'), rl.take('a')], [0, 0, 0]);
  assert.equal(rl.take('a'), 100);
  assert.equal(rl.take('b'), 0, 'buckets are per key');
  now = 100;
  assert.equal(rl.take('a'), 0);
  now = 10_000;
  assert.deepEqual([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a') > 0], [0, 0, 0, true], 'refill is capped at the burst');
});
