/**
 * Daily quality estimates from weighted judge scores, and the drop test behind quality alerts.
 *
 * Estimate of a domain (a tenant, a tenant × topic, everything): the stratified mean
 * Σ N_h ȳ_h / Σ N_h over the domain's strata, with ȳ_h the mean score of the conversations
 * scored in stratum h and N_h its population. With every sampled conversation scored this is the
 * Horvitz-Thompson estimate (Σ score / π over N); conversations sampled but not scored (judge
 * failure, budget stop) are treated as missing at random within their stratum, which the
 * random processing order makes true for budget stops. Variance:
 * Σ (N_h / N)² (1 − n_h / N_h) s_h² / n_h; a stratum with one score borrows the domain's pooled
 * variance. Strata with no score at all are left out and reported as not covered.
 *
 * Drop test, per tenant and criterion against the trailing daily estimates (at least
 * `minBaselineDays` of them): baseline b = their mean; the spread a new day can show without a real
 * change is s² = max(variance of the daily means, mean of their squared standard errors, today's
 * squared standard error), so z = (today − b) / √(s² (1 + 1/k)). An alert needs the one-sided
 * p-value under alpha / m (Bonferroni over the m tests of the run) and a drop of at least `minDrop`.
 */
import { normalCdf } from '../drift/stats.ts';
import { fmtNum, fmtPct, type AlertDraftInput } from '../alerts/model.ts';
import type { Criterion } from './rubric.ts';

export const ALL = '*';
const Z95 = 1.959964;

export interface ScoreObs {
  stratum: string;
  stratum_population: number;
  score: number;
}

export interface Estimate {
  mean: number;
  se: number;
  ci_low: number;
  ci_high: number;
  scored: number;
  /** Conversations the estimate speaks for (Σ N_h over covered strata). */
  population: number;
  strata_covered: number;
}

export function stratifiedMean(obs: ScoreObs[]): Estimate | null {
  if (obs.length === 0) return null;
  const byStratum = new Map<string, { N: number; ys: number[] }>();
  for (const o of obs) {
    const s = byStratum.get(o.stratum) ?? { N: o.stratum_population, ys: [] };
    s.ys.push(o.score);
    byStratum.set(o.stratum, s);
  }
  const all = obs.map((o) => o.score);
  const mu = all.reduce((a, b) => a + b, 0) / all.length;
  const pooled = all.length > 1 ? all.reduce((a, y) => a + (y - mu) ** 2, 0) / (all.length - 1) : 0;
  let N = 0;
  for (const s of byStratum.values()) N += s.N;
  let mean = 0;
  let variance = 0;
  for (const s of byStratum.values()) {
    const n = s.ys.length;
    const ybar = s.ys.reduce((a, b) => a + b, 0) / n;
    const s2 = n > 1 ? s.ys.reduce((a, y) => a + (y - ybar) ** 2, 0) / (n - 1) : pooled;
    const share = s.N / N;
    mean += share * ybar;
    variance += share * share * Math.max(0, 1 - n / s.N) * (s2 / n);
  }
  const se = Math.sqrt(variance);
  return { mean, se, ci_low: mean - Z95 * se, ci_high: mean + Z95 * se, scored: obs.length, population: N, strata_covered: byStratum.size };
}

export interface DailyPoint {
  day: string;
  mean: number;
  se: number;
}

export interface DropTest {
  tenant: string;
  criterion: Criterion;
  today: Estimate;
  baseline: number;
  baselineDays: number;
  /** Standard deviation of the difference today − baseline. */
  sd: number;
  z: number;
  p: number;
}

export interface DropOptions {
  alpha: number;
  minDrop: number;
  minBaselineDays: number;
}

