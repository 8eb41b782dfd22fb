// How far can ANY drift detector get on bench/drift-banking77.ts's "3 intents ×θ" mix shift? A
// ceiling from intent counts, on Banking77's true intent labels only (no embeddings, no model).
//
// Two samplings. "bench": drift-banking77.ts's own: per seed 6 random intents are held out (the bench
// holds out a neighbouring group + 3 others), the rest shuffled, the first `reference` queries form
// the reference and the remainder the pool; a no-drift window is a uniform draw from the pool
// without replacement; a ×θ window is shiftedWindow() of bench/drift-windows.ts: 3 random pool
// intents get the weight that makes their expected share θ times the others', and each pick takes a
// remaining query ∝ its intent's weight (Wallenius' draw without replacement). "×1" is the same call
// with θ = 1, i.e. the no-drift draw again: every statistic should alarm on about 1 % of it. (The
// bench's earlier ×θ draw was more dispersed than its no-drift windows, which flattered count tests.)
// "multinomial": reference and windows drawn independently with replacement from the known set's
// intent shares, ×θ multiplying 3 random intents' shares (renormalised), as in production.
//
// Per window: the bench's oracle statistics (G, max signed root, top-3 squared positive roots;
// drift-oracle.ts) and mixture likelihood ratios for "3 intents drawn uniformly at
// random are ×θ", each the mean over the C(K,3) triples S (a: window counts, b: reference counts,
// m = a + b, q = n / (n + reference)):
//   mix   Π_{i∈S} θ^a_i (1−q+qθ)^−m_i, the conditional binomial LR (e3 of the L_i by recurrence);
//   cond  θ^a_S / E[θ^A], A ~ hypergeometric(n + reference, m_S, n): the exact LR given m when
//         reference and window are independent multinomial samples, so there the most powerful test
//         whose false-alarm rate does not depend on the unknown intent shares. Given m, no-drift
//         window counts are this same hypergeometric in the bench mode too;
//   np    multinomial mode only: the exact LR given the true shares, i.e. a test with an infinite
//         reference: a bound for ANY method.
// Each statistic alarms above its 99th percentile over the no-drift windows (the bench's rule);
// detection rates carry 95 % Wilson intervals. By Neyman–Pearson, in the multinomial mode the LR
// tests maximise the detection rate averaged over which 3 intents grew, at their false-alarm rate,
// with θ known. Wallenius' distribution has no closed form, so no statistic here is the exact LR of
// the bench's draw: bench-mode rates are what these tests reach, not a proven bound. `grown`: the
// mean over windows of the grown intents' window count over its no-shift expectation (n × their
// share of the pool, or of the known set), and of their per-query rate over the other intents'.
// A ×θ that cannot fit a bench window (θ × the grown intents' expected share ≥ the pool's) is not
// drawn in that cell.
// The main configuration (reference 5,000, windows 1,000) runs with --seeds/--null/--drift; the
// --grid cells (mode:reference:window) with the --grid-* counts.
// Usage: nice -n 19 node --import tsx bench/drift-mix-ceiling.ts [--seeds 50] [--null 100] [--drift 40]
//        [--grid bench:5000:500,multinomial:20000:2000,...] [--grid-seeds 20] [--grid-null 100] [--grid-drift 40]
// Writes bench/results/drift-mix-ceiling.json.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { rng } from '../common/random.ts';
import { parseCsv } from '../jobs/drift/evaluate.ts';
import { shuffled } from '../jobs/drift/vectors.ts';
import { shiftedWindow } from './drift-windows.ts';
import { oracleStatistics } from './drift-oracle.ts';
import { save } from './producer-common.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '50' },
    null: { type: 'string', default: '100' },
    drift: { type: 'string', default: '40' },
    grid: { type: 'string', default: 'bench:5000:250,bench:5000:500,bench:3000:1000,bench:5000:1500,bench:5000:1750,bench:5000:2000,bench:3000:1500,bench:3000:2000,bench:3000:2500,bench:3000:3000,multinomial:3000:1000,multinomial:5000:1500,multinomial:5000:1750,multinomial:5000:2000,multinomial:10000:1000,multinomial:10000:1500,multinomial:10000:1750,multinomial:50000:1250' },
    'grid-seeds': { type: 'string', default: '20' },
    'grid-null': { type: 'string', default: '100' },
    'grid-drift': { type: 'string', default: '40' },
  },
});
const ALPHA = 0.01;
const SEED_BASE = 9000;
const FACTORS = [1.5, 2, 3];
const HELD_OUT = 6;
const UP = 3;

