/**
 * Runaway conversations (agent loops): conversations whose tokens or turns are far beyond the
 * norm of their tenant and service. Robust z on the log scale (conversation sizes are roughly
 * log-normal) plus absolute floors, so a "far" outlier in a tenant of tiny conversations is
 * still not an alert until it is big in absolute terms. One alert per tenant and service, with
 * the worst conversations as examples.
 */
import { fmtNum, fmtUsd, type AlertDraftInput } from '../alerts/model.ts';
import { median, robustZ } from './stats.ts';

export interface ConversationStat {
  tenant: string;
  service: string;
  conversation_id: string;
  turns: number;
  tokens: number;
  cost_usd?: number | null;
}

export interface RunawayOptions {
  zThreshold: number;
  /** Absolute floors: a conversation is a runaway only above one of these too. */
  minTokens: number;
  minTurns: number;
  /** Any conversation at or above this is critical, and alerts even without a baseline. */
  criticalTokens: number;
  minBaseline: number;
  /** Log-scale scale floor (0.25 = about ±28 %). */
  minLogScale: number;
  windowStart: number;
  windowEnd: number;
  links?: (tenant: string, service: string) => { label: string; url: string }[];
}

export const DEFAULT_RUNAWAY_OPTIONS = { zThreshold: 4, minTokens: 200_000, minTurns: 60, criticalTokens: 2_000_000, minBaseline: 50, minLogScale: 0.25 };

interface Offender {
  c: ConversationStat;
  zTokens: number;
  zTurns: number;
}

/** `current`: conversations active in the window; `baseline`: the trailing norm (e.g. 4 weeks). */
export function detectRunaways(
  current: ConversationStat[],
  baseline: ConversationStat[],
  options: Partial<RunawayOptions> & Pick<RunawayOptions, 'windowStart' | 'windowEnd'>,
): AlertDraftInput[] {
  const o: RunawayOptions = { ...DEFAULT_RUNAWAY_OPTIONS, ...options };
  const key = (c: ConversationStat) => `${c.tenant}\u0000${c.service}`;
  const byGroup = new Map<string, ConversationStat[]>();
  for (const c of baseline) {
    const list = byGroup.get(key(c));
    if (list) list.push(c);
    else byGroup.set(key(c), [c]);
  }
  // Norm per tenant and service, computed once: medians and log-scale spreads.
  const norms = new Map<string, { tokens: number; turns: number; n: number; logTokens: number[]; logTurns: number[] }>();
  for (const [k, list] of byGroup) {
    if (list.length < o.minBaseline) continue;
    norms.set(k, {
      tokens: median(list.map((n) => n.tokens)),
      turns: median(list.map((n) => n.turns)),
      n: list.length,
      logTokens: list.map((n) => Math.log1p(n.tokens)),
      logTurns: list.map((n) => Math.log1p(n.turns)),
    });
  }
  const scales = new Map<string, { tokens: (x: number) => number; turns: (x: number) => number }>();
  for (const [k, n] of norms) {
    const zOf = (logs: number[]) => {
      const { median: med, scale } = robustZ(0, logs, o.minLogScale);
      return (x: number) => (Math.log1p(x) - med) / scale;
    };
    scales.set(k, { tokens: zOf(n.logTokens), turns: zOf(n.logTurns) });
  }
  const groups = new Map<string, Offender[]>();
  for (const c of current) {
    const z = scales.get(key(c));
    const zTokens = z ? z.tokens(c.tokens) : 0;
    const zTurns = z ? z.turns(c.turns) : 0;
    const far = (zTokens >= o.zThreshold && c.tokens >= o.minTokens) || (zTurns >= o.zThreshold && c.turns >= o.minTurns);
    if (far || c.tokens >= o.criticalTokens) {
      const list = groups.get(key(c));
      if (list) list.push({ c, zTokens, zTurns });
      else groups.set(key(c), [{ c, zTokens, zTurns }]);
    }
  }

  const drafts: AlertDraftInput[] = [];
  for (const [k, offenders] of groups) {
    offenders.sort((a, b) => b.c.tokens - a.c.tokens);
    const { tenant, service } = offenders[0]!.c;
    const worst = offenders[0]!;
    const norm = norms.get(k);
    const critical = offenders.some((x) => x.c.tokens >= o.criticalTokens);
    const normText = norm
      ? `The norm for ${service} is ${fmtNum(norm.tokens, 0)} tokens and ${fmtNum(norm.turns, 0)} turns (median of ${fmtNum(norm.n, 0)} recent conversations).`
      : `There are too few recent conversations for a norm; flagged by the absolute cap of ${fmtNum(o.criticalTokens, 0)} tokens.`;
    const describe = (x: Offender) =>
      `${x.c.conversation_id}: ${fmtNum(x.c.turns, 0)} turns, ${fmtNum(x.c.tokens, 0)} tokens${x.c.cost_usd != null ? `, ${fmtUsd(x.c.cost_usd)}` : ''}`;
    const totalCost = offenders.reduce((s, x) => s + (x.c.cost_usd ?? 0), 0);
    drafts.push({
      kind: 'runaway_conversation',
      severity: critical ? 'critical' : 'warning',
      tenant,
      subject: `runaway:${service}`,
      title: `${tenant} / ${service}: ${offenders.length} runaway conversation${offenders.length > 1 ? 's' : ''}`,
      summary:
        `${offenders.length} conversation${offenders.length > 1 ? 's' : ''} of ${tenant} / ${service} went far beyond the norm; ` +
        `the largest used ${fmtNum(worst.c.tokens, 0)} tokens in ${fmtNum(worst.c.turns, 0)} turns` +
        (norm ? ` (robust z on log scale: tokens ${fmtNum(worst.zTokens, 1)}, turns ${fmtNum(worst.zTurns, 1)}). ` : '. ') +
        normText +
        (totalCost > 0 ? ` Together they cost ${fmtUsd(totalCost)}.` : ''),
      measure: { metric: 'tokens in one conversation', value: worst.c.tokens, baseline: norm?.tokens ?? null, change_pct: norm && norm.tokens > 0 ? ((worst.c.tokens - norm.tokens) / norm.tokens) * 100 : null, window_start: o.windowStart, window_end: o.windowEnd },
      facts: [
        { label: 'Runaway conversations', value: fmtNum(offenders.length, 0) },
        { label: 'Largest', value: `${fmtNum(worst.c.tokens, 0)} tokens, ${fmtNum(worst.c.turns, 0)} turns` },
        { label: 'Norm (median)', value: norm ? `${fmtNum(norm.tokens, 0)} tokens, ${fmtNum(norm.turns, 0)} turns` : 'n/a' },
        ...(totalCost > 0 ? [{ label: 'Their cost', value: fmtUsd(totalCost) }] : []),
      ],
      examples: offenders.slice(0, 3).map(describe),
      links: o.links?.(tenant, service) ?? [],
    });
  }
  return drafts;
}
