// Distributions and tests used by drift detection, written out so their numerical behaviour is
// known and tested (stats.test.ts checks them against published values).

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, ~15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export function lnChoose(n: number, k: number): number {
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
}

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITER = 10_000;

/** Regularised lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/** Regularised upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the far tail. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

function gammaSeries(a: number, x: number): number {
  let ap = a;
  let sum = 1 / a;
  let del = sum;
  for (let n = 0; n < MAX_ITER; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

// Modified Lentz evaluation of the continued fraction for Q(a, x).
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

/** P(X ≥ x) for X ~ χ²(df). */
export function chiSquaredSf(x: number, df: number): number {
  if (df <= 0) throw new RangeError('df must be positive');
  return gammaQ(df / 2, x / 2);
}

/** Standard normal upper tail P(Z ≥ z), via erfc(t) = Q(½, t²). */
export function normalSf(z: number): number {
  const tail = 0.5 * gammaQ(0.5, (z * z) / 2);
  return z >= 0 ? tail : 1 - tail;
}

export function normalCdf(z: number): number {
  return normalSf(-z);
}

/** Regularised incomplete beta I_x(a, b). */
export function betaInc(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The continued fraction converges fast only on this side of the mean.
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** P(X ≥ k) for X ~ Binomial(n, p), exact through I_p(k, n − k + 1). */
export function binomialSf(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return betaInc(p, k, n - k + 1);
}

export function betaBinomialLogPmf(k: number, n: number, a: number, b: number): number {
  return lnChoose(n, k) + lnGamma(k + a) + lnGamma(n - k + b) - lnGamma(n + a + b) - (lnGamma(a) + lnGamma(b) - lnGamma(a + b));
}

export interface BetaBinomialTerm {
  n: number;
  a: number;
  b: number;
}

/**
 * P(S ≥ x) for S a sum of independent Beta-binomial(n, a, b) counts: the number of inputs beyond
 * thresholds that were themselves estimated from a finite calibration sample. The pmf is
 * convolved only up to x − 1, so the cost stays O(terms · x · min(n, x)).
 */
export function betaBinomialSumSf(terms: readonly BetaBinomialTerm[], x: number): number {
  if (x <= 0) return 1;
  let dist = new Float64Array(x);
  dist[0] = 1;
  for (const t of terms) {
    if (t.n === 0) continue;
    const top = Math.min(t.n, x - 1);
    const pmf = new Float64Array(top + 1);
    for (let k = 0; k <= top; k++) pmf[k] = Math.exp(betaBinomialLogPmf(k, t.n, t.a, t.b));
    const next = new Float64Array(x);
    for (let s = 0; s < x; s++) {
      const ds = dist[s]!;
      if (ds === 0) continue;
      const lim = Math.min(top, x - 1 - s);
      for (let k = 0; k <= lim; k++) next[s + k]! += ds * pmf[k]!;
    }
    dist = next;
  }
  let cdf = 0;
  for (let s = 0; s < x; s++) cdf += dist[s]!;
  return Math.min(1, Math.max(0, 1 - cdf));
}

/**
 * Fisher's exact test on the 2×2 table [[a, b], [c, d]], two-sided (sum of the probabilities of
 * all tables with these margins that are no more likely than the observed one).
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const n = a + b + c + d;
  const lo = Math.max(0, col1 - (n - row1));
  const hi = Math.min(row1, col1);
  const logP = (k: number) => lnChoose(col1, k) + lnChoose(n - col1, row1 - k) - lnChoose(n, row1);
  const observed = logP(a);
  let p = 0;
  for (let k = lo; k <= hi; k++) {
    const lp = logP(k);
    // Relative tolerance so tables tied with the observed one in exact arithmetic are counted.
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

export interface ContingencyResult {
  statistic: number;
  df: number;
  pValue: number;
}

/**
 * G-test of homogeneity for a 2×K table of counts (two samples over K categories), with
 * Williams' correction, which keeps the χ² approximation calibrated when expected counts are small.
 * Categories empty in both samples are dropped.
 */
export function gTestHomogeneity(x: readonly number[], y: readonly number[]): ContingencyResult {
  const cols: Array<[number, number]> = [];
  for (let i = 0; i < x.length; i++) if (x[i]! + y[i]! > 0) cols.push([x[i]!, y[i]!]);
  const nx = cols.reduce((s, c) => s + c[0], 0);
  const ny = cols.reduce((s, c) => s + c[1], 0);
  const n = nx + ny;
  const k = cols.length;
  if (k < 2 || nx === 0 || ny === 0) return { statistic: 0, df: Math.max(0, k - 1), pValue: 1 };
  let g = 0;
  for (const [a, b] of cols) {
    const col = a + b;
    if (a > 0) g += a * Math.log((a * n) / (col * nx));
    if (b > 0) g += b * Math.log((b * n) / (col * ny));
  }
  g *= 2;
  const df = k - 1;
  const sumInvCols = cols.reduce((s, [a, b]) => s + 1 / (a + b), 0);
  const q = 1 + ((n * (1 / nx + 1 / ny) - 1) * (n * sumInvCols - 1)) / (6 * n * df);
  const statistic = g / q;
  return { statistic, df, pValue: chiSquaredSf(statistic, df) };
}

/** Benjamini–Hochberg adjusted p-values (q-values), in input order. */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((u, v) => u[0] - v[0]);
  const q = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const [p, i] = order[r]!;
    running = Math.min(running, (p * m) / (r + 1));
    q[i] = running;
  }
  return q;
}

/** Linear-interpolated quantile (type 7) of unsorted data. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}
