// The shift test on cell counts. Under no drift, held-out baseline inputs and current inputs are
// exchangeable draws from one distribution, so shuffling which of the pooled inputs are "current"
// (a multivariate hypergeometric draw of cell counts) gives the exact null of any statistic, at any
// window size, with the uncertainty of the reference shares included. Statistics:
// - concentration: the largest signed-root likelihood ratio over every node of the cell tree (a
//   cell or any union of neighbouring cells) for "more current inputs here than the reference
//   share predicts": a new intent or a grown one piles into a few neighbouring cells;
// - spread: the sum of the squared positive signed roots over cells, for several modest rises at
//   once (a few intents ×1.5 or ×2);
// - mix: the G statistic of the topic shares (cells grouped into human-scale topics).
// The verdict uses the smallest of the three permutation p-values, itself calibrated by the same
// permutations (min-p), so the per-window false-alarm rate is at most alpha.
import { rng } from '../../common/random.ts';

/** Signed square root of the binomial likelihood-ratio statistic for x of t with expected share q. */
export function signedRoot(x: number, t: number, q: number): number {
  if (t === 0) return 0;
  const e = t * q;
  let g = 0;
  if (x > 0) g += x * Math.log(x / e);
  if (t - x > 0) g += (t - x) * Math.log((t - x) / (t - e));
  const r = Math.sqrt(Math.max(0, 2 * g));
  return x >= e ? r : -r;
}

export interface ScanLayout {
  /** Number of cells (leaves of the tree). */
  cells: number;
  /** Children of each internal node, in merge order; node id = cells + merge index. */
  merges: ReadonlyArray<readonly [number, number]>;
  /** Topic (coarse group) of each cell, for the mix statistic. */
  topicOf: ArrayLike<number>;
  topics: number;
}

export interface ScanStatistics {
  concentration: number;
  spread: number;
  mix: number;
}

export interface ScanResult {
  observed: ScanStatistics;
  /** Permutation p-value of each statistic on its own. */
  pValues: ScanStatistics;
  /** Permutation p-value of the smallest of the three p-values: the verdict's p-value. */
  pValue: number;
  permutations: number;
  /** Signed root of every node (cells first, then merges); the root is excluded from scans. */
  nodeStatistic: Float64Array;
  /** Current and pooled counts of every node. */
  nodeCurrent: Int32Array;
  nodePooled: Int32Array;
  /**
   * (1 − alpha) quantile of the permutation maximum of the node statistic: nodes above it are
   * over-represented with family-wise error at most alpha (Westfall–Young single-step max-T).
   */
  nodeThreshold: number;
}

function nodeCounts(layout: ScanLayout, leaf: ArrayLike<number>, out: Int32Array): void {
  for (let c = 0; c < layout.cells; c++) out[c] = leaf[c]!;
  layout.merges.forEach(([a, b], m) => {
    out[layout.cells + m] = out[a]! + out[b]!;
  });
}

function statistics(layout: ScanLayout, cur: Int32Array, pooled: Int32Array, q: number, nodeStat?: Float64Array): ScanStatistics {
  const nodes = layout.cells + layout.merges.length;
  // The root holds everything and carries no information; with a single cell there is no root.
  const scanned = layout.merges.length > 0 ? nodes - 1 : nodes;
  let concentration = 0;
  let spread = 0;
  for (let v = 0; v < scanned; v++) {
    const s = signedRoot(cur[v]!, pooled[v]!, q);
    if (nodeStat) nodeStat[v] = s;
    if (s > concentration) concentration = s;
    if (v < layout.cells && s > 0) spread += s * s;
  }
  const topicCur = new Float64Array(layout.topics);
  const topicPooled = new Float64Array(layout.topics);
  for (let c = 0; c < layout.cells; c++) {
    topicCur[layout.topicOf[c]!]! += cur[c]!;
    topicPooled[layout.topicOf[c]!]! += pooled[c]!;
  }
  let mix = 0;
  for (let t = 0; t < layout.topics; t++) {
    const total = topicPooled[t]!;
    if (total === 0) continue;
    const x = topicCur[t]!;
    const y = total - x;
    const ex = total * q;
    if (x > 0) mix += x * Math.log(x / ex);
    if (y > 0) mix += y * Math.log(y / (total - ex));
  }
  return { concentration, spread, mix: 2 * mix };
}

