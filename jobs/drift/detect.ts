// Drift detection on plain arrays: build a baseline model (micro-cells, their tree, topics and
// reference shares) from baseline inputs, then compare a current window with it. No I/O here;
// callers embed texts and store or print the results.
import { assignAll, cutTree, dendrogram, fitKMeans, microK, nodeLeaves, type Dendrogram } from './cluster.ts';
import { knnTest, pooledNeighbours, probedNeighbours, type NeighbourGraph } from './knn.ts';
import { scan, type ScanStatistics } from './scan.ts';
import { benjaminiHochberg, fisherExact, gTestHomogeneity } from './stats.ts';
import { countTerms, distinctiveTerms, labelOf, type TermCounts } from './terms.ts';
import { rng } from '../../common/random.ts';
import { mean, shuffled, squaredDistance, type Vec } from './vectors.ts';

export interface DriftOptions {
  seed: number;
  /** Per-window false-alarm rate of the whole verdict: half to the cell tests, half to the neighbour test. */
  alpha: number;
  /** Benjamini–Hochberg false-discovery rate for naming topics that grew or shrank. */
  fdr: number;
  /** Share of the baseline held out of k-means; reference shares come from these inputs only. */
  calibrationFraction: number;
  /** Calibration inputs per micro-cell (sets the number of cells from the baseline size). */
  pointsPerCell: number;
  maxCells: number;
  /** Micro-cells per reported topic (topics are cuts of the cell tree). */
  cellsPerTopic: number;
  maxIterations: number;
  /** Permutations of the null; the smallest attainable p-value is 1/(permutations + 1). */
  permutations: number;
  /** Nearest neighbours per input in the new-topic test (and when picking a region's new members). */
  neighbours: number;
  /**
   * Neighbours listed per input for the novelty weight of the new-topic test: a new intent's
   * inputs often have only current inputs among their first `neighbours`, and the weight needs the
   * nearest baseline ones (20 and 40 measured the same on Banking77, 10 lower).
   */
  noveltyNeighbours: number;
  /** Pooled inputs (baseline + current) up to which the neighbour graph is exact (brute force, quadratic). */
  exactNeighboursUpTo: number;
  /** Above that, each input's neighbours are searched in the cells of its this many nearest centroids. */
  neighbourProbes: number;
  /** Members an emerging topic needs. */
  minTopicMembers: number;
  maxTopics: number;
  examples: number;
  labelTerms: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = {
  seed: 1,
  alpha: 0.01,
  fdr: 0.05,
  calibrationFraction: 0.7,
  pointsPerCell: 20,
  maxCells: 300,
  cellsPerTopic: 4,
  maxIterations: 25,
  permutations: 999,
  neighbours: 10,
  noveltyNeighbours: 20,
  exactNeighboursUpTo: 12_000,
  neighbourProbes: 8,
  minTopicMembers: 3,
  maxTopics: 5,
  examples: 3,
  labelTerms: 5,
};

export interface BaselineTopic {
  id: number;
  label: string;
  terms: string[];
  cells: number[];
  /** Held-out baseline inputs in this topic: the reference for the mix tests. */
  calibrationCount: number;
  share: number;
  examples: string[];
}

export interface BaselineModel {
  dim: number;
  size: number;
  calibrationSize: number;
  centroids: number[][];
  tree: Dendrogram;
  /** Held-out baseline inputs per cell. */
  cellCounts: number[];
  cellTopic: number[];
  topics: BaselineTopic[];
  termCounts: TermCounts[];
  /** All baseline inputs of each cell, to tell new members of a grown region from old ones. */
  cellMembers: number[][];
  vectors: readonly Vec[];
}

function checkInputs(vectors: readonly Vec[], texts: readonly string[]): void {
  if (vectors.length !== texts.length) throw new Error(`got ${vectors.length} vectors for ${texts.length} texts`);
}

export function buildBaseline(vectors: readonly Vec[], texts: readonly string[], options: Partial<DriftOptions> = {}): BaselineModel {
  const o = { ...DEFAULT_DRIFT_OPTIONS, ...options };
  checkInputs(vectors, texts);
  if (vectors.length < 100) throw new Error(`baseline has ${vectors.length} inputs; at least 100 are needed`);
  const dim = vectors[0]!.length;
  const order = shuffled(
    vectors.map((_, i) => i),
    rng(o.seed),
  );
  // Cells are fitted on one part and counted on the other: counting the inputs k-means was fitted
  // on would understate how often fresh inputs land in each cell, and the permutation null needs
  // reference counts exchangeable with the current window's.
  const nCal = Math.round(vectors.length * o.calibrationFraction);
  const calIdx = order.slice(0, nCal);
  const fitIdx = order.slice(nCal);
  const k = microK(nCal, fitIdx.length, o.pointsPerCell, o.maxCells);
  const fitted = fitKMeans(
    fitIdx.map((i) => vectors[i]!),
    k,
    o.seed,
    o.maxIterations,
  );
  const all = assignAll(vectors, fitted);
  const cellCounts = new Array<number>(fitted.length).fill(0);
  for (const i of calIdx) cellCounts[all[i]!]!++;
  // Cells no held-out input landed in have no reference share to test against; drop them.
  const kept = fitted.flatMap((c, j) => (cellCounts[j]! > 0 ? [c] : []));
  const centroids = kept;
  const assign = kept.length === fitted.length ? all : assignAll(vectors, centroids);
  const counts = new Array<number>(centroids.length).fill(0);
  for (const i of calIdx) counts[assign[i]!]!++;
  const cellMembers: number[][] = centroids.map(() => []);
  vectors.forEach((_, i) => cellMembers[assign[i]!]!.push(i));

  const tree = dendrogram(centroids, counts);
  const cellTopic = cutTree(tree, Math.max(1, Math.round(centroids.length / o.cellsPerTopic)));
  const nTopics = Math.max(...cellTopic) + 1;
  const topicMembers: number[][] = Array.from({ length: nTopics }, () => []);
  cellMembers.forEach((m, c) => topicMembers[cellTopic[c]!]!.push(...m));
  const termCounts = topicMembers.map((idx) => countTerms(idx.map((i) => texts[i]!)));
  const topTerms = distinctiveTerms(termCounts, o.labelTerms);
  const topics: BaselineTopic[] = topicMembers.map((idx, t) => {
    const cells = cellTopic.flatMap((x, c) => (x === t ? [c] : []));
    const calibrationCount = cells.reduce((s, c) => s + counts[c]!, 0);
    const centre = mean(
      idx.map((i) => vectors[i]!),
      dim,
    );
    return {
      id: t,
      label: labelOf(topTerms[t]!),
      terms: topTerms[t]!,
      cells,
      calibrationCount,
      share: calibrationCount / nCal,
      examples: closest(idx, vectors, centre, o.examples).map((i) => texts[i]!),
    };
  });
  return { dim, size: vectors.length, calibrationSize: nCal, centroids, tree, cellCounts: counts, cellTopic, topics, termCounts, cellMembers, vectors };
}

function closest(idx: readonly number[], vectors: readonly Vec[], centre: Vec, n: number): number[] {
  return idx
    .map((i) => [i, squaredDistance(vectors[i]!, centre)] as const)
    .sort((a, b) => a[1] - b[1])
    .slice(0, n)
    .map(([i]) => i);
}

export interface TopicChange {
  id: number;
  label: string;
  terms: string[];
  direction: 'grew' | 'shrank';
  baselineShare: number;
  currentShare: number;
  /** Current share over baseline share. */
  ratio: number;
  /** Current minus baseline share, in percentage points. */
  changePoints: number;
  currentCount: number;
  pValue: number;
  qValue: number;
  examples: string[];
}

export interface EmergingTopic {
  label: string;
  terms: string[];
  /** Which test found it: a group of hot inputs in the neighbour graph, or a grown cell region. */
  source: 'neighbours' | 'cells';
  /** Current inputs picked as the new part (see `members`). */
  size: number;
  share: number;
  /** Current inputs in the cell region, and how many its reference share predicts (cells only). */
  regionCount: number;
  expectedCount: number;
  /** Signed-root likelihood ratio of the region's count (cells only), above `emerging.threshold`. */
  statistic: number | null;
  examples: string[];
  /** Baseline topics its members fall in, most first. */
  nearTopics: Array<{ id: number; label: string }>;
  /** Indices in the current window of the inputs that make up the topic. */
  members: number[];
}

export interface DriftReport {
  drift: boolean;
  reasons: string[];
  alpha: number;
  sizes: { baseline: number; calibration: number; current: number };
  model: { cells: number; topics: number };
  test: {
    permutations: number;
    /** Bonferroni-combined p-value of the two tests below; drift when ≤ alpha. */
    pValue: number;
    /** Micro-cell counts: concentration, spread and mix statistics, min-p calibrated together. */
    cells: { pValue: number; statistics: ScanStatistics; pValues: ScanStatistics };
    /** Nearest-neighbour graph: current inputs whose neighbours are mostly current ones. */
    neighbours: { pValue: number; statistic: number; k: number; tau: number; hot: number };
  };
  emerging: {
    detected: boolean;
    /** Smaller of the neighbour test and the cell concentration test p-values. */
    pValue: number;
    /** Family-wise threshold on a cell region's signed-root statistic. */
    threshold: number;
    alpha: number;
    topics: EmergingTopic[];
  };
  mix: {
    detected: boolean;
    test: 'G-test (Williams)';
    statistic: number;
    df: number;
    /** Asymptotic χ² p-value of the G-test, for reference; the verdict uses the permutation one. */
    pValue: number;
    permutationPValue: number;
    alpha: number;
    changed: TopicChange[];
  };
  clusters: Array<{ id: number; label: string; baselineShare: number; currentShare: number; examples: string[] }>;
}

export function compareWindow(model: BaselineModel, vectors: readonly Vec[], texts: readonly string[], options: Partial<DriftOptions> = {}): DriftReport {
  checkInputs(vectors, texts);
  return compareAssigned(model, assignAll(vectors, model.centroids), vectors, texts, options);
}

/**
 * `compareWindow` for a window whose cells are already known (`assign[i]` = cell of input i), and
 * optionally its pooled neighbour graph (`pooledNeighbours(model.vectors, vectors, graphWidth(…))`),
 * which callers comparing many windows can build faster from a precomputed index.
 */
export function compareAssigned(
  model: BaselineModel,
  assign: ArrayLike<number>,
  vectors: readonly Vec[],
  texts: readonly string[],
  options: Partial<DriftOptions> = {},
  graph?: NeighbourGraph,
): DriftReport {
  const o = { ...DEFAULT_DRIFT_OPTIONS, ...options };
  checkInputs(vectors, texts);
  const n = vectors.length;
  const k = model.centroids.length;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) counts[assign[i]!]!++;
  const cellResult = scan(
    { cells: k, merges: model.tree.merges, topicOf: model.cellTopic, topics: model.topics.length },
    model.cellCounts,
    counts,
    { permutations: o.permutations, alpha: o.alpha / 2, seed: o.seed },
  );
  const kNear = Math.min(o.neighbours, model.size + n - 1);
  const width = graphWidth(o, model.size + n);
  const neighbourGraph =
    graph ??
    (model.size + n <= o.exactNeighboursUpTo
      ? pooledNeighbours(model.vectors, vectors, width)
      : probedNeighbours(model.vectors, vectors, model.centroids, width, o.neighbourProbes));
  const knn = knnTest(neighbourGraph, kNear, model.size, n, { permutations: o.permutations, seed: o.seed + 1 });
  const pValue = Math.min(1, 2 * Math.min(cellResult.pValue, knn.pValue));
  const drift = n > 0 && pValue <= o.alpha;

