/**
 * `cost` (hourly): reads spend for the last complete hour and checks budgets (burn and month-end
 * forecast), spend and tokens-per-request anomalies against the same hour of previous weeks, and
 * runaway conversations; everything found goes through the alert lifecycle in one scope, so an
 * alert that is no longer found resolves.
 */
import type { AlertKind } from '../alerts/model.ts';
import type { JobContext, JobDefinition } from '../scheduler/job.ts';
import { lastHour } from '../scheduler/windows.ts';
import { detectAnomalies } from './anomaly.ts';
import { checkBudget, periodBounds, type Budget } from './budget.ts';
import { costOptionsFromConfig, type CostJobOptions } from './options.ts';
import { activeConversations, baselineConversations, hourlySeries, spendByModel, spendByService } from './queries.ts';
import { detectRunaways } from './runaway.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

export const COST_ALERT_KINDS: AlertKind[] = ['cost_budget', 'cost_anomaly', 'runaway_conversation'];

function dashboardLinks(o: CostJobOptions, tenant: string, service?: string): { label: string; url: string }[] {
  if (!o.dashboardUrl) return [];
  const url = new URL(o.dashboardUrl);
  url.searchParams.set('var-tenant', tenant);
  if (service) url.searchParams.set('var-service', service);
  return [{ label: 'Cost dashboard', url: url.toString() }];
}

export async function runCostJob(ctx: JobContext, o: CostJobOptions = costOptionsFromConfig(ctx.config)): Promise<Record<string, unknown>> {
  const { clickhouse: ch, database: db, window } = ctx;

  // Budgets: spend from the start of each budget's period to the end of the window. The period
  // is the one the window's last instant belongs to, so the 23:00 run still closes out the day.
  const at = window.end - 1;
  const periodSpend = new Map<number, Map<string, number>>();
  const spentFor = (b: Budget, period: { start: number }): number => {
    const byService = periodSpend.get(period.start)!;
    let sum = 0;
    for (const [key, usd] of byService) {
      const [tenant, service] = key.split('\u0000');
      if (tenant === b.tenant && (!b.feature || service === b.feature)) sum += usd;
    }
    return sum;
  };
  for (const b of o.budgets) {
    const p = periodBounds(at, b.period, ctx.timeZone);
    if (!periodSpend.has(p.start)) periodSpend.set(p.start, await spendByService(ch, db, p.start, window.end));
  }
  const budgetDrafts = o.budgets.flatMap((b) => {
    const opts = { timeZone: ctx.timeZone, forecastMinElapsed: o.forecastMinElapsed, links: dashboardLinks(o, b.tenant, b.feature) };
    return checkBudget(b, spentFor(b, periodBounds(at, b.period, ctx.timeZone)), at, opts) ?? [];
  });

  // Anomalies: each complete hour of the window against the same hour of the previous weeks.
  const a = o.anomaly;
  const series = await hourlySeries(ch, db, window.start - a.weeks * WEEK - a.neighbourHours * HOUR, window.end);
  const anomalyDrafts = [];
  for (let hour = window.start; hour + HOUR <= window.end; hour += HOUR) {
    anomalyDrafts.push(...detectAnomalies(series, hour, { ...a, links: (s) => dashboardLinks(o, s.tenant, s.feature) }));
  }

  // Runaways: conversations active in the window against the previous days' conversations.
  const r = o.runaway;
  const current = await activeConversations(ch, db, window.end - r.lookbackHours * HOUR, window.start, window.end);
  const baseline = await baselineConversations(ch, db, window.start - r.baselineDays * DAY, window.start, r.baselineSample);
  const runawayDrafts = detectRunaways(current, baseline, {
    ...r,
    windowStart: window.start,
    windowEnd: window.end,
    links: (tenant, service) => dashboardLinks(o, tenant, service),
  });

  const report = await ctx.alerts([...budgetDrafts, ...anomalyDrafts, ...runawayDrafts], { kinds: COST_ALERT_KINDS });
  const spend = await spendByModel(ch, db, window.start, window.end);
  return {
    spend_usd: Math.round(spend.reduce((s, x) => s + Number(x.cost_usd), 0) * 1e6) / 1e6,
    // The top of the window's spend by tenant, service and model, for `lookout jobs status`.
    top_spend: spend.slice(0, 10).map((x) => ({ tenant: x.tenant, service: x.service, model: x.model, usd: Math.round(Number(x.cost_usd) * 1e4) / 1e4, requests: Number(x.requests) })),
    budgets_checked: o.budgets.length,
    series: series.length,
    conversations: current.length,
    baseline_conversations: baseline.length,
    drafts: { cost_budget: budgetDrafts.length, cost_anomaly: anomalyDrafts.length, runaway_conversation: runawayDrafts.length },
    alerts: report,
  };
}

export const costJob: JobDefinition = {
  name: 'cost',
  description: 'budgets, spend anomalies and runaway conversations for the last hour',
  // Five past the hour: late events of the hour have arrived.
  schedule: '5 * * * *',
  window: (now) => lastHour(now),
  run: (ctx) => runCostJob(ctx),
};
