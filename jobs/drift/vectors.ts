// Small dense-vector helpers. Embeddings are unit length, so dot = cosine similarity.
export type Vec = ArrayLike<number>;

export function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function squaredDistance(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

export function mean(vectors: readonly Vec[], dim: number): Float64Array {
  const m = new Float64Array(dim);
  for (const v of vectors) for (let i = 0; i < dim; i++) m[i]! += v[i]!;
  if (vectors.length > 0) for (let i = 0; i < dim; i++) m[i]! /= vectors.length;
  return m;
}

export interface Flat {
  flat: Float32Array;
  norm: Float64Array;
  dim: number;
  count: number;
}

/** Vectors as one row-major Float32Array, with their squared norms: tight loops stay monomorphic. */
export function flatten(pts: readonly Vec[]): Flat {
  const dim = pts[0]?.length ?? 0;
  const flat = new Float32Array(pts.length * dim);
  const norm = new Float64Array(pts.length);
  pts.forEach((v, i) => {
    flat.set(v, i * dim);
    norm[i] = dotAt(flat, i * dim, flat, i * dim, dim);
  });
  return { flat, norm, dim, count: pts.length };
}

/** The k best (smallest distance) candidates of every row, kept sorted by insertion. */
export class NearestLists {
  readonly dist: Float64Array;
  readonly index: Int32Array;
  constructor(
    rows: number,
    readonly k: number,
  ) {
    this.dist = new Float64Array(rows * k).fill(Infinity);
    this.index = new Int32Array(rows * k).fill(-1);
  }
  offer(row: number, dist: number, idx: number): void {
    const { k } = this;
    const o = row * k;
    if (dist >= this.dist[o + k - 1]!) return;
    let at = k - 1;
    while (at > 0 && this.dist[o + at - 1]! > dist) {
      this.dist[o + at] = this.dist[o + at - 1]!;
      this.index[o + at] = this.index[o + at - 1]!;
      at--;
    }
    this.dist[o + at] = dist;
    this.index[o + at] = idx;
  }
}

// Four running sums: V8 does not vectorise, and the independent chains run ~1.6× faster.
export function dotAt(a: Float32Array, oa: number, b: Float32Array, ob: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < n; d += 4) {
    s0 += a[oa + d]! * b[ob + d]!;
    s1 += a[oa + d + 1]! * b[ob + d + 1]!;
    s2 += a[oa + d + 2]! * b[ob + d + 2]!;
    s3 += a[oa + d + 3]! * b[ob + d + 3]!;
  }
  for (; d < n; d++) s0 += a[oa + d]! * b[ob + d]!;
  return s0 + s1 + s2 + s3;
}

/**
 * The `n` nearest centroids (squared Euclidean) of every point, nearest first: row i of the
 * result is `n` centroid indices. |c|² − 2 v·c orders centroids like the distance does.
 */
export function nearestCentroids(points: Flat, centroids: readonly Vec[], n: number): Int32Array {
  const c = flatten(centroids);
  const best = new NearestLists(points.count, Math.min(n, c.count));
  for (let i = 0; i < points.count; i++) {
    for (let j = 0; j < c.count; j++) best.offer(i, c.norm[j]! - 2 * dotAt(points.flat, i * points.dim, c.flat, j * c.dim, c.dim), j);
  }
  return best.index;
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
