/**
 * One judge run over one UTC day: summaries → stratified sample → rebuild the sampled
 * conversations → judge them (bounded concurrency, within budget) → judge_scores → weighted
 * daily estimates (judge_daily) → quality-drop alert drafts, handed to the alert engine when one
 * is given.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter, register as defaultRegistry, type Registry } from 'prom-client';
import { chTime, type ClickHouseClient } from '../../common/clickhouse.ts';
import type { AlertDraftInput } from '../alerts/model.ts';
import type { AlertScope } from '../alerts/store.ts';
import { Budget, type BudgetLimits } from './budget.ts';
import { readConversations, readSummaries, type Conversation, type DayWindow } from './conversations.ts';
import { ALL, dropTest, qualityAlerts, stratifiedMean, type DailyPoint, type DropOptions, type DropTest, type WorstExample } from './estimate.ts';
import type { Judge, JudgeOutcome } from './judges.ts';
import type { ChatUsage } from './providers.ts';
import { CRITERIA, type Criterion } from './rubric.ts';
import { drawSample, type SampledConversation } from './sample.ts';
import { insertDaily, insertScores, readDayScores, readHistory, type DailyRow, type ScoreRow, type StoredScore } from './store.ts';

export interface JudgeRunOptions {
  /** Date label of the window (YYYY-MM-DD in the scheduler's time zone): judge_scores.day, part of the sampling seed. */
  day: string;
  window: DayWindow;
  seed: number;
  sampleSize: number;
  riskOversample: number;
  minPerStratum: number;
  maxTopicsPerTenant: number;
  slowTurnMs: number;
  concurrency: number;
  budget: BudgetLimits;
  baselineDays: number;
  alert: DropOptions;
}

/** Hands a run's drafts to the alert lifecycle (jobs/alerts/run.ts `processAlerts` bound to a store). */
export type AlertSink = (drafts: AlertDraftInput[], scope: AlertScope) => Promise<unknown>;

export interface JudgeRunDeps {
  ch: ClickHouseClient;
  database: string;
  judge: Judge;
  /** Dollar price of a judge call's usage; null when unpriced (only token budgets then). */
  pricing: (u: ChatUsage) => number | null;
  alerts?: AlertSink;
  logger?: Logger;
  signal?: AbortSignal;
  now?: () => number;
  registry?: Registry;
}

export interface JudgeRunResult {
  run_id: string;
  day: string;
  judge: string;
  judge_kind: 'llm' | 'offline';
  prompt_version: string;
  population: number;
  strata: number;
  sampled: number;
  judged: number;
  failed: number;
  /** Sampled but not judged because the budget ran out (or the run was aborted). */
  not_judged: number;
  budget_exhausted: boolean;
  spent: { tokens: number; usd: number };
  daily_rows: number;
  drafts: AlertDraftInput[];
  /** True when the drafts went to the alert engine; false: they are only returned here. */
  alerts_handed_over: boolean;
}

interface Metrics {
  judgments: Counter<'judge_kind' | 'status'>;
  tokens: Counter<'judge'>;
}
const metricsByRegistry = new WeakMap<Registry, Metrics>();
function metrics(registry: Registry): Metrics {
  let m = metricsByRegistry.get(registry);
  if (!m) {
    m = {
      judgments: new Counter({ name: 'lookout_judge_judgments_total', help: 'Conversations judged, by judge kind and outcome', labelNames: ['judge_kind', 'status'], registers: [registry] }),
      tokens: new Counter({ name: 'lookout_judge_tokens_total', help: 'Tokens used by judge model calls', labelNames: ['judge'], registers: [registry] }),
    };
    metricsByRegistry.set(registry, m);
  }
  return m;
}

/** Conversations per insert batch. */
const CHUNK = 50;

/** Columns that are the same for every row of a run. */
type RunBase = Pick<ScoreRow, 'day' | 'judge' | 'judge_kind' | 'judge_model' | 'prompt_version' | 'seed' | 'run_id' | 'judged_at'>;
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