const rows = parseCsv(readFileSync(new URL('../../shared/data/banking77/train.csv', import.meta.url), 'utf8')).slice(1);
const intentNames = [...new Set(rows.map((r) => r[1]!))].sort();
const labelOf = rows.map((r) => intentNames.indexOf(r[1]!));
const K_ALL = intentNames.length;

/** log k!, from a table grown on demand (the hypergeometric sums call it millions of times; stats.ts's lnChoose goes through lnGamma). */
let logFactTable = new Float64Array(1);
function logFact(k: number): number {
  if (k >= logFactTable.length) {
    const next = new Float64Array(Math.max(k + 1, 2 * logFactTable.length));
    next.set(logFactTable);
    for (let i = logFactTable.length; i < next.length; i++) next[i] = next[i - 1]! + Math.log(i);
    logFactTable = next;
  }
  return logFactTable[k]!;
}
const lse = (x: number, y: number) => (x === -Infinity ? y : y === -Infinity ? x : Math.max(x, y) + Math.log1p(Math.exp(-Math.abs(x - y))));
const logChoose = (n: number, k: number) => logFact(n) - logFact(k) - logFact(n - k);

type Mode = 'bench' | 'multinomial';
type Stat = 'g' | 'max' | 'top3' | `${'mix' | 'cond' | 'np'}${number}`;
/** np, the known-shares LR, only in the multinomial mode. */
const statsOf = (mode: Mode): Stat[] => ['g', 'max', 'top3', ...(mode === 'bench' ? (['mix', 'cond'] as const) : (['mix', 'cond', 'np'] as const)).flatMap((k) => FACTORS.map((f) => `${k}${f}` as Stat))];

/** s ↦ log E[θ^A] for A hypergeometric (s marked among M, n drawn), memoised per (M, n, θ). */
const tiltTables = new Map<string, number[]>();
function hyperTilt(M: number, n: number, theta: number): (s: number) => number {
  const key = `${M}:${n}:${theta}`;
  if (!tiltTables.has(key)) tiltTables.set(key, []);
  const memo = tiltTables.get(key)!;
  return (s) => {
    let h = memo[s];
    if (h === undefined) {
      h = -Infinity;
      for (let x = Math.max(0, n - (M - s)); x <= Math.min(s, n); x++) h = lse(h, logChoose(s, x) + logChoose(M - s, n - x) - logChoose(M, n) + x * Math.log(theta));
      memo[s] = h;
    }
    return h;
  };
}

/**
 * log of the mean over triples S of the eligible intents (c_i > 0 unless `zeros`) of
 * θ^{a_S} · exp(logF(c_S)), c_S = Σ_{i∈S} c_i (integers). The triples are grouped by c_S with the
 * dynamic programme G_k[s] = Σ_{|S|=k, c_S=s} θ^{a_S − k·max a}.
 */
function tripleMean(a: Int32Array, c: Int32Array, known: readonly number[], theta: number, logF: (s: number) => number, zeros: boolean): number {
  const lt = Math.log(theta);
  const eligible = known.filter((t) => zeros || c[t]! > 0);
  const top = eligible.map((t) => c[t]!).sort((x, y) => y - x);
  const sMax = top.slice(0, UP).reduce((s, x) => s + x, 0);
  let aMax = 0;
  for (const t of eligible) aMax = Math.max(aMax, a[t]!);
  const G = Array.from({ length: UP + 1 }, () => new Float64Array(sMax + 1));
  G[0]![0] = 1;
  let reach = 0;
  for (const t of eligible) {
    const p = c[t]!;
    const w = Math.exp((a[t]! - aMax) * lt);
    reach = Math.min(sMax, reach + p);
    for (let k = UP; k >= 1; k--) {
      const from = G[k - 1]!;
      const to = G[k]!;
      for (let s = reach; s >= p; s--) if (from[s - p]! > 0) to[s]! += from[s - p]! * w;
    }
  }
  let sum = -Infinity;
  const g3 = G[UP]!;
  for (let s = 0; s <= sMax; s++) if (g3[s]! > 0) sum = lse(sum, Math.log(g3[s]!) + logF(s));
  return sum + UP * aMax * lt - logChoose(eligible.length, UP);
}

/**
 * The statistics of one window. a: window counts, b: reference counts, known: the intents not held
 * out, shares: the known set's counts (multinomial mode, for np).
 */