  const topicCounts = new Array<number>(model.topics.length).fill(0);
  for (let c = 0; c < k; c++) topicCounts[model.cellTopic[c]!]! += counts[c]!;
  const baseCounts = model.topics.map((t) => t.calibrationCount);
  const g = gTestHomogeneity(baseCounts, topicCounts);
  const changed = drift ? topicChanges(model, topicCounts, assign, vectors, texts, o) : [];
  const topics = drift ? emergingTopics(model, cellResult, knn.pValue <= o.alpha / 2 ? hotGroups(knn.hot, neighbourGraph, kNear, model.size) : [], assign, vectors, texts, o) : [];

  const reasons: string[] = [];
  if (drift) {
    reasons.push(`shift test p=${pValue.toFixed(4)} ≤ alpha ${o.alpha} (cells p=${cellResult.pValue.toFixed(4)}, neighbours p=${knn.pValue.toFixed(4)}; ${o.permutations} permutations)`);
    if (topics.length) reasons.push(`${topics.length} emerging topic(s): ${topics.map((t) => `"${t.label}" (${t.size} inputs)`).join(', ')}`);
    if (changed.length) {
      const desc = changed.map((c) => `"${c.label}" ${c.direction} ${(100 * c.baselineShare).toFixed(1)}% → ${(100 * c.currentShare).toFixed(1)}%`);
      reasons.push(`topic mix: ${desc.join('; ')}`);
    }
  }
  return {
    drift,
    reasons,
    alpha: o.alpha,
    sizes: { baseline: model.size, calibration: model.calibrationSize, current: n },
    model: { cells: k, topics: model.topics.length },
    test: {
      permutations: o.permutations,
      pValue,
      cells: { pValue: cellResult.pValue, statistics: cellResult.observed, pValues: cellResult.pValues },
      neighbours: { pValue: knn.pValue, statistic: knn.statistic, k: kNear, tau: knn.tau, hot: knn.hot.length },
    },
    emerging: {
      detected: topics.length > 0,
      pValue: Math.min(knn.pValue, cellResult.pValues.concentration),
      threshold: cellResult.nodeThreshold,
      alpha: o.alpha,
      topics,
    },
    mix: {
      detected: changed.length > 0,
      test: 'G-test (Williams)',
      statistic: g.statistic,
      df: g.df,
      pValue: g.pValue,
      permutationPValue: cellResult.pValues.mix,
      alpha: o.alpha,
      changed,
    },
    clusters: model.topics.map((t) => ({
      id: t.id,
      label: t.label,
      baselineShare: t.share,
      currentShare: n > 0 ? topicCounts[t.id]! / n : 0,
      examples: t.examples,
    })),
  };
}

