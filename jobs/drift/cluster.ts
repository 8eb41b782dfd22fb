// Baseline partition: many small k-means cells (micro-clusters) and an average-linkage tree over
// their centroids. The cells are fine enough that a new intent or a grown one moves the counts of
// a few of them; the tree supplies every coarser grouping the shift test scans, and the human-scale
// topics the report names.
import { kmeans } from 'ml-kmeans';
import { rng } from '../../common/random.ts';
import { flatten, nearestCentroids, squaredDistance, type Vec } from './vectors.ts';

/**
 * Number of cells for a baseline whose shares come from `calibrationSize` inputs: about
 * `perCell` calibration inputs per cell, so a cell's reference share rests on enough counts while
 * cells stay smaller than a typical intent. Tied to size, not to a fit criterion such as
 * silhouette, which is quadratic to compute and favours coarse partitions.
 */
export function microK(calibrationSize: number, fitSize: number, perCell: number, kMax: number): number {
  return Math.max(2, Math.min(kMax, Math.floor(fitSize / 2), Math.round(calibrationSize / perCell)));
}

/**
 * k-means++ starts (D² sampling, one candidate per step): O(n · k · d). ml-kmeans's own
 * k-means++ tries several candidates per step and takes seconds for a few hundred centres.
 */
export function kmeansPlusPlus(vectors: readonly Vec[], k: number, seed: number): number[][] {
  const random = rng(seed);
  const n = vectors.length;
  const d2 = new Float64Array(n).fill(Infinity);
  const centres: number[][] = [];
  let next = Math.floor(random() * n);
  while (centres.length < Math.min(k, n)) {
    const c = Array.from(vectors[next]!);
    centres.push(c);
    let total = 0;
    for (let i = 0; i < n; i++) {
      d2[i] = Math.min(d2[i]!, squaredDistance(vectors[i]!, c));
      total += d2[i]!;
    }
    if (total === 0) break;
    let u = random() * total;
    next = n - 1;
    for (let i = 0; i < n; i++) {
      u -= d2[i]!;
      if (u < 0) {
        next = i;
        break;
      }
    }
  }
  return centres;
}

/**
 * Seeded k-means with one k-means++ start and capped iterations: for micro-clusters the partition
 * only needs to be reasonable, not optimal, and restarts multiply the cost.
 */
export function fitKMeans(vectors: readonly Vec[], k: number, seed: number, maxIterations: number): number[][] {
  const rows = vectors.map((v) => Array.from(v));
  const start = kmeansPlusPlus(vectors, k, seed);
  const res = kmeans(rows, start.length, { seed, initialization: start, maxIterations, tolerance: 1e-6 });
  // ml-kmeans can leave a centroid with no members; drop it so every cell holds baseline inputs.
  const used = [...new Set(res.clusters)].sort((a, b) => a - b);
  return used.map((c) => res.centroids[c]!);
}

export function assignAll(vectors: readonly Vec[], centroids: readonly Vec[]): Int32Array {
  return nearestCentroids(flatten(vectors), centroids, 1);
}

/**
 * Average-linkage dendrogram (Lance–Williams updates, weighted by cell sizes) over `points`.
 * Node ids: 0..n−1 are the points, n + m is the node made by merge m. `merges[m]` holds its two
 * children, and `height[m]` the linkage distance at which they joined.
 */
export interface Dendrogram {
  leaves: number;
  merges: Array<[number, number]>;
  height: number[];
}

export function dendrogram(points: readonly Vec[], weights: readonly number[]): Dendrogram {
  const n = points.length;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = Math.sqrt(squaredDistance(points[i]!, points[j]!));
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  const alive = new Array<boolean>(n).fill(true);
  const size = weights.map((w) => Math.max(1, w));
  const nodeOf = points.map((_, i) => i);
  const merges: Array<[number, number]> = [];
  const height: number[] = [];
  for (let step = 0; step < n - 1; step++) {
    let best = Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (alive[j] && d[i * n + j]! < best) {
          best = d[i * n + j]!;
          bi = i;
          bj = j;
        }
      }
    }
    for (let x = 0; x < n; x++) {
      if (!alive[x] || x === bi || x === bj) continue;
      const v = (size[bi]! * d[bi * n + x]! + size[bj]! * d[bj * n + x]!) / (size[bi]! + size[bj]!);
      d[bi * n + x] = v;
      d[x * n + bi] = v;
    }
    merges.push([nodeOf[bi]!, nodeOf[bj]!]);
    height.push(best);
    size[bi] = size[bi]! + size[bj]!;
    nodeOf[bi] = n + step;
    alive[bj] = false;
  }
  return { leaves: n, merges, height };
}

/** Leaf ids under every node of the tree, indexed by node id. */
export function nodeLeaves(tree: Dendrogram): number[][] {
  const out: number[][] = Array.from({ length: tree.leaves }, (_, i) => [i]);
  for (const [a, b] of tree.merges) out.push(out[a]!.concat(out[b]!));
  return out;
}

/** Cut the tree into `groups` groups (undoing the last merges); returns each leaf's group. */
export function cutTree(tree: Dendrogram, groups: number): number[] {
  const n = tree.leaves;
  const keep = Math.max(0, n - Math.max(1, Math.min(groups, n)));
  const parent = Array.from({ length: n + keep }, (_, i) => i);
  for (let m = 0; m < keep; m++) {
    const [a, b] = tree.merges[m]!;
    parent[a] = n + m;
    parent[b] = n + m;
  }
  const root = (x: number): number => (parent[x] === x ? x : root(parent[x]!));
  const ids = new Map<number, number>();
  return Array.from({ length: n }, (_, i) => {
    const r = root(i);
    if (!ids.has(r)) ids.set(r, ids.size);
    return ids.get(r)!;
  });
}