function statistics(mode: Mode, a: Int32Array, b: Int32Array, shares: Int32Array, known: readonly number[], n: number, refTotal: number): Partial<Record<Stat, number>> {
  const out: Partial<Record<Stat, number>> = {};
  const o = oracleStatistics(a, b, n, refTotal);
  const q = n / (n + refTotal);
  out.g = o.g;
  out.max = o.max;
  out.top3 = o.top3;

  const m = new Int32Array(K_ALL);
  for (let t = 0; t < K_ALL; t++) m[t] = a[t]! + b[t]!;
  let total = 0;
  for (const t of known) total += shares[t]!;
  const K = known.length;
  for (const theta of FACTORS) {
    const lt = Math.log(theta);
    // mix: log e3(L) − log C(K,3), L_i = θ^a_i (1−q+qθ)^−m_i, by e_k += e_{k−1}·L in log space.
    const lc = Math.log(1 - q + q * theta);
    let e1 = -Infinity;
    let e2 = -Infinity;
    let e3 = -Infinity;
    for (const t of known) {
      const x = a[t]! * lt - m[t]! * lc;
      e3 = lse(e3, e2 + x);
      e2 = lse(e2, e1 + x);
      e1 = lse(e1, x);
    }
    out[`mix${theta}`] = e3 - logChoose(K, UP);
    // cond: the exact conditional LR given m: θ^{a_S} / E[θ^A], A hypergeometric(n+ref, m_S, n).
    const h = hyperTilt(n + refTotal, n, theta);
    out[`cond${theta}`] = tripleMean(a, m, known, theta, (s) => -h(s), true);
    // np: θ^{a_S} (Σ / (Σ + (θ−1)c_S))^n with the known set's counts c: the LR given the true shares.
    if (mode === 'multinomial') out[`np${theta}`] = tripleMean(a, shares, known, theta, (s) => -n * Math.log1p(((theta - 1) * s) / total), false);
  }
  return out;
}

interface Tally {
  windows: number;
  /** Per window: the grown intents' count over its no-shift expectation, and their per-query rate over the others'. */
  grown: number[];
  grownVsOthers: number[];
  values: Partial<Record<Stat, number[]>>;
}