/** Neighbours listed per pooled input: enough for the hot counts and for the novelty weight. */
export function graphWidth(o: Pick<DriftOptions, 'neighbours' | 'noveltyNeighbours'>, pooled: number): number {
  return Math.min(Math.max(o.neighbours, o.noveltyNeighbours), pooled - 1);
}

/**
 * Hot current inputs grouped by mutual-neighbour links. Mutual, because an input at the edge of a
 * dense new group has only group members as neighbours (and so is hot) without being among theirs.
 */
export function hotGroups(hot: readonly number[], graph: NeighbourGraph, k: number, nBaseline: number): number[][] {
  const parent = new Map(hot.map((h) => [h, h]));
  const root = (x: number): number => {
    while (parent.get(x)! !== x) x = parent.get(x)!;
    return x;
  };
  const lists = (x: number) => graph.index.subarray((nBaseline + x) * graph.width, (nBaseline + x) * graph.width + k);
  for (const h of hot) {
    for (const p of lists(h)) {
      const j = p - nBaseline;
      if (j >= 0 && parent.has(j) && lists(j).includes(nBaseline + h)) parent.set(root(j), root(h));
    }
  }
  const groups = new Map<number, number[]>();
  for (const h of hot) groups.set(root(h), [...(groups.get(root(h)) ?? []), h]);
  return [...groups.values()].sort((a, b) => b.length - a.length);
}

