import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rng } from '../common/random.ts';
import { shiftedWindow, weightForShare } from './drift-windows.ts';

// A pool shaped like the bench's: 70 intents of 40-80 queries, windows of a quarter of it.
const pool = new Map<string, number[]>();
let next = 0;
for (let t = 0; t < 70; t++) pool.set(`intent-${t}`, Array.from({ length: 40 + ((t * 7) % 41) }, () => next++));
const size = Math.round(next / 4);
const intentOf = new Map([...pool].flatMap(([t, idx]) => idx.map((i) => [i, t] as const)));

/** Mean per-query rate of the `up` intents over the others', across windows. */
function rateRatio(theta: number, up: Set<string>, windows: number, seed: number): number {
  const random = rng(seed);
  let upQueries = 0;
  for (const idx of pool.values()) if (up.has(intentOf.get(idx[0]!)!)) upQueries += idx.length;
  let upTaken = 0;
  for (let w = 0; w < windows; w++) {
    const win = shiftedWindow(pool, up, theta, size, random);
    assert.equal(new Set(win).size, size, 'no query twice');
    for (const i of win) if (up.has(intentOf.get(i)!)) upTaken++;
  }
  const upRate = upTaken / (windows * upQueries);
  const otherRate = (windows * size - upTaken) / (windows * (next - upQueries));
  return upRate / otherRate;
}

test('θ = 1 is the no-drift draw: weight 1, every intent at the same rate', () => {
  assert.equal(weightForShare(1, 150, 4000, 1000), 1);
  const ratio = rateRatio(1, new Set(['intent-3', 'intent-10', 'intent-41']), 300, 1);
  assert.ok(Math.abs(ratio - 1) < 0.05, `ratio ${ratio}`);
});

test('θ = 2 and 3 give the grown intents θ times the others\' rate, where weight θ alone falls short', () => {
  const up = new Set(['intent-3', 'intent-10', 'intent-41']);
  for (const theta of [2, 3]) {
    const ratio = rateRatio(theta, up, 300, theta);
    assert.ok(Math.abs(ratio - theta) < 0.08 * theta, `×${theta}: ratio ${ratio}`);
  }
  assert.ok(weightForShare(2, 150, 4000, 1000) > 2.1, 'depletion needs a weight above θ');
});

test('a shift that cannot fit the window is refused', () => {
  assert.throws(() => weightForShare(3, 1000, 3000, 2500), /does not fit a window of 2500/);
});