function simulate(mode: Mode, refSize: number, n: number, seeds: number, nullPerSeed: number, driftPerSeed: number) {
  const stats = statsOf(mode);
  const tallies = new Map<string, Tally>();
  const tally = (name: string) => {
    if (!tallies.has(name)) tallies.set(name, { windows: 0, grown: [], grownVsOthers: [], values: Object.fromEntries(stats.map((s) => [s, [] as number[]])) });
    return tallies.get(name)!;
  };
  /** Scenarios whose ×θ does not fit this cell's windows, with the reason. */
  const notDrawn = new Map<string, string>();
  const pools: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const random = rng(SEED_BASE + seed);
    const held = new Set(shuffled(intentNames.map((_, t) => t), random).slice(0, HELD_OUT));
    const known = intentNames.map((_, t) => t).filter((t) => !held.has(t));
    const labels = labelOf.filter((l) => !held.has(l));
    const totals = new Int32Array(K_ALL);
    for (const l of labels) totals[l]!++;
    /** n draws of intents with probability ∝ weight × totals (with replacement). */
    const multinomial = (size: number, weight: Float64Array): Int32Array => {
      const cum = new Float64Array(known.length);
      let acc = 0;
      known.forEach((t, j) => (cum[j] = acc += weight[t]! * totals[t]!));
      const out = new Int32Array(K_ALL);
      for (let d = 0; d < size; d++) {
        const u = random() * acc;
        let lo = 0;
        let hi = known.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cum[mid]! > u) hi = mid;
          else lo = mid + 1;
        }
        out[known[lo]!]!++;
      }
      return out;
    };
    const countsOf = (ls: readonly number[]) => {
      const out = new Int32Array(K_ALL);
      for (const l of ls) out[l]!++;
      return out;
    };
    let b: Int32Array;
    /** Where windows come from: the pool's counts (bench) or the known set's (multinomial). */
    let source: Int32Array;
    let poolLabels: number[] = [];
    const poolByIntent = new Map<string, number[]>();
    if (mode === 'bench') {
      const order = shuffled(labels, random);
      b = countsOf(order.slice(0, refSize));
      poolLabels = order.slice(refSize);
      source = countsOf(poolLabels);
      poolLabels.forEach((l, i) => poolByIntent.set(intentNames[l]!, [...(poolByIntent.get(intentNames[l]!) ?? []), i]));
      pools.push(poolLabels.length);
      if (poolLabels.length < n) throw new Error(`reference ${refSize}: a pool of ${poolLabels.length} cannot give windows of ${n}`);
    } else {
      b = multinomial(refSize, new Float64Array(K_ALL).fill(1));
      source = totals;
      pools.push(labels.length);
    }
    let sourceTotal = 0;
    for (const t of known) sourceTotal += source[t]!;
    const record = (name: string, a: Int32Array, up?: readonly number[]) => {
      const t = tally(name);
      t.windows++;
      if (up) {
        const aS = up.reduce((s, i) => s + a[i]!, 0);
        const cS = up.reduce((s, i) => s + source[i]!, 0);
        t.grown.push(aS / ((n * cS) / sourceTotal));
        t.grownVsOthers.push(aS / cS / ((n - aS) / (sourceTotal - cS)));
      }
      const s = statistics(mode, a, b, totals, known, n, refSize);
      for (const k of stats) t.values[k]!.push(s[k]!);
    };
    /** A ×θ window (θ = 1: the no-drift draw) with 3 random intents of the pool grown. */
    const drift = (name: string, theta: number) => {
      if (notDrawn.has(name)) return;
      const up = shuffled(
        known.filter((t) => source[t]! > 0),
        random,
      ).slice(0, UP);
      if (mode === 'multinomial') {
        const weight = new Float64Array(K_ALL).fill(1);
        for (const t of up) weight[t] = theta;
        return record(name, multinomial(n, weight), up);
      }
      try {
        const idx = shiftedWindow(poolByIntent, new Set(up.map((t) => intentNames[t]!)), theta, n, random);
        record(
          name,
          countsOf(idx.map((i) => poolLabels[i]!)),
          up,
        );
      } catch (e) {
        notDrawn.set(name, (e as Error).message);
        tallies.delete(name);
      }
    };
    for (let j = 0; j < nullPerSeed; j++) record('no drift', mode === 'bench' ? countsOf(shuffled(poolLabels, random).slice(0, n)) : multinomial(n, new Float64Array(K_ALL).fill(1)));
    if (mode === 'bench') for (let j = 0; j < driftPerSeed; j++) drift('x1', 1);
    for (const f of FACTORS) for (let j = 0; j < driftPerSeed; j++) drift(`x${f}`, f);
  }
  // The bench's rule: alarm above the value at the ceil(99 %)-th place of the sorted no-drift values.
  const nulls = tallies.get('no drift')!;
  const threshold = Object.fromEntries(
    stats.map((s) => {
      const sorted = nulls.values[s]!.slice().sort((x, y) => x - y);
      return [s, sorted[Math.min(sorted.length - 1, Math.ceil((1 - ALPHA) * sorted.length) - 1)]!];
    }),
  ) as Partial<Record<Stat, number>>;
  const meanOf = (xs: number[]) => +(xs.reduce((s, x) => s + x, 0) / xs.length).toFixed(3);
  const scenarios = [
    ...[...tallies].map(([scenario, t]) => ({
      scenario,
      windows: t.windows,
      ...(t.grown.length ? { grown: { count: meanOf(t.grown), vsOthers: meanOf(t.grownVsOthers) } } : {}),
      detection: Object.fromEntries(stats.map((s) => [s, rate(t.values[s]!.filter((x) => x > threshold[s]!).length, t.windows)])) as Partial<Record<Stat, Rate>>,
    })),
    ...[...notDrawn].map(([scenario, reason]) => ({ scenario, notDrawn: reason })),
  ];
  return { mode, reference: refSize, window: n, seeds, nullWindowsPerSeed: nullPerSeed, driftWindowsPerSeed: driftPerSeed, [mode === 'bench' ? 'pool' : 'knownQueries']: { min: Math.min(...pools), max: Math.max(...pools) }, threshold: Object.fromEntries(stats.map((s) => [s, +threshold[s]!.toFixed(4)])), scenarios };
}
type Result = ReturnType<typeof simulate>;

interface Rate {
  rate: number;
  hits: number;
  lo: number;
  hi: number;
}
/** A share with its 95 % Wilson interval. */
function rate(hits: number, n: number): Rate {
  const z = 1.96;
  const p = hits / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = ((z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n)));
  return { rate: +p.toFixed(4), hits, lo: +Math.max(0, centre - half).toFixed(4), hi: +Math.min(1, centre + half).toFixed(4) };
}