function topicChanges(model: BaselineModel, topicCounts: number[], assign: ArrayLike<number>, vectors: readonly Vec[], texts: readonly string[], o: DriftOptions): TopicChange[] {
  const n = vectors.length;
  const baseTotal = model.calibrationSize;
  const p = model.topics.map((t) => fisherExact(topicCounts[t.id]!, n - topicCounts[t.id]!, t.calibrationCount, baseTotal - t.calibrationCount));
  const q = benjaminiHochberg(p);
  const changed: TopicChange[] = [];
  for (const t of model.topics) {
    if (q[t.id]! >= o.fdr) continue;
    const currentShare = topicCounts[t.id]! / n;
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (model.cellTopic[assign[i]!] === t.id) idx.push(i);
    changed.push({
      id: t.id,
      label: t.label,
      terms: t.terms,
      direction: currentShare > t.share ? 'grew' : 'shrank',
      baselineShare: t.share,
      currentShare,
      ratio: t.share > 0 ? currentShare / t.share : Infinity,
      changePoints: 100 * (currentShare - t.share),
      currentCount: topicCounts[t.id]!,
      pValue: p[t.id]!,
      qValue: q[t.id]!,
      examples: closest(idx, vectors, mean(idx.map((i) => vectors[i]!), model.dim), o.examples).map((i) => texts[i]!),
    });
  }
  return changed.sort((a, b) => Math.abs(b.changePoints) - Math.abs(a.changePoints));
}

/**
 * Emerging topics: first the groups of hot inputs from the neighbour test (new paraphrase
 * clusters), then the most over-represented regions of the cell tree (nodes above the family-wise
 * threshold, disjoint, strongest first), keeping within a region the current inputs whose nearest
 * neighbours are mostly current inputs. Labelled by class-based TF-IDF against the baseline topics.
 */
