/**
 * Budget burn: spend so far in the current day or month against a budget, alerting at
 * thresholds (default 50 % info, 80 % warning, 100 % critical) and, once enough of the period
 * has passed, when the linear forecast to the period's end exceeds the budget.
 */
import { z } from 'zod';
import { fmtNum, fmtUsd, SEVERITIES, severityRank, type AlertDraftInput, type Severity } from '../alerts/model.ts';

export const BudgetOptions = z.strictObject({
  tenant: z.string().min(1),
  /** A feature (service); absent: the tenant's whole spend. */
  feature: z.string().min(1).optional(),
  period: z.enum(['daily', 'monthly']),
  limit_usd: z.number().positive(),
  thresholds: z
    .array(z.strictObject({ pct: z.number().positive(), severity: z.enum(SEVERITIES) }))
    .min(1)
    .default([
      { pct: 50, severity: 'info' },
      { pct: 80, severity: 'warning' },
      { pct: 100, severity: 'critical' },
    ]),
});
export type Budget = z.output<typeof BudgetOptions>;

export interface BudgetCheckOptions {
  /** Time zone of day and month boundaries (the scheduler's). */
  timeZone: string;
  /** Fraction of the period that must have elapsed before a forecast alone can alert. */
  forecastMinElapsed: number;
  links?: { label: string; url: string }[];
}

export interface Period {
  key: string;
  label: string;
  start: number;
  end: number;
}

function zonedParts(ms: number, timeZone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** Epoch ms of local midnight of y-m-d in `timeZone` (Date.UTC normalises month/day overflow). */
function zonedMidnight(y: number, m: number, d: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  let t = wall;
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(t, timeZone);
    const offset = Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - t;
    t = wall - offset;
  }
  return t;
}

export function periodBounds(now: number, period: Budget['period'], timeZone: string): Period {
  const p = zonedParts(now, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (period === 'daily') {
    return { key: `${p.y}-${pad(p.m)}-${pad(p.d)}`, label: `${p.y}-${pad(p.m)}-${pad(p.d)}`, start: zonedMidnight(p.y, p.m, p.d, timeZone), end: zonedMidnight(p.y, p.m, p.d + 1, timeZone) };
  }
  const label = new Date(Date.UTC(p.y, p.m - 1, 15)).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return { key: `${p.y}-${pad(p.m)}`, label, start: zonedMidnight(p.y, p.m, 1, timeZone), end: zonedMidnight(p.y, p.m + 1, 1, timeZone) };
}

/** The alert draft for one budget, or null when it is comfortably within limits. */
export function checkBudget(budget: Budget, spentUsd: number, now: number, opts: BudgetCheckOptions): AlertDraftInput | null {
  const period = periodBounds(now, budget.period, opts.timeZone);
  const elapsed = Math.min(1, Math.max(0, (now - period.start) / (period.end - period.start)));
  const usedPct = (spentUsd / budget.limit_usd) * 100;
  const forecastUsd = elapsed > 0 ? spentUsd / elapsed : spentUsd;
  const forecastPct = (forecastUsd / budget.limit_usd) * 100;

  const crossed = [...budget.thresholds].sort((a, b) => a.pct - b.pct).filter((t) => usedPct >= t.pct).at(-1);
  const forecastOver = elapsed >= opts.forecastMinElapsed && forecastPct >= 100;
  let severity: Severity | null = crossed?.severity ?? null;
  if (forecastOver && (severity === null || severityRank(severity) < severityRank('warning'))) severity = 'warning';
  if (severity === null) return null;

  const scope = budget.feature ? `${budget.tenant} / ${budget.feature}` : budget.tenant;
  const what = budget.period === 'daily' ? 'daily' : 'monthly';
  const rest = budget.period === 'daily' ? 'day' : 'month';
  const title = crossed
    ? `${scope}: ${fmtNum(usedPct, 0)}% of the ${what} budget used`
    : `${scope}: on track to exceed the ${what} budget`;
  const summary =
    `${scope} has spent ${fmtUsd(spentUsd)} of its ${fmtUsd(budget.limit_usd)} ${what} budget (${fmtNum(usedPct, 1)}%) ` +
    `with ${fmtNum(elapsed * 100, 0)}% of ${period.label} elapsed. ` +
    `At the current rate it will reach ${fmtUsd(forecastUsd)} (${fmtNum(forecastPct, 0)}% of budget) by ${rest} end. ` +
    (crossed ? `Threshold crossed: ${crossed.pct}%.` : `No threshold crossed yet; the forecast exceeds the budget.`);
  return {
    kind: 'cost_budget',
    severity,
    tenant: budget.tenant,
    // The period key makes each day or month its own alert; the old one resolves at rollover.
    subject: `${budget.period}:${period.key}:${budget.feature ?? '*'}`,
    title,
    summary,
    measure: { metric: `${what} spend (USD)`, value: spentUsd, baseline: budget.limit_usd, change_pct: usedPct - 100, window_start: period.start, window_end: now },
    facts: [
      { label: 'Spent', value: fmtUsd(spentUsd) },
      { label: 'Budget', value: fmtUsd(budget.limit_usd) },
      { label: 'Used', value: `${fmtNum(usedPct, 1)}%` },
      { label: `Forecast (${rest} end)`, value: `${fmtUsd(forecastUsd)} (${fmtNum(forecastPct, 0)}%)` },
      { label: 'Period elapsed', value: `${fmtNum(elapsed * 100, 0)}% of ${period.label}` },
    ],
    links: opts.links ?? [],
  };
}

export function checkBudgets(
  budgets: Budget[],
  spentFor: (b: Budget, period: Period) => number,
  now: number,
  opts: BudgetCheckOptions,
): AlertDraftInput[] {
  return budgets.flatMap((b) => checkBudget(b, spentFor(b, periodBounds(now, b.period, opts.timeZone)), now, opts) ?? []);
}