function scoreRows(item: SampledConversation, conv: Conversation, outcome: Exclude<JudgeOutcome, { status: 'skipped_budget' }>, base: RunBase): ScoreRow[] {
  return CRITERIA.map((criterion) => {
    const r = outcome.status === 'ok' ? outcome.scores[criterion] : null;
    return {
      ...base,
      tenant: item.tenant,
      conversation_id: item.conversation_id,
      topic: item.topic,
      risk_signals: item.risk_signals,
      stratum: item.stratum,
      stratum_population: item.stratum_population,
      stratum_sample: item.stratum_sample,
      inclusion_prob: item.inclusion_prob,
      weight: item.weight,
      question: clip(conv.turns[0]?.input.replace(/\s+/g, ' ').trim() ?? '', 300),
      conversation_started_at: chTime(conv.started_at),
      criterion,
      status: outcome.status === 'failed' ? 'failed' : r!.score === null ? 'not_applicable' : 'ok',
      score: r?.score ?? null,
      rationale: clip(r?.rationale ?? '', 500),
      error: outcome.status === 'failed' ? outcome.error : '',
      attempts: outcome.attempts,
      input_tokens: outcome.usage.input_tokens,
      output_tokens: outcome.usage.output_tokens,
    };
  });
}

/** Runs `work` over `items` with at most `limit` in flight; stops taking new items once `stop()` says so. */
async function pool<T>(items: T[], limit: number, stop: () => boolean, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Daily rows for every criterion × (tenant × topic, tenant, everything). */
export function dailyRows(scores: StoredScore[], base: Pick<DailyRow, 'day' | 'judge' | 'judge_kind' | 'computed_at' | 'run_id'>): DailyRow[] {
  const groups = new Map<string, { criterion: string; tenant: string; topic: string; ok: StoredScore[]; failed: number; versions: Set<string> }>();
  for (const s of scores) {
    for (const [tenant, topic] of [[s.tenant, s.topic], [s.tenant, ALL], [ALL, ALL]] as const) {
      const key = `${s.criterion}\u0000${tenant}\u0000${topic}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { criterion: s.criterion, tenant, topic, ok: [], failed: 0, versions: new Set() }));
      if (s.status === 'ok' && s.score !== null) g.ok.push(s);
      if (s.status === 'failed') g.failed += 1;
      g.versions.add(s.prompt_version);
    }
  }
  const rows: DailyRow[] = [];
  for (const g of groups.values()) {
    const est = stratifiedMean(g.ok.map((s) => ({ stratum: s.stratum, stratum_population: s.stratum_population, score: s.score! })));
    rows.push({
      ...base,
      criterion: g.criterion,
      tenant: g.tenant,
      topic: g.topic,
      prompt_version: [...g.versions].sort().at(-1)!,
      mean: est?.mean ?? 0,
      stderr: est?.se ?? 0,
      ci_low: est?.ci_low ?? 0,
      ci_high: est?.ci_high ?? 0,
      scored: est?.scored ?? 0,
      failed: g.failed,
      population: est?.population ?? 0,
      strata_covered: est?.strata_covered ?? 0,
    });
  }
  return rows;
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

export async function runJudge(o: JudgeRunOptions, deps: JudgeRunDeps): Promise<JudgeRunResult> {
  const now = deps.now ?? Date.now;
  const m = metrics(deps.registry ?? defaultRegistry);
  const runId = randomUUID();
  const { window } = o;
  const { judge, ch, database: db } = deps;
  const log = deps.logger?.child({ job: 'judge', run_id: runId, day: o.day, judge: judge.id });

  const population = await readSummaries(ch, db, window, o.slowTurnMs);
  const sample = drawSample(population, {
    size: o.sampleSize, seed: o.seed, day: o.day, riskOversample: o.riskOversample,
    minPerStratum: o.minPerStratum, maxTopicsPerTenant: o.maxTopicsPerTenant,
  });
  log?.info({ population: sample.population, strata: sample.strata.length, sampled: sample.items.length, topics_kept: sample.topicsKept }, 'judge sample drawn');
  const convs = new Map((await readConversations(ch, db, window, sample.items)).map((c) => [`${c.tenant}\u0000${c.conversation_id}`, c]));

  const budget = new Budget(o.budget, deps.pricing);
  const base = { day: o.day, judge: judge.id, judge_kind: judge.kind, judge_model: judge.model, prompt_version: judge.promptVersion, seed: o.seed, run_id: runId };
  let judged = 0;
  let failed = 0;
  let attempted = 0;
  // Fixed chunks in sample order, rows in sample order: a re-run forms the same insert batches
  // whatever order the concurrent calls finish in, so identical judgments deduplicate.
  for (let from = 0; from < sample.items.length && !budget.exhausted && !deps.signal?.aborted; from += CHUNK) {
    const chunk = sample.items.slice(from, from + CHUNK);
    const rows: ScoreRow[][] = chunk.map(() => []);
    await pool(chunk.map((item, i) => ({ item, i })), o.concurrency, () => budget.exhausted || Boolean(deps.signal?.aborted), async ({ item, i }) => {
      const conv = convs.get(`${item.tenant}\u0000${item.conversation_id}`);
      if (!conv) return;
      const outcome = await judge.judge(conv, budget, deps.signal);
      if (outcome.status === 'skipped_budget') return;
      attempted += 1;
      if (outcome.status === 'ok') judged += 1;
      else failed += 1;
      m.judgments.inc({ judge_kind: judge.kind, status: outcome.status });
      m.tokens.inc({ judge: judge.id }, outcome.usage.input_tokens + outcome.usage.output_tokens);
      rows[i] = scoreRows(item, conv, outcome, { ...base, judged_at: chTime(now()) });
    });
    await insertScores(ch, db, rows.flat());
  }
  if (budget.exhausted) log?.warn({ spent: budget.spent, judged: attempted, sampled: sample.items.length }, 'judge budget reached: run stopped early');

  // Estimates from what is stored, so a re-run that judged only part of the sample still counts all of it.
  const stored = await readDayScores(ch, db, o.day, judge.id);
  const daily = dailyRows(stored, { day: o.day, judge: judge.id, judge_kind: judge.kind, computed_at: chTime(now()), run_id: runId });
  await insertDaily(ch, db, daily);

  const history = await readHistory(ch, db, judge.id, addDays(o.day, -o.baselineDays), o.day);
  const series = new Map<string, DailyPoint[]>();
  for (const h of history) {
    const key = `${h.tenant}\u0000${h.criterion}`;
    series.set(key, [...(series.get(key) ?? []), { day: h.day, mean: h.mean, se: h.stderr }]);
  }
  const tests: DropTest[] = [];
  for (const d of daily) {
    if (d.topic !== ALL || d.scored === 0) continue;
    const t = dropTest(d.tenant, d.criterion as Criterion, { mean: d.mean, se: d.stderr, ci_low: d.ci_low, ci_high: d.ci_high, scored: d.scored, population: d.population, strata_covered: d.strata_covered }, series.get(`${d.tenant}\u0000${d.criterion}`) ?? [], o.alert.minBaselineDays);
    if (t) tests.push(t);
  }
  const worst = (t: DropTest): WorstExample[] =>
    stored
      .filter((s) => s.criterion === t.criterion && s.status === 'ok' && s.score !== null && (t.tenant === ALL || s.tenant === t.tenant))
      .sort((a, b) => a.score! - b.score! || a.conversation_id.localeCompare(b.conversation_id))
      .slice(0, 3)
      .map((s) => ({ conversation_id: s.conversation_id, score: s.score!, rationale: clip(s.rationale, 200), question: clip(s.question, 150) }));
  const drafts = qualityAlerts(tests, { ...o.alert, day: o.day, window, judge: judge.id, worst });
  const tenants = [...new Set(daily.map((d) => d.tenant))];
  if (deps.alerts) await deps.alerts(drafts, { kinds: ['quality'], tenants });
  log?.info({ judged, failed, drafts: drafts.length, spent: budget.spent }, 'judge run finished');

  return {
    run_id: runId,
    day: o.day,
    judge: judge.id,
    judge_kind: judge.kind,
    prompt_version: judge.promptVersion,
    population: sample.population,
    strata: sample.strata.length,
    sampled: sample.items.length,
    judged,
    failed,
    not_judged: sample.items.length - attempted,
    budget_exhausted: budget.exhausted,
    spent: budget.spent,
    daily_rows: daily.length,
    drafts,
    alerts_handed_over: Boolean(deps.alerts),
  };
}