function emergingTopics(
  model: BaselineModel,
  result: ReturnType<typeof scan>,
  hot: number[][],
  assign: ArrayLike<number>,
  vectors: readonly Vec[],
  texts: readonly string[],
  o: DriftOptions,
): EmergingTopic[] {
  const q = vectors.length / (vectors.length + model.calibrationSize);
  const found: Array<{ members: number[]; regionCount: number; expectedCount: number; statistic: number | null }> = hot
    .filter((g) => g.length >= o.minTopicMembers)
    .map((g) => ({ members: g, regionCount: g.length, expectedCount: 0, statistic: null }));
  const taken = new Set(found.flatMap((f) => f.members));
  const leavesOf = nodeLeaves(model.tree);
  const candidates: number[] = [];
  result.nodeStatistic.forEach((s, v) => {
    if (s > result.nodeThreshold && v < leavesOf.length - 1) candidates.push(v);
  });
  candidates.sort((a, b) => result.nodeStatistic[b]! - result.nodeStatistic[a]!);
  const usedCells = new Set<number>();
  for (const v of candidates) {
    if (found.length >= o.maxTopics) break;
    if (leavesOf[v]!.some((c) => usedCells.has(c))) continue;
    for (const c of leavesOf[v]!) usedCells.add(c);
    const cells = new Set(leavesOf[v]!);
    const current: number[] = [];
    for (let i = 0; i < vectors.length; i++) if (cells.has(assign[i]!)) current.push(i);
    const baseline = [...cells].flatMap((c) => model.cellMembers[c]!);
    const members = newMembers(current, baseline, vectors, model.vectors, o.neighbours).filter((i) => !taken.has(i));
    if (members.length < o.minTopicMembers) continue;
    found.push({ members, regionCount: current.length, expectedCount: result.nodePooled[v]! * q, statistic: result.nodeStatistic[v]! });
  }
  const kept = found.slice(0, o.maxTopics);
  if (kept.length === 0) return [];
  const labels = distinctiveTerms([...model.termCounts, ...kept.map((f) => countTerms(f.members.map((i) => texts[i]!)))], o.labelTerms);
  return kept.map((f, j) => {
    const t = labels[model.topics.length + j]!;
    const centre = mean(
      f.members.map((i) => vectors[i]!),
      model.dim,
    );
    const topicWeight = new Map<number, number>();
    for (const i of f.members) topicWeight.set(model.cellTopic[assign[i]!]!, (topicWeight.get(model.cellTopic[assign[i]!]!) ?? 0) + 1);
    return {
      label: labelOf(t),
      terms: t,
      source: f.statistic === null ? ('neighbours' as const) : ('cells' as const),
      size: f.members.length,
      share: f.members.length / vectors.length,
      regionCount: f.regionCount,
      expectedCount: f.expectedCount,
      statistic: f.statistic,
      examples: closest(f.members, vectors, centre, o.examples).map((i) => texts[i]!),
      nearTopics: [...topicWeight]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([id]) => ({ id, label: model.topics[id]!.label })),
      members: f.members.slice().sort((a, b) => a - b),
    };
  });
}

/**
 * Current inputs with more current than baseline inputs among their `k` nearest neighbours in the
 * region, after weighting each side by its size (so a region that merely grew, with current and
 * baseline inputs interleaved, yields few; a new intent, dense in current inputs, yields most).
 */
export function newMembers(current: readonly number[], baseline: readonly number[], curVectors: readonly Vec[], baseVectors: readonly Vec[], k: number): number[] {
  if (current.length === 0) return [];
  const wCur = 1 / current.length;
  const wBase = baseline.length > 0 ? 1 / baseline.length : 0;
  const nb = Math.min(k, current.length - 1 + baseline.length);
  return current.filter((i) => {
    const near: Array<[number, boolean]> = [];
    for (const j of current) if (j !== i) near.push([squaredDistance(curVectors[i]!, curVectors[j]!), true]);
    for (const j of baseline) near.push([squaredDistance(curVectors[i]!, baseVectors[j]!), false]);
    near.sort((a, b) => a[0] - b[0]);
    let cur = 0;
    let base = 0;
    for (let r = 0; r < nb; r++) near[r]![1] ? (cur += wCur) : (base += wBase);
    return cur > base;
  });
}
