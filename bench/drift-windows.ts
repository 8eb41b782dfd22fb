// Windows for the Banking77 drift benches: a mix shift drawn so that it differs from a no-drift
// window only in the shift. Draws are without replacement from a finite pool, each pick taking a
// remaining query with probability ∝ its intent's weight (Wallenius' sequential draw). With every
// weight 1 that is exactly a uniform draw without replacement, the no-drift windows' draw, so the
// permutation nulls' exchangeability holds. An earlier draw picked the intent ∝ weight × its full
// pool count, which made shifted windows' intent counts more spread out than no-drift windows'
// even with no shift at all (a count test alarmed on 13 % of such windows at 1 %).
import { shuffled } from '../jobs/drift/vectors.ts';

/**
 * The weight that makes an intent's expected share of the window θ times the others' (Manly's
 * approximation of the Wallenius mean: an intent with weight w keeps (1 − f)^w of its queries when
 * weight-1 intents keep 1 − f). Sampling a quarter of the pool, weight θ alone would give less
 * than ×θ, because the grown intents run short of queries faster.
 */
export function weightForShare(theta: number, upCount: number, otherCount: number, size: number): number {
  if (theta === 1) return 1;
  const f = size / (otherCount + theta * upCount);
  if (theta * f >= 1) throw new Error(`a ×${theta} shift of ${upCount} pool queries does not fit a window of ${size}`);
  return Math.log(1 - theta * f) / Math.log(1 - f);
}

/** A window of `size` pool queries with the intents in `up` grown ×theta in expectation. */
export function shiftedWindow(
  poolByIntent: ReadonlyMap<string, readonly number[]>,
  up: ReadonlySet<string>,
  theta: number,
  size: number,
  random: () => number,
): number[] {
  let upCount = 0;
  let otherCount = 0;
  for (const [t, idx] of poolByIntent) up.has(t) ? (upCount += idx.length) : (otherCount += idx.length);
  const w = weightForShare(theta, upCount, otherCount, size);
  const left = [...poolByIntent].map(([t, idx]) => ({ weight: up.has(t) ? w : 1, idx: shuffled(idx, random) }));
  const out: number[] = [];
  while (out.length < size) {
    let total = 0;
    for (const l of left) total += l.weight * l.idx.length;
    let u = random() * total;
    let pick = left.findLast((l) => l.idx.length > 0)!;
    for (const l of left) {
      u -= l.weight * l.idx.length;
      if (u < 0 && l.idx.length > 0) {
        pick = l;
        break;
      }
    }
    out.push(pick.idx.pop()!);
  }
  return out;
}
