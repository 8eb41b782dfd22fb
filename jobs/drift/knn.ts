// The new-topic test on the nearest-neighbour graph of baseline ∪ current inputs. A new intent's
// queries are paraphrases of each other, so their nearest neighbours are mostly other current
// inputs, even when they sit inside an existing topic's region (where centroid distances and cell
// counts barely move). "Hot" inputs have at least τ current inputs among their k nearest
// neighbours, τ set from the sizes alone so that about one hot input is expected by chance. A hot
// input also sits in a gap of the baseline when its intent is new, while one that is hot by chance
// or because an old intent grew has baseline inputs about as close as they are to each other; so
// each hot input counts (count − τ + 1) times the square of its novelty (see `novelty`). The graph
// does not depend on which inputs are labelled current, so relabelling at random gives the exact
// null at any window size.
import { rng } from '../../common/random.ts';
import { dotAt, flatten, NearestLists, nearestCentroids, type Vec } from './vectors.ts';

/**
 * The `width` nearest neighbours of every pooled input (pooled = baseline then current): row i of
 * `index` holds their pooled indices, nearest first (−1 where fewer exist), and row i of `dist`
 * their squared Euclidean distances.
 */
export interface NeighbourGraph {
  width: number;
  index: Int32Array;
  dist: Float64Array;
}

function graphOf(best: NearestLists): NeighbourGraph {
  return { width: best.k, index: best.index, dist: best.dist };
}

/**
 * k nearest neighbours (squared Euclidean) of every pooled input. Brute force: O(P² · d) for P
 * pooled inputs, a few seconds for 5,000 × 384.
 */
export function pooledNeighbours(baseline: readonly Vec[], current: readonly Vec[], k: number): NeighbourGraph {
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
  return graphOf(best);
}

/**
 * The same graph, searched only within the `probes` cells whose centroids are nearest to each
 * input (an inverted-file index over the baseline's k-means cells): O(P · probes · P / cells · d)
 * instead of O(P² · d), for windows too large for brute force. Approximate, but built without
 * looking at which inputs are current, so the permutation null stays exact for this graph.
 */
export function probedNeighbours(baseline: readonly Vec[], current: readonly Vec[], centroids: readonly Vec[], k: number, probes: number): NeighbourGraph {
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
  return graphOf(best);
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

/** Novelty weights are capped here, so a few inputs in a wide gap cannot outweigh the rest. */
export const MAX_NOVELTY = 3;

/** Distance from pooled input i to its nearest listed neighbour not labelled current (Infinity if none is listed). */
function baselineGap(graph: NeighbourGraph, isCurrent: Uint8Array, i: number): number {
  const { width, index, dist } = graph;
  for (let r = 0; r < width; r++) {
    const j = index[i * width + r]!;
    if (j < 0) break;
    if (!isCurrent[j]) return Math.sqrt(dist[i * width + r]!);
  }
  return Infinity;
}

/**
 * How far current input i sits from the baseline relative to the baseline's own spacing there: its
 * distance to the nearest non-current input over the mean of that distance for its three nearest
 * non-current neighbours, capped at MAX_NOVELTY. About 1 where current and baseline inputs mingle,
 * whatever the local density; large in a gap of the baseline. Neighbours whose own nearest
 * non-current input is not listed (they border a dense current group) say nothing about the
 * spacing and are skipped; with none left, or no non-current input listed at all, i is as novel as
 * the cap allows.
 */
export function novelty(graph: NeighbourGraph, isCurrent: Uint8Array, i: number): number {
  const { width, index } = graph;
  const gap = baselineGap(graph, isCurrent, i);
  let n = 0;
  let spacing = 0;
  for (let r = 0; r < width && n < 3; r++) {
    const j = index[i * width + r]!;
    if (j < 0) break;
    if (isCurrent[j]) continue;
    const g = baselineGap(graph, isCurrent, j);
    if (g === Infinity) continue;
    spacing += g;
    n++;
  }
  if (n === 0) return MAX_NOVELTY;
  // Exact duplicates make distances 0: 0 over 0 is as dense as the baseline, a gap over 0 the cap.
  if (spacing === 0) return gap === 0 ? 1 : MAX_NOVELTY;
  return Math.min(MAX_NOVELTY, (gap * n) / spacing);
}

function currentNeighbours(graph: NeighbourGraph, k: number, isCurrent: Uint8Array, i: number): number {
  let c = 0;
  for (let r = 0; r < k; r++) {
    const j = graph.index[i * graph.width + r]!;
    if (j >= 0) c += isCurrent[j]!;
  }
  return c;
}

function hotScore(graph: NeighbourGraph, k: number, isCurrent: Uint8Array, members: ArrayLike<number>, tau: number): number {
  let s = 0;
  for (let m = 0; m < members.length; m++) {
    const i = members[m]!;
    const c = currentNeighbours(graph, k, isCurrent, i);
    if (c >= tau) s += (c - tau + 1) * novelty(graph, isCurrent, i) ** 2;
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
 * Permutation test of the novelty-weighted hot statistic. `graph` is the pooled graph with the
 * `nBaseline` baseline inputs first; hot counts look at the first k neighbours of each row, the
 * novelty weight at the whole row (a new intent's inputs can have more than k current neighbours).
 */
export function knnTest(graph: NeighbourGraph, k: number, nBaseline: number, nCurrent: number, o: { permutations: number; seed: number }): KnnTestResult {
  if (k > graph.width) throw new Error(`hot counts need ${k} neighbours a row; the graph lists ${graph.width}`);
  const P = nBaseline + nCurrent;
  const tau = hotThreshold(k, nCurrent / Math.max(1, P - 1), nCurrent);
  const isCurrent = new Uint8Array(P);
  const current = Int32Array.from({ length: nCurrent }, (_, j) => nBaseline + j);
  for (const i of current) isCurrent[i] = 1;
  const statistic = hotScore(graph, k, isCurrent, current, tau);
  const hot: number[] = [];
  for (const i of current) if (currentNeighbours(graph, k, isCurrent, i) >= tau) hot.push(i - nBaseline);
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
    // Float weights: sums equal in exact arithmetic (say, every weight at the cap) can differ in the last bits.
    if (hotScore(graph, k, flags, chosen, tau) >= statistic - 1e-9) asLarge++;
  }
  return { statistic, pValue: (1 + asLarge) / (o.permutations + 1), tau, hot };
}
