// The new-topic test on the nearest-neighbour graph of baseline ∪ current inputs. A new intent's
// queries are paraphrases of each other, so their nearest neighbours are mostly other current
// inputs, even when they sit inside an existing topic's region (where centroid distances and cell
// counts barely move). Statistic: over current inputs whose k nearest neighbours hold at least τ
// current ones ("hot" inputs), the sum of (count − τ + 1). τ is set from the sizes alone so that
// about one hot input is expected by chance. The graph does not depend on which inputs are
// labelled current, so relabelling at random gives the exact null at any window size.
import { rng } from '../../common/random.ts';
import { dotAt, flatten, NearestLists, nearestCentroids, type Vec } from './vectors.ts';

/**
 * k nearest neighbours (squared Euclidean) of every pooled input, pooled = baseline then current.
 * Row i of the result holds the pooled indices of i's neighbours, nearest first. Brute force:
 * O(P² · d) for P pooled inputs, a few seconds for 5,000 × 384.
 */
export function pooledNeighbours(baseline: readonly Vec[], current: readonly Vec[], k: number): Int32Array {
  const { flat, norm, dim, count: P } = flatten(baseline.concat(current));
  const best = new NearestLists(P, Math.min(k, P - 1));
  for (let i = 0; i < P; i++) {
    const oi = i * dim;
    for (let j = i + 1; j < P; j++) {
      const dist = norm[i]! + norm[j]! - 2 * dotAt(flat, oi, flat, j * dim, dim);
      best.offer(i, dist, j);
      best.offer(j, dist, i);
    }
  }
  return best.index;
}

/**
 * The same graph, searched only within the `probes` cells whose centroids are nearest to each
 * input (an inverted-file index over the baseline's k-means cells): O(P · probes · P / cells · d)
 * instead of O(P² · d), for windows too large for brute force. Approximate, but built without
 * looking at which inputs are current, so the permutation null stays exact for this graph.
 */
export function probedNeighbours(baseline: readonly Vec[], current: readonly Vec[], centroids: readonly Vec[], k: number, probes: number): Int32Array {
  const pts = flatten(baseline.concat(current));
  const { flat, norm, dim, count: P } = pts;
  const C = centroids.length;
  const nProbe = Math.min(probes, C);
  const nearCells = nearestCentroids(pts, centroids, nProbe);
  const lists: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < P; i++) lists[nearCells[i * nProbe]!]!.push(i);
  const best = new NearestLists(P, Math.min(k, P - 1));
  for (let i = 0; i < P; i++) {
    const oi = i * dim;
    for (let r = 0; r < nProbe; r++) {
      for (const j of lists[nearCells[i * nProbe + r]!]!) {
        if (j !== i) best.offer(i, norm[i]! + norm[j]! - 2 * dotAt(flat, oi, flat, j * dim, dim), j);
      }
    }
  }
  return best.index;
}

/** Smallest τ with n · P(Binomial(k, q) ≥ τ) ≤ 1: about one hot input expected by chance. */
export function hotThreshold(k: number, q: number, n: number): number {
  let tail = 1;
  const pmf = (j: number) => Math.exp(lnChooseSmall(k, j) + j * Math.log(q) + (k - j) * Math.log1p(-q));
  for (let t = 0; t <= k; t++) {
    if (n * tail <= 1) return Math.max(1, t);
    tail -= pmf(t);
  }
  return k;
}

function lnChooseSmall(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}

function hotScore(neighbours: Int32Array, k: number, isCurrent: Uint8Array, members: ArrayLike<number>, tau: number): number {
  let s = 0;
  for (let m = 0; m < members.length; m++) {
    const i = members[m]!;
    let c = 0;
    for (let r = 0; r < k; r++) {
      const j = neighbours[i * k + r]!;
      if (j >= 0) c += isCurrent[j]!;
    }
    if (c >= tau) s += c - tau + 1;
  }
  return s;
}

export interface KnnTestResult {
  statistic: number;
  pValue: number;
  tau: number;
  /** Hot current inputs, as indices into the current window. */
  hot: number[];
}

/**
 * Permutation test of the hot statistic. `neighbours` is the pooled graph (k per row) with the
 * `nBaseline` baseline inputs first.
 */
export function knnTest(neighbours: Int32Array, k: number, nBaseline: number, nCurrent: number, o: { permutations: number; seed: number }): KnnTestResult {
  const P = nBaseline + nCurrent;
  const tau = hotThreshold(k, nCurrent / Math.max(1, P - 1), nCurrent);
  const isCurrent = new Uint8Array(P);
  const current = Int32Array.from({ length: nCurrent }, (_, j) => nBaseline + j);
  for (const i of current) isCurrent[i] = 1;
  const statistic = hotScore(neighbours, k, isCurrent, current, tau);
  const hot: number[] = [];
  for (const i of current) {
    let c = 0;
    for (let r = 0; r < k; r++) c += neighbours[i * k + r]! >= 0 ? isCurrent[neighbours[i * k + r]!]! : 0;
    if (c >= tau) hot.push(i - nBaseline);
  }
  const random = rng(o.seed);
  const order = Int32Array.from({ length: P }, (_, i) => i);
  const chosen = new Int32Array(nCurrent);
  const flags = new Uint8Array(P);
  let asLarge = 0;
  for (let b = 0; b < o.permutations; b++) {
    for (let i = 0; i < nCurrent; i++) {
      const j = i + Math.floor(random() * (P - i));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
      chosen[i] = order[i]!;
    }
    flags.fill(0);
    for (const i of chosen) flags[i] = 1;
    if (hotScore(neighbours, k, flags, chosen, tau) >= statistic) asLarge++;
  }
  return { statistic, pValue: (1 + asLarge) / (o.permutations + 1), tau, hot };
}
