/**
 * `drift` (daily): per tenant, the day's redacted request inputs against the previous days'
 * (a deterministic sample of each), embedded through the `embeddings` cache; the verdict goes to
 * `drift_runs` and `drift_clusters` (replacing an earlier run of the same tenant and day), and
 * drift and knowledge-rot findings go through the alert lifecycle.
 */
import type { Config } from '../../common/config.ts';
import { fmtNum, type AlertDraftInput, type AlertKind } from '../alerts/model.ts';
import type { JobContext, JobDefinition, JobWindow } from '../scheduler/job.ts';
import { lastDay } from '../scheduler/windows.ts';
import { buildBaseline, compareAssigned, DEFAULT_DRIFT_OPTIONS, type DriftOptions, type DriftReport } from './detect.ts';
import { assignAll } from './cluster.ts';
import { createEmbedder, type Embedder } from './embed.ts';
import { KB_MODEL, kbGapDraft, kbPassages, reportCoverage, type KbGapOptions, type TopicCoverage } from './kb-gap.ts';
import { DEFAULT_ROT_OPTIONS, retrievalScores, rotDrafts, rotSignals, staleCitations, topicOutcomes, type RotOptions } from './rot.ts';
import { driftRunId, embedCached, knownDocuments, sampleInputs, storeDriftRun, tenantsWithInputs, type SampledInput, type TimeRange } from './store.ts';

const DAY = 86_400_000;

export const DRIFT_ALERT_KINDS: AlertKind[] = ['drift', 'knowledge_rot'];

export interface DriftJobOptions {
  baselineDays: number;
  /** Current inputs per tenant and window, at most (a deterministic sample). */
  sampleSize: number;
  baselineSampleSize: number;
  /** Fewer current inputs than this: no drift verdict for the tenant (rot still runs). */
  minCurrentInputs: number;
  /** Fewer baseline inputs than this: no drift verdict (the detector needs at least 100). */
  minBaselineInputs: number;
  detect: Partial<DriftOptions>;
  rot: RotOptions;
  kbGap: KbGapOptions;
  /** Only these tenants (default: every tenant with inputs in the baseline or the window). */
  tenants?: string[];
  progress?: (line: string) => void;
  /** The drift encoder (default: created on first use, then shared by every tenant). */
  embedder?: Embedder;
  /** The knowledge-base coverage encoder (`KB_MODEL`; likewise). */
  kbEmbedder?: Embedder;
}

/** Lazily created encoders, shared by the tenants of one run. */
export interface DriftEmbedders {
  drift: () => Promise<Embedder>;
  kb: () => Promise<Embedder>;
}

export function driftOptionsFromConfig(config: Config): DriftJobOptions {
  const d = config.drift;
  return {
    baselineDays: d.baselineDays,
    sampleSize: d.sampleSize,
    baselineSampleSize: d.baselineSampleSize,
    minCurrentInputs: d.minInputs,
    minBaselineInputs: Math.max(100, d.minInputs),
    detect: { alpha: d.alpha },
    rot: { ...DEFAULT_ROT_OPTIONS, alpha: d.alpha },
    kbGap: { similarity: d.kbGapSimilarity, minShare: d.kbGapShare, minInputs: d.kbGapMinInputs },
  };
}

export function baselineRange(window: TimeRange, days: number): TimeRange {
  return { start: window.start - days * DAY, end: window.start };
}

export interface TenantDriftResult {
  tenant: string;
  runId: string;
  skipped?: string;
  report?: DriftReport;
  embedded?: number;
  /** KB coverage of the window's topics; absent when the tenant has no KB documents. */
  kb?: { passages: number; topics: TopicCoverage[] };
}

const pct = (x: number) => `${fmtNum(100 * x, 1)}%`;

