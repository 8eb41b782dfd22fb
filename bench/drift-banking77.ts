// Drift detection measured on Banking77 (real support queries in 77 intents; PolyAI, Casanueva et
// al. 2020, CC BY 4.0). Per seed: 6 intents are held out (a coherent group of 3 neighbouring
// intents and 3 others), the reference (5,000 queries, the drift job's default baseline sample) is
// drawn from the rest and windows from the disjoint remainder (3,995-4,377 queries a seed).
// Scenarios: no drift; three known intents ×1.5, ×2, ×3 (drift-windows.ts); held-out intents injected at 1–20 %; the
// coherent group injected at 5 %; a ramp (+0.5 points a window) until the first alarm. Evidently's
// default embedding-drift method runs on the same vectors and windows as the baseline to beat.
// Usage: node --import tsx bench/drift-banking77.ts [--seeds 20] [--sizes 250,500,1000] [--reference 5000]
//        [--model bge-small-en-v1.5|all-MiniLM-L6-v2] [--no-evidently]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { assignAll } from '../jobs/drift/cluster.ts';
import { buildBaseline, compareAssigned, DEFAULT_DRIFT_OPTIONS, graphWidth, type DriftReport } from '../jobs/drift/detect.ts';
import { pooledNeighbours, type NeighbourGraph } from '../jobs/drift/knn.ts';
import { countTerms } from '../jobs/drift/terms.ts';
import { rng } from '../common/random.ts';
import { mean, NearestLists, shuffled, squaredDistance } from '../jobs/drift/vectors.ts';
import { BANKING77_CACHE, loadBanking77 } from './drift-banking77-data.ts';
import { oracleStatistics } from './drift-oracle.ts';
import { shiftedWindow } from './drift-windows.ts';
import { MODELS } from '../deploy/models/install.ts';
import { DRIFT_MODEL } from '../jobs/drift/embed.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    'small-seeds': { type: 'string', default: '10' },
    sizes: { type: 'string', default: '250,500,1000' },
    reference: { type: 'string', default: '5000' },
    'null-windows': { type: 'string', default: '15' },
    'drift-windows': { type: 'string', default: '3' },
    permutations: { type: 'string', default: '999' },
    model: { type: 'string', default: DRIFT_MODEL.id },
    'no-evidently': { type: 'boolean', default: false },
  },
});
const SEEDS = Number(values.seeds);
const SMALL_SEEDS = Math.min(SEEDS, Number(values['small-seeds']));
const SIZES = values.sizes.split(',').map(Number);
const REF = Number(values.reference);
const NULL_WINDOWS = Number(values['null-windows']);
const DRIFT_WINDOWS = Number(values['drift-windows']);
const PERMUTATIONS = Number(values.permutations);
const ALPHA = 0.01;
const RAMP_STEP = 0.005;
const RAMP_MAX = 40;

const MODEL = MODELS.find((m) => m.id === values.model);
if (!MODEL) throw new Error(`--model must be one of ${MODELS.map((m) => m.id).join(', ')}`);
const data = await loadBanking77(undefined, undefined, MODEL);
const dim = data.vectors[0]!.length;
const intents = [...new Set(data.intents)].sort();
const intentIndex = new Map(intents.map((t, i) => [t, i]));
const byIntent = new Map<string, number[]>();
data.intents.forEach((t, i) => byIntent.set(t, [...(byIntent.get(t) ?? []), i]));

