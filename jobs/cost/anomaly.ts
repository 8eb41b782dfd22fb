/**
 * Spend and tokens-per-request anomalies: the last complete hour against the same hour of the
 * week (± neighbour hours) over the trailing weeks, by robust z (median/MAD). One-sided: only
 * "far above" alerts. Quiet series never page: the hour needs a minimum of requests and spend.
 */
import { fmtNum, fmtPct, fmtTime, fmtUsd, type AlertDraftInput } from '../alerts/model.ts';
import { median, robustZ } from './stats.ts';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

export interface HourlyPoint {
  /** Start of the hour, epoch ms. */
  hour: number;
  requests: number;
  cost_usd: number;
  tokens: number;
}

export interface HourlySeries {
  tenant: string;
  /** Service; absent: the tenant's total. */
  feature?: string;
  /** Hours without traffic may be absent: after the first point they count as zero spend. */
  points: HourlyPoint[];
}

export interface AnomalyOptions {
  weeks: number;
  neighbourHours: number;
  minBaselinePoints: number;
  zWarning: number;
  zCritical: number;
  /** Value must also be at least this multiple of the baseline median. */
  minRatio: number;
  /** The hour must have this many requests... */
  minRequests: number;
  /** ...and, for spend, at least this many dollars. */
  minSpendUsd: number;
  /** Floor of the log-scale spread (0.2 = about 22 %): a flat history is not a zero-noise one. */
  minLogScale: number;
  links?: (s: HourlySeries) => { label: string; url: string }[];
}

export const DEFAULT_ANOMALY_OPTIONS: AnomalyOptions = {
  weeks: 4,
  neighbourHours: 1,
  minBaselinePoints: 8,
  zWarning: 5,
  zCritical: 8,
  minRatio: 2,
  minRequests: 50,
  minSpendUsd: 1,
  minLogScale: 0.2,
};

type Metric = 'spend' | 'tokens_per_request';

function metricValue(metric: Metric, p: HourlyPoint | undefined): number | null {
  if (metric === 'spend') return p?.cost_usd ?? 0;
  return p && p.requests > 0 ? p.tokens / p.requests : null;
}

/** Drafts for the hour starting at `hour` (the last complete one). */
export function detectAnomalies(series: HourlySeries[], hour: number, options: Partial<AnomalyOptions> = {}): AlertDraftInput[] {
  const o = { ...DEFAULT_ANOMALY_OPTIONS, ...options };
  const drafts: AlertDraftInput[] = [];
  for (const s of series) {
    const byHour = new Map(s.points.map((p) => [p.hour, p]));
    const firstHour = Math.min(...s.points.map((p) => p.hour));
    const current = byHour.get(hour);
    if (!current || current.requests < o.minRequests) continue;
    for (const metric of ['spend', 'tokens_per_request'] as const) {
      const value = metricValue(metric, current);
      if (value === null || (metric === 'spend' && value < o.minSpendUsd)) continue;
      const baseline: number[] = [];
      for (let w = 1; w <= o.weeks; w++) {
        for (let k = -o.neighbourHours; k <= o.neighbourHours; k++) {
          const at = hour - w * WEEK + k * HOUR;
          // Before the series' first hour nothing is known; after it, a missing hour had no traffic.
          if (at < firstHour) continue;
          const p = byHour.get(at);
          // Tokens per request of a near-empty hour is noise, not a baseline.
          if (metric === 'tokens_per_request' && (!p || p.requests < Math.min(10, o.minRequests))) continue;
          const v = metricValue(metric, p);
          if (v !== null) baseline.push(v);
        }
      }
      if (baseline.length < o.minBaselinePoints) continue;
      // Spend and token counts vary multiplicatively: compare on a log scale.
      const unit = metric === 'spend' ? 0.01 : 1;
      const log = (v: number) => Math.log1p(v / unit);
      const stat = robustZ(log(value), baseline.map(log), o.minLogScale);
      const usual = median(baseline);
      const ratio = usual > 0 ? value / usual : Infinity;
      if (stat.z < o.zWarning || ratio < o.minRatio) continue;
      drafts.push(anomalyDraft(s, metric, hour, value, current, { z: stat.z, median: usual }, ratio, baseline.length, o));
    }
  }
  return drafts;
}

function anomalyDraft(
  s: HourlySeries,
  metric: Metric,
  hour: number,
  value: number,
  current: HourlyPoint,
  stat: { z: number; median: number },
  ratio: number,
  points: number,
  o: AnomalyOptions,
): AlertDraftInput {
  const scope = s.feature ? `${s.tenant} / ${s.feature}` : s.tenant;
  const fmt = metric === 'spend' ? fmtUsd : (n: number) => `${fmtNum(n, 0)} tokens`;
  const label = metric === 'spend' ? 'Spend' : 'Tokens per request';
  const change = stat.median > 0 ? ((value - stat.median) / stat.median) * 100 : null;
  const times = Number.isFinite(ratio) ? `${fmtNum(ratio, 1)}x` : 'far above';
  const summary =
    `${label} for ${scope} was ${fmt(value)} in the hour from ${fmtTime(hour)}, ${times} the usual ${fmt(stat.median)} ` +
    `(median of the same hour ±${o.neighbourHours} h over the previous ${o.weeks} weeks, ${points} points; robust z on log scale = ${fmtNum(stat.z, 1)}), ` +
    `on ${fmtNum(current.requests, 0)} requests costing ${fmtUsd(current.cost_usd)}.`;
  return {
    kind: 'cost_anomaly',
    severity: stat.z >= o.zCritical && ratio >= 3 ? 'critical' : 'warning',
    tenant: s.tenant,
    subject: `${metric}:${s.feature ?? '*'}`,
    title: `${scope}: ${label.toLowerCase()} ${times} the usual`,
    summary,
    measure: { metric: metric === 'spend' ? 'spend per hour (USD)' : 'tokens per request', value, baseline: stat.median, change_pct: change, window_start: hour, window_end: hour + HOUR },
    facts: [
      { label, value: fmt(value) },
      { label: 'Usual (median)', value: fmt(stat.median) },
      { label: 'Change', value: change === null ? 'from zero' : fmtPct(change) },
      { label: 'Robust z', value: fmtNum(stat.z, 1) },
      { label: 'Requests', value: fmtNum(current.requests, 0) },
      { label: 'Hour', value: fmtTime(hour) },
    ],
    links: o.links?.(s) ?? [],
  };
}