export interface ScanOptions {
  permutations: number;
  alpha: number;
  seed: number;
}

/** Run the three statistics on reference and current cell counts and calibrate them by permutation. */
export function scan(layout: ScanLayout, reference: ArrayLike<number>, current: ArrayLike<number>, o: ScanOptions): ScanResult {
  const k = layout.cells;
  const nodes = k + layout.merges.length;
  const pooledLeaf = new Int32Array(k);
  let nRef = 0;
  let nCur = 0;
  for (let c = 0; c < k; c++) {
    pooledLeaf[c] = reference[c]! + current[c]!;
    nRef += reference[c]!;
    nCur += current[c]!;
  }
  const q = nCur / (nRef + nCur);
  const pooled = new Int32Array(nodes);
  nodeCounts(layout, pooledLeaf, pooled);
  const cur = new Int32Array(nodes);
  nodeCounts(layout, current, cur);
  const nodeStatistic = new Float64Array(nodes);
  const observed = statistics(layout, cur, pooled, q, nodeStatistic);

  // Pooled inputs as a list of cell labels; a partial Fisher–Yates shuffle of its first m slots
  // draws a uniform m-subset, and the array stays a permutation, so it is reused across draws.
  const labels = new Int32Array(nRef + nCur);
  let at = 0;
  for (let c = 0; c < k; c++) for (let j = 0; j < pooledLeaf[c]!; j++) labels[at++] = c;
  const drawCurrent = nCur <= nRef;
  const m = Math.min(nCur, nRef);
  const random = rng(o.seed);
  const B = o.permutations;
  const perm = { concentration: new Float64Array(B), spread: new Float64Array(B), mix: new Float64Array(B) };
  const leaf = new Int32Array(k);
  const permCur = new Int32Array(nodes);
  for (let b = 0; b < B; b++) {
    leaf.fill(0);
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(random() * (labels.length - i));
      const t = labels[i]!;
      labels[i] = labels[j]!;
      labels[j] = t;
      leaf[labels[i]!]!++;
    }
    if (!drawCurrent) for (let c = 0; c < k; c++) leaf[c] = pooledLeaf[c]! - leaf[c]!;
    nodeCounts(layout, leaf, permCur);
    const s = statistics(layout, permCur, pooled, q);
    perm.concentration[b] = s.concentration;
    perm.spread[b] = s.spread;
    perm.mix[b] = s.mix;
  }

  const names = ['concentration', 'spread', 'mix'] as const;
  // Permutation p-value of x among the draws, counting the observed value as one of B + 1.
  const pOf = (sorted: Float64Array, x: number) => (1 + B - lowerBound(sorted, x - 1e-12)) / (B + 1);
  const sorted = Object.fromEntries(names.map((nm) => [nm, perm[nm].slice().sort()])) as Record<(typeof names)[number], Float64Array>;
  const pValues = Object.fromEntries(names.map((nm) => [nm, pOf(sorted[nm], observed[nm])])) as unknown as ScanStatistics;
  const minObserved = Math.min(...names.map((nm) => pValues[nm]));
  let asSmall = 0;
  for (let b = 0; b < B; b++) {
    const minB = Math.min(...names.map((nm) => pOf(sorted[nm], perm[nm][b]!)));
    if (minB <= minObserved + 1e-12) asSmall++;
  }
  const rank = Math.min(B - 1, Math.ceil((1 - o.alpha) * (B + 1)) - 1);
  return {
    observed,
    pValues,
    pValue: (1 + asSmall) / (B + 1),
    permutations: B,
    nodeStatistic,
    nodeCurrent: cur,
    nodePooled: pooled,
    nodeThreshold: sorted.concentration[Math.max(0, rank)]!,
  };
}

/** First index whose value is ≥ x in an ascending array. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