export function dropTest(tenant: string, criterion: Criterion, today: Estimate, history: DailyPoint[], minBaselineDays: number): DropTest | null {
  const k = history.length;
  if (k < minBaselineDays || k === 0) return null;
  const b = history.reduce((a, h) => a + h.mean, 0) / k;
  const between = k > 1 ? history.reduce((a, h) => a + (h.mean - b) ** 2, 0) / (k - 1) : 0;
  const within = history.reduce((a, h) => a + h.se ** 2, 0) / k;
  const s2 = Math.max(between, within, today.se ** 2);
  const sd = Math.sqrt(s2 * (1 + 1 / k));
  if (sd === 0) return null;
  const z = (today.mean - b) / sd;
  return { tenant, criterion, today, baseline: b, baselineDays: k, sd, z, p: normalCdf(z) };
}

export interface WorstExample {
  conversation_id: string;
  score: number;
  rationale: string;
  question: string;
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** Alert drafts for the tests that pass the Bonferroni threshold and the minimum drop. */
export function qualityAlerts(
  tests: DropTest[],
  o: DropOptions & { day: string; window: { start: number; end: number }; judge: string; worst: (t: DropTest) => WorstExample[] },
): AlertDraftInput[] {
  const m = Math.max(1, tests.length);
  const drafts: AlertDraftInput[] = [];
  for (const t of tests) {
    const drop = t.baseline - t.today.mean;
    if (t.p > o.alpha / m || drop < o.minDrop) continue;
    const lo = -drop - Z95 * t.sd;
    const hi = -drop + Z95 * t.sd;
    const severe = drop >= 2 * o.minDrop && t.p <= o.alpha / m / 100;
    const who = t.tenant === ALL ? 'all tenants' : t.tenant;
    drafts.push({
      kind: 'quality',
      severity: severe ? 'critical' : 'warning',
      tenant: t.tenant,
      subject: `${t.criterion} (${o.judge})`,
      title: clip(`Quality drop: ${t.criterion} for ${who} on ${o.day}`, 150),
      summary: clip(
        `The judged ${t.criterion} score for ${who} fell to ${fmtNum(t.today.mean)} on ${o.day} (95% CI ${fmtNum(t.today.ci_low)}–${fmtNum(t.today.ci_high)}, ` +
          `${t.today.scored} conversations judged by ${o.judge}), against ${fmtNum(t.baseline)} over the previous ${t.baselineDays} days: ` +
          `a change of ${fmtNum(-drop)} points (95% CI ${fmtNum(lo)} to ${fmtNum(hi)}), one-sided p = ${t.p.toExponential(1)}.`,
        2000,
      ),
      measure: {
        metric: `mean ${t.criterion} score (1-5, weighted)`,
        value: t.today.mean,
        baseline: t.baseline,
        change_pct: t.baseline ? ((t.today.mean - t.baseline) / t.baseline) * 100 : null,
        window_start: o.window.start,
        window_end: o.window.end,
      },
      facts: [
        { label: 'Today', value: `${fmtNum(t.today.mean)} (95% CI ${fmtNum(t.today.ci_low)}–${fmtNum(t.today.ci_high)})` },
        { label: 'Baseline', value: `${fmtNum(t.baseline)} (mean of ${t.baselineDays} days)` },
        { label: 'Change', value: `${fmtNum(-drop)} points, ${fmtPct(t.baseline ? (-drop / t.baseline) * 100 : 0)} (95% CI ${fmtNum(lo)} to ${fmtNum(hi)})` },
        { label: 'Significance', value: `z = ${fmtNum(t.z)}, p = ${t.p.toExponential(1)} (threshold ${(o.alpha / m).toExponential(1)}, ${m} tests)` },
        { label: 'Judged', value: `${t.today.scored} sampled conversations standing for ${fmtNum(t.today.population, 0)}` },
      ],
      examples: o.worst(t).slice(0, 5).map((w) => clip(`${w.conversation_id} · ${w.score}/5 · ${w.rationale} · Q: ${w.question}`, 500)),
    });
  }
  return drafts;
}
