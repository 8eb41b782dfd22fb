/**
 * One alert model for every kind. Jobs produce `AlertDraft`s (what is wrong right now); the
 * lifecycle engine (engine.ts) turns them into stored states and notifications.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const ALERT_KINDS = [
  'drift',
  'knowledge_rot',
  'quality',
  'cost_budget',
  'cost_anomaly',
  'runaway_conversation',
  'pipeline_health',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Tenant value for alerts that concern the whole installation (pipeline health). */
export const ALL_TENANTS = '*';

export const Fact = z.strictObject({ label: z.string().min(1).max(80), value: z.string().max(300) });
export const Link = z.strictObject({ label: z.string().min(1).max(60), url: z.url({ protocol: /^https?$/ }) });

/** The headline numbers every summary is built from. */
export const Measure = z.strictObject({
  metric: z.string().min(1).max(120).describe('What was measured, e.g. "spend per hour (USD)"'),
  value: z.number().finite(),
  baseline: z.number().finite().nullable().describe('What it is compared with (budget, median...)'),
  change_pct: z.number().finite().nullable().describe('(value - baseline) / baseline x 100'),
  window_start: z.number().int().describe('epoch ms'),
  window_end: z.number().int().describe('epoch ms'),
});

export const AlertDraft = z.strictObject({
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(SEVERITIES),
  tenant: z.string().min(1).max(64),
  /** What the problem is about within kind and tenant (budget id, topic, service...). With kind
   * and tenant it makes the fingerprint, so it must not contain the values that change run to run. */
  subject: z.string().min(1).max(200),
  title: z.string().min(1).max(150),
  summary: z.string().min(1).max(2000),
  measure: Measure.optional(),
  facts: z.array(Fact).max(10).default([]),
  /** Already-redacted example strings (queries, conversation ids). */
  examples: z.array(z.string().max(500)).max(5).default([]),
  links: z.array(Link).max(5).default([]),
});
export type AlertDraft = z.output<typeof AlertDraft>;
export type AlertDraftInput = z.input<typeof AlertDraft>;

export type Alert = AlertDraft & { fingerprint: string };

/** Stable id of "the same problem": kind + tenant + subject. */
export function fingerprint(kind: AlertKind, tenant: string, subject: string): string {
  return createHash('sha256').update(`${kind}\u0000${tenant}\u0000${subject}`).digest('hex').slice(0, 16);
}

export function toAlert(draft: AlertDraftInput): Alert {
  const d = AlertDraft.parse(draft);
  return { ...d, fingerprint: fingerprint(d.kind, d.tenant, d.subject) };
}

/** Compact number formatting for summaries ("1,234.5", "12.3k" is avoided: exact digits read better). */
export function fmtNum(n: number, digits = 2): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function fmtUsd(n: number): string {
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 1 ? 2 : 4;
  return `$${n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: Math.min(digits, 2) })}`;
}

export function fmtPct(n: number): string {
  return `${n >= 0 ? '+' : ''}${fmtNum(n, 1)}%`;
}

/** "2026-11-03 14:00 UTC" */
export function fmtTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