/** The drift alert of one tenant's verdict: emerging topics first, then topics that grew or shrank. */
export function driftDraft(tenant: string, report: DriftReport, window: TimeRange): AlertDraftInput {
  const lines = [
    ...report.emerging.topics.map((t) => `• NEW "${t.label}": ${t.size} of ${report.sizes.current} inputs (${pct(t.share)})${t.nearTopics.length ? `, near "${t.nearTopics[0]!.label}"` : ''}; e.g. ${[...new Set(t.examples)].slice(0, 2).map((e) => `"${e.slice(0, 120)}"`).join(', ')}`),
    ...report.mix.changed.map((c) => `• ${c.direction.toUpperCase()} "${c.label}": ${pct(c.baselineShare)} → ${pct(c.currentShare)} (${c.currentCount} inputs, q=${fmtNum(c.qValue, 4)}); e.g. "${(c.examples[0] ?? '').slice(0, 120)}"`),
  ];
  const top = report.emerging.topics[0];
  const headline = top ? `new topic "${top.label}" (${top.size} inputs, ${pct(top.share)})` : report.mix.changed[0] ? `"${report.mix.changed[0].label}" ${report.mix.changed[0].direction}` : 'topic mix shifted';
  const examples = [...new Set([...report.emerging.topics.flatMap((t) => t.examples.slice(0, 2)), ...report.mix.changed.flatMap((c) => c.examples.slice(0, 1))])].slice(0, 5).map((e) => e.slice(0, 500));
  return {
    kind: 'drift',
    severity: report.emerging.topics.some((t) => t.share >= 0.05) ? 'critical' : 'warning',
    tenant,
    subject: 'inputs',
    title: `Input drift for ${tenant}: ${headline}`.slice(0, 150),
    summary: [
      `The day's ${report.sizes.current} inputs differ from the ${report.sizes.baseline} baseline inputs (p=${report.test.pValue.toFixed(4)} ≤ ${report.alpha}).`,
      ...lines,
    ].join('\n').slice(0, 2000),
    measure: {
      metric: 'share of inputs in emerging topics',
      value: report.emerging.topics.reduce((s, t) => s + t.share, 0),
      baseline: 0,
      change_pct: null,
      window_start: window.start,
      window_end: window.end,
    },
    facts: [
      { label: 'p-value', value: `${report.test.pValue.toFixed(4)} (cells ${report.test.cells.pValue.toFixed(4)}, neighbours ${report.test.neighbours.pValue.toFixed(4)})` },
      ...report.emerging.topics.slice(0, 5).map((t) => ({ label: `new: ${t.label}`.slice(0, 80), value: `${t.size} inputs (${pct(t.share)})` })),
      ...report.mix.changed.slice(0, 4).map((c) => ({ label: `${c.direction}: ${c.label}`.slice(0, 80), value: `${pct(c.baselineShare)} → ${pct(c.currentShare)}` })),
    ],
    examples,
  };
}

/** Drift verdict of one tenant for `window`, stored; the embedders are shared across tenants. */
export async function runTenantDrift(ctx: Pick<JobContext, 'clickhouse' | 'database'>, tenant: string, window: TimeRange, o: DriftJobOptions, embedders: DriftEmbedders): Promise<TenantDriftResult> {
  const { clickhouse: ch, database: db } = ctx;
  const runId = driftRunId(tenant, window);
  const startedAt = Date.now();
  const baseline = baselineRange(window, o.baselineDays);
  const seed = o.detect.seed ?? DEFAULT_DRIFT_OPTIONS.seed;
  const sampled = await sampleInputs(ch, db, tenant, window, o.sampleSize, seed, { openings: true });
  const current = sampled.map((s) => s.text);
  if (current.length < o.minCurrentInputs) return { tenant, runId, skipped: `${current.length} current inputs (< ${o.minCurrentInputs})` };
  const base = (await sampleInputs(ch, db, tenant, baseline, o.baselineSampleSize, seed)).map((s) => s.text);
  if (base.length < o.minBaselineInputs) return { tenant, runId, skipped: `${base.length} baseline inputs (< ${o.minBaselineInputs})` };
  const e = await embedders.drift();
  const say = o.progress ?? (() => {});
  const texts = base.concat(current);
  const { vectors, embedded: embeddedInputs } = await embedCached(ch, db, tenant, e, texts, {
    onProgress: (done, total) => {
      if (done === total || done % 2000 < 16) say(`${tenant}: embedded ${done}/${total}`);
    },
  });
  say(`${tenant}: ${texts.length} inputs have vectors (${embeddedInputs} embedded now, the rest from the cache)`);
  const currentVectors = vectors.slice(base.length);
  const model = buildBaseline(vectors.slice(0, base.length), base, o.detect);
  const assign = assignAll(currentVectors, model.centroids);
  const report = compareAssigned(model, assign, currentVectors, current, o.detect);
  const kb = await kbCoverage(ch, db, tenant, window, embedders.kb, model.cellTopic, assign, report, sampled, o.kbGap);
  const embedded = embeddedInputs + (kb?.embedded ?? 0);
  await storeDriftRun(ch, db, {
    runId, tenant, startedAt, finishedAt: Date.now(), baseline, current: window, model: e.modelId, embedded,
    options: { ...DEFAULT_DRIFT_OPTIONS, ...o.detect, baselineDays: o.baselineDays, sampleSize: o.sampleSize, baselineSampleSize: o.baselineSampleSize, kbGap: o.kbGap },
    report,
    ...(kb ? { kb: { passages: kb.passages, topics: kb.topics } } : {}),
  });
  const gaps = kb?.topics.filter((t) => t.gap).length ?? 0;
  say(`${tenant}: ${report.drift ? 'DRIFT' : 'no drift'} p=${report.test.pValue.toFixed(4)} (${current.length} vs ${base.length} inputs, ${embedded} embedded)${kb ? `, ${gaps} KB gap(s) over ${kb.passages} passages` : ', no KB documents'}`);
  return { tenant, runId, report, embedded, ...(kb ? { kb: { passages: kb.passages, topics: kb.topics } } : {}) };
}