// Each window's pooled neighbour graph (reference ∪ window) is read off a global list of every
// query's nearest neighbours, computed once and cached. A row with fewer than K of its M listed
// neighbours in the pool (a held-out intent's query: most of its nearest are queries of its own
// intent left out of the window) is searched in full, so the graph is the one pooledNeighbours()
// would build.
const M = 128;
const K = graphWidth(DEFAULT_DRIFT_OPTIONS, REF + Math.max(...SIZES));
const nnFile = data.file.replace(/\.f32$/, `-nn${M}.i32`);
let globalNn: Int32Array;
if (existsSync(nnFile)) {
  const buf = readFileSync(nnFile);
  globalNn = new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
} else {
  const t = performance.now();
  globalNn = pooledNeighbours(data.vectors, [], M).index;
  writeFileSync(nnFile, Buffer.from(globalNn.buffer, globalNn.byteOffset, globalNn.byteLength));
  process.stderr.write(`neighbour index of ${data.vectors.length} queries in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
}
const pooledAt = new Int32Array(data.vectors.length).fill(-1);
let searchedRows = 0;
function windowGraph(ref: readonly number[], idx: readonly number[]): NeighbourGraph {
  const pooled = ref.concat(idx);
  pooled.forEach((d, p) => (pooledAt[d] = p));
  const index = new Int32Array(pooled.length * K).fill(-1);
  const dist = new Float64Array(pooled.length * K).fill(Infinity);
  pooled.forEach((d, p) => {
    let r = 0;
    for (let m = 0; m < M && r < K; m++) {
      const near = globalNn[d * M + m]!;
      const at = pooledAt[near]!;
      if (at < 0) continue;
      index[p * K + r] = at;
      dist[p * K + r] = squaredDistance(data.vectors[d]!, data.vectors[near]!);
      r++;
    }
    if (r === K) return;
    searchedRows++;
    const row = new NearestLists(1, K);
    pooled.forEach((e, at) => {
      if (at !== p) row.offer(0, squaredDistance(data.vectors[d]!, data.vectors[e]!), at);
    });
    index.set(row.index, p * K);
    dist.set(row.dist, p * K);
  });
  for (const d of pooled) pooledAt[d] = -1;
  return { width: K, index, dist };
}
const intentCentre = new Map(intents.map((t) => [t, mean(byIntent.get(t)!.map((i) => data.vectors[i]!), dim)]));

interface Tally {
  scenario: string;
  window: number;
  windows: number;
  alarms: number;
  /** Each window's combined shift-test p-value, for the detection rate at a calibrated 1 % false-alarm point. */
  pValues: number[];
  emerging: number;
  withTopic: number;
  topMajorityInjected: number;
  topPurity: number;
  labelFromInjected: number;
  grownTp: number;
  grownFp: number;
  grownFn: number;
  evidentlyAlarms?: number;
  evidentlyCalibratedAlarms?: number;
  oracle: Record<OracleName, number[]>;
}

// The oracle (drift-oracle.ts) knows every query's intent: how far counts alone can go. Each of its
// statistics alarms above its 99th percentile on the no-drift windows.
type OracleName = 'g' | 'max' | 'top3';
const ORACLES: OracleName[] = ['g', 'max', 'top3'];
/** Counts by intent, in the order of `intents`. */
function intentCounts(idx: readonly number[]): Int32Array {
  const out = new Int32Array(intents.length);
  for (const i of idx) out[intentIndex.get(data.intents[i]!)!]!++;
  return out;
}
const tallies = new Map<string, Tally>();
function tally(scenario: string, window: number): Tally {
  const key = `${scenario}@${window}`;
  if (!tallies.has(key)) tallies.set(key, { scenario, window, windows: 0, alarms: 0, pValues: [], emerging: 0, withTopic: 0, topMajorityInjected: 0, topPurity: 0, labelFromInjected: 0, grownTp: 0, grownFp: 0, grownFn: 0, oracle: { g: [], max: [], top3: [] } });
  return tallies.get(key)!;
}
const ramps = new Map<number, number[]>();
const evidentlyJobs: Array<{ key: string; ref: number; window: number[] }> = [];
const references: number[][] = [];
const cells: number[] = [];
const pools: number[] = [];
const t0 = performance.now();

for (let seed = 1; seed <= SEEDS; seed++) {
  const random = rng(1000 + seed);
  const anchor = intents[Math.floor(random() * intents.length)]!;
  const group = intents
    .map((t) => [t, squaredDistance(intentCentre.get(t)!, intentCentre.get(anchor)!)] as const)
    .sort((a, b) => a[1] - b[1])
    .slice(0, 3)
    .map(([t]) => t);
  const singles = shuffled(
    intents.filter((t) => !group.includes(t)),
    random,
  ).slice(0, 3);
  const held = new Set([...group, ...singles]);
  const known = shuffled(
    data.texts.map((_, i) => i).filter((i) => !held.has(data.intents[i]!)),
    random,
  );
  const ref = known.slice(0, REF);
  // Windows come from the rest only, so no window shares a query with the reference.
  const pool = known.slice(REF);
  if (pool.length < Math.max(...SIZES)) throw new Error(`seed ${seed}: ${pool.length} queries left for windows of ${Math.max(...SIZES)}; use a smaller --reference`);
  pools.push(pool.length);
  const model = buildBaseline(
    ref.map((i) => data.vectors[i]!),
    ref.map((i) => data.texts[i]!),
    { seed },
  );
  cells.push(model.centroids.length);
  references.push(ref);
  const refId = references.length - 1;
  const cellOf = assignAll(data.vectors, model.centroids);
  const topicOf = (i: number) => model.cellTopic[cellOf[i]!]!;
  const refTopic = new Array<number>(model.topics.length).fill(0);
  for (const i of ref) refTopic[topicOf(i)]!++;
  const refTerms = countTerms(ref.map((i) => data.texts[i]!));
  const refIntents = intentCounts(ref);
  const refTermTotal = [...refTerms.values()].reduce((s, v) => s + v, 0);
  let windowSeed = seed * 100_000;
  const run = (idx: number[]): DriftReport =>
    compareAssigned(
      model,
      idx.map((i) => cellOf[i]!),
      idx.map((i) => data.vectors[i]!),
      idx.map((i) => data.texts[i]!),
      { seed: windowSeed++, permutations: PERMUTATIONS, alpha: ALPHA },
      windowGraph(ref, idx),
    );
  const poolByIntent = new Map<string, number[]>();
  for (const i of pool) poolByIntent.set(data.intents[i]!, [...(poolByIntent.get(data.intents[i]!) ?? []), i]);

  /** `count` queries of the given held-out intents, filling from the next one when one runs out. */
  const injected = (from: readonly string[], count: number, spread: boolean): number[] => {
    if (spread) return from.flatMap((t, j) => shuffled(byIntent.get(t)!, random).slice(0, Math.floor(count / from.length) + (j < count % from.length ? 1 : 0)));
    const out: number[] = [];
    for (const t of from) out.push(...shuffled(byIntent.get(t)!, random).slice(0, count - out.length));
    return out;
  };
  const explain = (t: Tally, r: DriftReport, idx: number[], injectedSet: Set<string>, firstInjected: number) => {
    const top = r.emerging.topics[0];
    if (!r.drift || !top) return;
    t.withTopic++;
    const counts = new Map<string, number>();
    for (const m of top.members) counts.set(data.intents[idx[m]!]!, (counts.get(data.intents[idx[m]!]!) ?? 0) + 1);
    const fromInjected = top.members.filter((m) => injectedSet.has(data.intents[idx[m]!]!)).length;
    const [majority] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    if (injectedSet.has(majority)) t.topMajorityInjected++;
    t.topPurity += fromInjected / top.size;
    // The label comes from the injected intents when its first term is relatively more frequent
    // in their queries than in the reference.
    const term = top.terms[0];
    if (term) {
      const inj = countTerms(idx.slice(firstInjected).map((i) => data.texts[i]!));
      const injTotal = [...inj.values()].reduce((s, v) => s + v, 0);
      if ((inj.get(term) ?? 0) / Math.max(1, injTotal) > (refTerms.get(term) ?? 0) / refTermTotal) t.labelFromInjected++;
    }
  };
  const grown = (t: Tally, r: DriftReport, expectedShare: number[]) => {
    const truth = new Set(expectedShare.flatMap((s, k) => (refTopic[k]! > 0 && s / (refTopic[k]! / ref.length) >= 1.2 ? [k] : [])));
    const flagged = new Set(r.mix.changed.filter((c) => c.direction === 'grew').map((c) => c.id));
    for (const c of flagged) truth.has(c) ? t.grownTp++ : t.grownFp++;
    for (const c of truth) if (!flagged.has(c)) t.grownFn++;
  };
  const record = (name: string, w: number, idx: number[], r: DriftReport) => {
    const t = tally(name, w);
    t.windows++;
    if (r.drift) t.alarms++;
    t.pValues.push(r.test.pValue);
    if (r.emerging.detected) t.emerging++;
    const o = oracleStatistics(intentCounts(idx), refIntents, idx.length, ref.length);
    for (const name of ORACLES) t.oracle[name].push(o[name]);
    if (w === Math.max(...SIZES) || seed <= SMALL_SEEDS) evidentlyJobs.push({ key: `${name}@${w}`, ref: refId, window: idx });
    return t;
  };

  for (const w of SIZES) {
    if (w !== Math.max(...SIZES) && seed > SMALL_SEEDS) continue;
    for (let j = 0; j < NULL_WINDOWS; j++) {
      const idx = shuffled(pool, random).slice(0, w);
      record('no drift', w, idx, run(idx));
    }
    for (const factor of [1.5, 2, 3]) {
      for (let j = 0; j < DRIFT_WINDOWS; j++) {
        const up = new Set(shuffled([...poolByIntent.keys()], random).slice(0, 3));
        const weight = (t: string) => (up.has(t) ? factor : 1);
        let idx: number[];
        try {
          idx = shiftedWindow(poolByIntent, up, factor, w, random);
        } catch (err) {
          // A large window leaves the pool too few queries of the grown intents (×3 from 1,500 here).
          process.stderr.write(`seed ${seed}, window ${w}: ${(err as Error).message}; window skipped\n`);
          continue;
        }
        const r = run(idx);
        const t = record(`3 intents x${factor}`, w, idx, r);
        const z = ref.reduce((s, i) => s + weight(data.intents[i]!), 0);
        const share = new Array<number>(model.topics.length).fill(0);
        for (const i of ref) share[topicOf(i)]! += weight(data.intents[i]!) / z;
        grown(t, r, share);
      }
    }
    const injectCases: Array<[string, readonly string[], number, boolean]> = [
      ...[0.01, 0.02, 0.05, 0.1, 0.2].map((s) => [`new intent ${100 * s}%`, singles, s, false] as [string, readonly string[], number, boolean]),
      ['coherent group 5%', group, 0.05, true],
    ];
    for (const [name, from, s, spread] of injectCases) {
      for (let j = 0; j < DRIFT_WINDOWS; j++) {
        const order = spread ? from : [...from.slice(j % from.length), ...from.slice(0, j % from.length)];
        const add = injected(order, Math.round(w * s), spread);
        const base = shuffled(pool, random).slice(0, w - add.length);
        const idx = base.concat(add);
        const r = run(idx);
        const t = record(name, w, idx, r);
        explain(t, r, idx, new Set(from), base.length);
        const share = new Array<number>(model.topics.length).fill(0);
        for (let k = 0; k < share.length; k++) share[k] = ((refTopic[k]! / ref.length) * base.length) / w;
        for (const i of add) share[topicOf(i)]! += 1 / w;
        grown(t, r, share);
      }
    }
    // Ramp: one held-out intent grows by RAMP_STEP of the window each window until an alarm.
    const intent = singles[seed % singles.length]!;
    let steps = RAMP_MAX + 1;
    for (let step = 1; step <= RAMP_MAX; step++) {
      const add = injected([intent, ...singles.filter((t) => t !== intent)], Math.round(w * RAMP_STEP * step), false);
      const idx = shuffled(pool, random)
        .slice(0, w - add.length)
        .concat(add);
      if (run(idx).drift) {
        steps = step;
        break;
      }
    }
    ramps.set(w, [...(ramps.get(w) ?? []), steps]);
  }
  process.stderr.write(`seed ${seed}/${SEEDS}: ${model.centroids.length} cells, ${model.topics.length} topics, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
const oursSeconds = (performance.now() - t0) / 1000;

// Evidently: its default embedding-drift method (classifier ROC-AUC > 0.55) on the same windows.
const venv = join(BANKING77_CACHE, '..', 'venv');
let evidently: { version: string; seconds: number; calibratedThreshold: Record<string, number> } | { skipped: string } = { skipped: 'disabled with --no-evidently' };
if (!values['no-evidently']) evidently = runEvidently();

function runEvidently(): typeof evidently {
  const py = join(venv, 'bin', 'python');
  if (!existsSync(py)) {
    const mk = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    if (mk.status !== 0) return { skipped: 'python3 -m venv failed; Evidently baseline not run' };
  }
  const probe = ['-c', 'import evidently.legacy.metrics.data_drift.embedding_drift_methods'];
  if (spawnSync(py, probe, { stdio: 'ignore' }).status !== 0) {
    process.stderr.write(`installing evidently into ${venv}\n`);
    // Evidently 0.7 imports a helper that pandas 3 removed.
    const pip = spawnSync(py, ['-m', 'pip', 'install', '-q', 'evidently', 'pandas<3'], { stdio: 'inherit' });
    if (pip.status !== 0) return { skipped: 'pip install evidently failed (no pip or no index); Evidently baseline not run' };
  }
  const jobFile = join(BANKING77_CACHE, 'drift-evidently-jobs.json');
  writeFileSync(jobFile, JSON.stringify({ vectors: data.file, dim, references, jobs: evidentlyJobs }));
  const t = performance.now();
  const res = spawnSync(py, [join(import.meta.dirname, 'drift-evidently.py'), jobFile], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  if (res.status !== 0) return { skipped: `Evidently run failed (exit ${res.status})` };
  const out = JSON.parse(res.stdout) as { version: string; auc: number[] };
  // Also at its own 1 % false-alarm point on no-drift windows, per window size, for a fair view.
  const calibratedThreshold: Record<string, number> = {};
  for (const w of SIZES) {
    const nulls = out.auc.filter((_, j) => evidentlyJobs[j]!.key === `no drift@${w}`).sort((a, b) => a - b);
    calibratedThreshold[w] = nulls[Math.min(nulls.length - 1, Math.ceil((1 - ALPHA) * nulls.length) - 1)]!;
  }
  out.auc.forEach((auc, j) => {
    const tl = tallies.get(evidentlyJobs[j]!.key)!;
    tl.evidentlyAlarms = (tl.evidentlyAlarms ?? 0) + (auc > 0.55 ? 1 : 0);
    tl.evidentlyCalibratedAlarms = (tl.evidentlyCalibratedAlarms ?? 0) + (auc > calibratedThreshold[tl.window]! ? 1 : 0);
  });
  return { version: out.version, seconds: Math.round((performance.now() - t) / 1000), calibratedThreshold };
}

function oracleThreshold(name: OracleName, w: number): number {
  const nulls = (tallies.get(`no drift@${w}`)?.oracle[name] ?? []).slice().sort((a, b) => a - b);
  return nulls[Math.min(nulls.length - 1, Math.ceil((1 - ALPHA) * nulls.length) - 1)] ?? Infinity;
}
// Ours at its own 1 % point on the same no-drift windows: alarm when p is below the smallest null
// p-value that would exceed the 1 % share (strictly below, so ties never push past 1 %).
function pValueThreshold(w: number): number {
  const nulls = (tallies.get(`no drift@${w}`)?.pValues ?? []).slice().sort((a, b) => a - b);
  return nulls[Math.floor(ALPHA * nulls.length)] ?? 0;
}
const evidentlyWindows = (t: Tally) => evidentlyJobs.filter((j) => j.key === `${t.scenario}@${t.window}`).length;
const ratio = (a: number, b: number) => (b > 0 ? +(a / b).toFixed(3) : null);
const rows = [...tallies.values()]
  .sort((a, b) => a.window - b.window)
  .map((t) => ({
    window: t.window,
    scenario: t.scenario,
    windows: t.windows,
    detection: ratio(t.alarms, t.windows),
    detectionAt1pct: ratio(t.pValues.filter((p) => p < pValueThreshold(t.window)).length, t.windows),
    topMajorityInjected: ratio(t.topMajorityInjected, t.withTopic),
    topPurity: ratio(t.topPurity, t.withTopic),
    labelFromInjected: ratio(t.labelFromInjected, t.withTopic),
    grownPrecision: ratio(t.grownTp, t.grownTp + t.grownFp),
    grownRecall: ratio(t.grownTp, t.grownTp + t.grownFn),
    evidently: t.evidentlyAlarms === undefined ? null : ratio(t.evidentlyAlarms, evidentlyWindows(t)),
    evidentlyAt1pct: t.evidentlyCalibratedAlarms === undefined ? null : ratio(t.evidentlyCalibratedAlarms, evidentlyWindows(t)),
    ...Object.fromEntries(ORACLES.map((name) => [`oracle_${name}`, ratio(t.oracle[name].filter((x) => x > oracleThreshold(name, t.window)).length, t.windows)])),
  }));
const rampRows = SIZES.map((w) => {
  const s = (ramps.get(w) ?? []).slice().sort((a, b) => a - b);
  return { window: w, ramps: s.length, stepPoints: 100 * RAMP_STEP, medianWindowsToDetect: s[Math.floor(s.length / 2)] ?? null, p90WindowsToDetect: s[Math.min(s.length - 1, Math.ceil(0.9 * s.length) - 1)] ?? null, undetected: s.filter((x) => x > RAMP_MAX).length };
});
console.table(rows);
console.table(rampRows);
if ('skipped' in evidently) console.log(`Evidently baseline skipped: ${evidently.skipped}`);
const out = {
  bench: 'drift-banking77',
  data: 'Banking77 training split, 10,003 queries in 77 intents (PolyAI, Casanueva et al. 2020, CC BY 4.0)',
  model: `${MODEL.id} (q8)`,
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
  settings: {
    seeds: SEEDS,
    seedsForSmallerWindows: SMALL_SEEDS,
    sizes: SIZES,
    reference: REF,
    heldOutIntents: '6 per seed: a coherent group of 3 neighbouring intents + 3 others',
    nullWindowsPerSeedAndSize: NULL_WINDOWS,
    driftWindowsPerSeedAndScenario: DRIFT_WINDOWS,
    alpha: ALPHA,
    permutations: PERMUTATIONS,
    rampStepPoints: 100 * RAMP_STEP,
  },
  pValueThresholdAt1pct: Object.fromEntries(SIZES.map((w) => [w, pValueThreshold(w)])),
  cells: { min: Math.min(...cells), max: Math.max(...cells) },
  windowPool: { min: Math.min(...pools), max: Math.max(...pools) },
  neighbourRowsSearched: searchedRows,
  seconds: { ours: Math.round(oursSeconds), total: Math.round((performance.now() - t0) / 1000) },
  evidently: { method: 'legacy ModelDriftMethod defaults: SGDClassifier, 50/50 split, drift when ROC-AUC > 0.55', ...evidently },
  at: new Date().toISOString(),
  results: rows,
  ramps: rampRows,
};
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
// Results for another encoder than the drift job's go beside the main file, for comparison.
const file = MODEL === DRIFT_MODEL ? 'drift-banking77.json' : `drift-banking77-${MODEL.id}.json`;
writeFileSync(join(import.meta.dirname, 'results', file), JSON.stringify(out, null, 2) + '\n');
console.log(`ours ${out.seconds.ours} s, total ${out.seconds.total} s; saved bench/results/${file}`);
