/** Robust statistics shared by the cost checks. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation. */
export function mad(values: readonly number[], med = median(values)): number {
  return median(values.map((v) => Math.abs(v - med)));
}

/** MAD x 1.4826 estimates the standard deviation of normal data, so z reads like a z-score. */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Robust z of `x` against `baseline`. `minScale` floors the scale: with a flat baseline the MAD
 * is 0 and any wobble would otherwise look infinitely unusual.
 */
export function robustZ(x: number, baseline: readonly number[], minScale: number): { z: number; median: number; scale: number } {
  const med = median(baseline);
  const scale = Math.max(MAD_TO_SIGMA * mad(baseline, med), minScale);
  return { z: (x - med) / scale, median: med, scale };
}