/**
 * Coverage of the window's topics (baseline topics by the cell of each input, and emerging
 * topics) by the newest version of the tenant's KB documents, or undefined without documents.
 * Inputs and passages are compared in the KB encoder's space (`KB_MODEL`), both through the cache.
 */
async function kbCoverage(
  ch: JobContext['clickhouse'],
  db: string,
  tenant: string,
  window: TimeRange,
  embedder: () => Promise<Embedder>,
  cellTopic: readonly number[],
  assign: Int32Array,
  report: DriftReport,
  current: SampledInput[],
  o: KbGapOptions,
): Promise<{ passages: number; topics: TopicCoverage[]; embedded: number } | undefined> {
  const passages = kbPassages(await knownDocuments(ch, db, tenant, window.end));
  if (passages.length === 0) return undefined;
  const e = await embedder();
  const texts = current.map((s) => s.text);
  const openings = current.flatMap((s) => (s.opening === undefined ? [] : [s.opening]));
  const inputs = await embedCached(ch, db, tenant, e, texts.concat(openings));
  const cached = await embedCached(ch, db, tenant, e, passages.map((p) => p.text));
  let next = texts.length;
  const opening = current.map((s) => (s.opening === undefined ? undefined : inputs.vectors[next++]!));
  const topics = reportCoverage(report, cellTopic, assign, { vectors: inputs.vectors.slice(0, texts.length), texts, opening }, passages, cached.vectors, o);
  return { passages: passages.length, topics, embedded: inputs.embedded + cached.embedded };
}

export interface DriftRunSummary {
  tenants: TenantDriftResult[];
  drafts: AlertDraftInput[];
}

/** Drift and knowledge rot for every tenant (or `o.tenants`) over `window`; returns the alert drafts. */
export async function detectDrift(ctx: Pick<JobContext, 'clickhouse' | 'database'>, window: JobWindow, o: DriftJobOptions): Promise<DriftRunSummary> {
  const baseline = baselineRange(window, o.baselineDays);
  const tenants = o.tenants ?? (await tenantsWithInputs(ctx.clickhouse, ctx.database, { start: baseline.start, end: window.end }));
  let ownedDrift: Embedder | undefined;
  let ownedKb: Embedder | undefined;
  const embedders: DriftEmbedders = {
    drift: async () => o.embedder ?? (ownedDrift ??= await createEmbedder()),
    kb: async () => o.kbEmbedder ?? (ownedKb ??= await createEmbedder({ model: KB_MODEL })),
  };
  const results: TenantDriftResult[] = [];
  const drafts: AlertDraftInput[] = [];
  try {
    for (const tenant of tenants) {
      const r = await runTenantDrift(ctx, tenant, window, o, embedders);
      results.push(r);
      if (r.report?.drift) drafts.push(driftDraft(tenant, r.report, window));
      for (const gap of r.kb?.topics.filter((t) => t.gap) ?? []) drafts.push(kbGapDraft(tenant, gap, window, o.kbGap));
    }
  } finally {
    await ownedDrift?.dispose();
    await ownedKb?.dispose();
  }
  if (tenants.length > 0) {
    const [stale, outcomes, scores] = await Promise.all([
      staleCitations(ctx.clickhouse, ctx.database, window, tenants),
      topicOutcomes(ctx.clickhouse, ctx.database, baseline, window, tenants),
      retrievalScores(ctx.clickhouse, ctx.database, baseline, window, tenants),
    ]);
    drafts.push(...rotDrafts(rotSignals({ stale, outcomes, scores }, o.rot), window));
  }
  return { tenants: results, drafts };
}

export async function runDrift(ctx: JobContext, o: DriftJobOptions = driftOptionsFromConfig(ctx.config)): Promise<Record<string, unknown>> {
  const { tenants, drafts } = await detectDrift(ctx, ctx.window, o);
  const report = await ctx.alerts(drafts, { kinds: DRIFT_ALERT_KINDS, ...(o.tenants ? { tenants: o.tenants } : {}) });
  return {
    tenants: tenants.map((t) => ({
      tenant: t.tenant,
      run_id: t.runId,
      ...(t.skipped ? { skipped: t.skipped } : {}),
      ...(t.report ? { drift: t.report.drift, p_value: t.report.test.pValue, current: t.report.sizes.current, baseline: t.report.sizes.baseline, emerging: t.report.emerging.topics.map((x) => x.label), embedded: t.embedded } : {}),
    })),
    drafts: { drift: drafts.filter((d) => d.kind === 'drift').length, knowledge_rot: drafts.filter((d) => d.kind === 'knowledge_rot').length },
    alerts: report,
  };
}

export const driftJob: JobDefinition = {
  name: 'drift',
  description: 'input drift (emerging topics, topic mix) and knowledge rot per tenant for the last day',
  // After midnight's late events and the judge's sampling; embedding is the slow part.
  schedule: '30 2 * * *',
  window: (now, timeZone) => lastDay(now, timeZone),
  run: (ctx) => runDrift(ctx),
};
