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

/** Index of the nearest centroid (Euclidean) and the distance to it. */
export function nearest(v: Vec, centroids: readonly Vec[]): { index: number; distance: number } {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(v, centroids[c]!);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return { index: best, distance: Math.sqrt(bestD) };
}


export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
