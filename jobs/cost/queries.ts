/**
 * What the cost job reads from ClickHouse. Spend and tokens come from the `events_hourly` rollup
 * (never a scan of raw events); only runaway conversations need per-conversation sums from
 * `events`, bounded by time and by a per-group sample.
 */
import type { ClickHouseClient } from '../../common/clickhouse.ts';
import type { HourlySeries } from './anomaly.ts';
import type { ConversationStat } from './runaway.ts';

async function rows<T>(ch: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await ch.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** Hours are whole seconds in events_hourly; windows are epoch ms. */
const sec = (ms: number) => Math.floor(ms / 1000);

export interface SpendRow {
  tenant: string;
  service: string;
  model: string;
  cost_usd: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  unpriced: number;
}

/** Spend per tenant, service (feature) and model in `[from, to)`. */
export function spendByModel(ch: ClickHouseClient, db: string, from: number, to: number): Promise<SpendRow[]> {
  return rows<SpendRow>(
    ch,
    `SELECT tenant, service, model, toFloat64(sum(cost_usd)) AS cost_usd, sumIf(events, type = 'response') AS requests,
            sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(unpriced_events) AS unpriced
     FROM ${db}.events_hourly
     WHERE hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')
     GROUP BY tenant, service, model ORDER BY cost_usd DESC`,
    { from: sec(from), to: sec(to) },
  );
}

/** Spend per tenant and service in `[from, to)`: what budgets are checked against. */
export async function spendByService(ch: ClickHouseClient, db: string, from: number, to: number): Promise<Map<string, number>> {
  const r = await rows<{ tenant: string; service: string; cost_usd: number }>(
    ch,
    `SELECT tenant, service, toFloat64(sum(cost_usd)) AS cost_usd FROM ${db}.events_hourly
     WHERE hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')
     GROUP BY tenant, service`,
    { from: sec(from), to: sec(to) },
  );
  return new Map(r.map((x) => [`${x.tenant}\u0000${x.service}`, Number(x.cost_usd)]));
}

/** Hourly requests, spend and tokens per tenant and service in `[from, to)`. */
export async function hourlySeries(ch: ClickHouseClient, db: string, from: number, to: number): Promise<HourlySeries[]> {
  const r = await rows<{ tenant: string; service: string; hour: number; requests: number; cost_usd: number; tokens: number }>(
    ch,
    `SELECT tenant, service, toUnixTimestamp(hour) AS hour, sumIf(events, type = 'response') AS requests,
            toFloat64(sum(cost_usd)) AS cost_usd, sum(input_tokens) + sum(output_tokens) AS tokens
     FROM ${db}.events_hourly
     WHERE hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')
     GROUP BY tenant, service, hour ORDER BY tenant, service, hour`,
    { from: sec(from), to: sec(to) },
  );
  const out = new Map<string, HourlySeries>();
  for (const x of r) {
    const key = `${x.tenant}\u0000${x.service}`;
    let s = out.get(key);
    if (!s) out.set(key, (s = { tenant: x.tenant, feature: x.service, points: [] }));
    s.points.push({ hour: Number(x.hour) * 1000, requests: Number(x.requests), cost_usd: Number(x.cost_usd), tokens: Number(x.tokens) });
  }
  return [...out.values()];
}

interface ConversationRow {
  tenant: string;
  service: string;
  conversation_id: string;
  turns: number;
  tokens: number;
  cost_usd: number;
}

/** Per-conversation sums of responses in `[{from}, {to})`; callers add HAVING / ORDER / LIMIT. */
const conversationSums = (db: string) => `SELECT tenant, service, conversation_id, count() AS turns, sum(input_tokens) + sum(output_tokens) AS tokens,
            toFloat64(sum(ifNull(cost_usd, 0))) AS cost_usd
     FROM ${db}.events
     WHERE type = 'response' AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND conversation_id != ''
     GROUP BY tenant, service, conversation_id`;

const toStat = (r: ConversationRow): ConversationStat => ({ ...r, turns: Number(r.turns), tokens: Number(r.tokens), cost_usd: Number(r.cost_usd) });

/**
 * Conversations with a response in `[start, end)`, with turns (responses), tokens and cost summed
 * over `[lookbackStart, end)` so a loop that spans hours is seen whole.
 */
export async function activeConversations(ch: ClickHouseClient, db: string, lookbackStart: number, start: number, end: number): Promise<ConversationStat[]> {
  const r = await rows<ConversationRow>(
    ch,
    `${conversationSums(db)}
     HAVING max(ts) >= fromUnixTimestamp64Milli({start:Int64})`,
    { from: lookbackStart, to: end, start },
  );
  return r.map(toStat);
}

/** The norm: conversations of `[from, to)`, a stable hash sample of at most `perGroup` per tenant and service. */
export async function baselineConversations(ch: ClickHouseClient, db: string, from: number, to: number, perGroup: number): Promise<ConversationStat[]> {
  const r = await rows<ConversationRow>(
    ch,
    `${conversationSums(db)}
     ORDER BY tenant, service, cityHash64(conversation_id)
     LIMIT {n:UInt32} BY tenant, service`,
    { from, to, n: perGroup },
  );
  return r.map(toStat);
}