const pct = (r: Rate | undefined) => (r ? `${(100 * r.rate).toFixed(1)} (${(100 * r.lo).toFixed(1)}–${(100 * r.hi).toFixed(1)})` : '');
function print(result: Result): void {
  const what = result.mode === 'bench' ? "the bench's sampling" : 'independent multinomial reference and window (np: knows the shares)';
  console.log(`\n${what}: reference ${result.reference}, window ${result.window}, ${result.seeds} seeds. Detection % at 1 % false alarms (95 % interval); mix/cond/np at the scenario's θ (×1 and no drift: θ = 2); grown: the grown intents' count over its no-shift expectation`);
  console.table(
    result.scenarios.map((s) => {
      if ('notDrawn' in s) return { scenario: s.scenario, windows: 0, grown: s.notDrawn };
      const f = /x([\d.]+)$/.exec(s.scenario)?.[1];
      const theta = f && f !== '1' ? f : '2';
      const r = s.detection as Record<string, Rate>;
      return { scenario: s.scenario, windows: s.windows, grown: s.grown?.count ?? '', G: pct(r.g), max: pct(r.max), top3: pct(r.top3), mix: pct(r[`mix${theta}`]), cond: pct(r[`cond${theta}`]), ...(result.mode === 'multinomial' ? { np: pct(r[`np${theta}`]) } : {}) };
    }),
  );
}

const t0 = performance.now();
const configurations: Array<[Mode, number, number, boolean]> = [
  ['bench', 5000, 1000, true],
  ['multinomial', 5000, 1000, true],
  ...values.grid
    .split(',')
    .filter(Boolean)
    .flatMap((cell) => {
      const [mode, r, w] = cell.split(':') as [string, string, string];
      if (mode !== 'bench' && mode !== 'multinomial') throw new Error(`--grid cells are bench|multinomial:reference:window, not ${cell}`);
      return [[mode, Number(r), Number(w), false] as [Mode, number, number, boolean]];
    }),
];
const results: Array<Result & { seconds: number }> = [];
for (const [mode, r, w, main] of configurations) {
  const t = performance.now();
  const result = main ? simulate(mode, r, w, Number(values.seeds), Number(values.null), Number(values.drift)) : simulate(mode, r, w, Number(values['grid-seeds']), Number(values['grid-null']), Number(values['grid-drift']));
  print(result);
  results.push({ ...result, seconds: Math.round((performance.now() - t) / 100) / 10 });
}
const seconds = (performance.now() - t0) / 1000;
console.log(`\n${seconds.toFixed(0)} s in all`);
save('drift-mix-ceiling', {
  bench: 'drift-mix-ceiling',
  data: 'Banking77 training split, 10,003 queries in 77 intents (PolyAI, Casanueva et al. 2020, CC BY 4.0); intent labels only',
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
  settings: { alpha: ALPHA, heldOutIntents: `${HELD_OUT} random per seed`, upIntents: UP, factors: FACTORS, seedBase: SEED_BASE, seeds: Number(values.seeds), gridSeeds: Number(values['grid-seeds']) },
  statistics: {
    g: 'G statistic over every intent (bench oracle)',
    max: 'largest signed root (bench oracle)',
    top3: 'sum of the three largest squared positive signed roots (bench oracle)',
    mix: 'log mean over triples S of Π_{i∈S} θ^a_i (1−q+qθ)^−m_i: conditional binomial mixture LR; θ in the key',
    cond: 'log mean over triples S of θ^a_S / E[θ^A], A ~ hypergeometric(n + reference, m_S, n): the exact LR given m = a + b when reference and window are independent multinomial samples (most powerful similar test there; not exact for the bench mode\'s Wallenius draw); θ in the key',
    np: 'multinomial mode only: log mean over triples S of θ^a_S (Σc / (Σc + (θ−1)c_S))^n, c the known set\'s counts: the exact LR given the true shares (an infinite reference), a bound for any method; θ in the key',
  },
  modes: {
    bench: "drift-banking77.ts's sampling: reference = first queries of the shuffled known set, windows from the rest; no-drift windows uniform without replacement, ×θ windows by shiftedWindow() (bench/drift-windows.ts: each pick ∝ weight × remaining queries, the grown intents' weight set so that their expected share is θ times the others'). The bench's earlier ×θ draw was more dispersed than its no-drift windows",
    multinomial: "reference and windows drawn with replacement from the known set's intent shares; ×θ multiplies 3 intents' shares by θ (renormalised), exactly the bench's intended mean",
  },
  grown: "per scenario, means over windows: count = the grown intents' window count over n × their share of the pool (bench) or known set (multinomial); vsOthers = their per-query rate over the other intents'",
  scenarios: {
    'no drift': 'calibration: each statistic alarms above its 99th percentile here',
    x1: 'bench mode only: shiftedWindow() with θ = 1, i.e. the no-drift draw: each statistic should alarm on about 1 %',
    'x1.5 / x2 / x3': '3 random intents ×θ (relative to the others); a scenario whose ×θ does not fit a bench cell\'s windows is listed with notDrawn',
  },
  seconds: Math.round(seconds),
  at: new Date().toISOString(),
  results,
});
