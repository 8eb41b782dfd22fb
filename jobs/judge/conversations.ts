/**
 * Conversations of one day, read from `events`. Two reads so a large day stays cheap: a compact
 * summary per conversation (tenant, topic, risk signals) for the sampler, then the full events of
 * the sampled conversations only, rebuilt in turn order with their retrieved context.
 *
 * A conversation belongs to the day (window) of its first event; its events are read up to
 * `LATE_EVENTS_MS` past the day's end so that late feedback and escalations still count.
 */
import { chTime, type ClickHouseClient } from '../../common/clickhouse.ts';

export const LATE_EVENTS_MS = 6 * 3_600_000;

/** Topic of a conversation with no retrieval at all. */
export const NO_TOPIC = '(none)';

export interface RiskSignals {
  escalated: boolean;
  negative_feedback: boolean;
  guardrail: boolean;
  failed: boolean;
  slow: boolean;
}
export const RISK_SIGNALS = ['escalated', 'negative_feedback', 'guardrail', 'failed', 'slow'] as const satisfies readonly (keyof RiskSignals)[];

export interface ConversationSummary extends RiskSignals {
  tenant: string;
  conversation_id: string;
  /** Cheap topic proxy: the top-ranked document retrieved in the conversation's first retrieval. */
  topic: string;
  first_ts: number;
}

export interface ContextDoc {
  doc_id: string;
  snippet: string;
  score: number | null;
}

export interface Turn {
  turn: number;
  input: string;
  output: string;
  /** ok | error | timeout | filtered | cancelled; 'missing' when no response was recorded. */
  status: string;
  latency_ms: number | null;
  context: ContextDoc[];
  tools: { name: string; status: string; result: string }[];
  guardrails: string[];
}

export interface Feedback {
  thumbs: number | null;
  csat: number | null;
  comment: string;
}

export interface Conversation {
  tenant: string;
  conversation_id: string;
  service: string;
  channel: string;
  started_at: number;
  turns: Turn[];
  /** Escalation reason, or null when not escalated. */
  escalation: string | null;
  feedback: Feedback[];
}

/** The columns of `events` the rebuild reads. */
export interface EventRow {
  event_id: string;
  type: string;
  ts: string;
  turn: number | null;
  tenant: string;
  conversation_id: string;
  service: string;
  channel: string;
  input_text: string;
  output_text: string;
  query_text: string;
  retrieved_doc_ids: string[];
  retrieved_snippets: string[];
  retrieved_scores: (number | null)[];
  status: string;
  latency_ms: number | null;
  guardrail_triggers: string[];
  feedback_thumbs: number | null;
  feedback_csat: number | null;
  feedback_comment: string;
  escalation_reason: string;
  tool_name: string;
  tool_status: string;
  tool_result: string;
}

export interface DayWindow {
  start: number;
  end: number;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone: the `day` label of a window. */
export function dayLabel(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

const parseTs = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);

export async function readSummaries(ch: ClickHouseClient, db: string, day: DayWindow, slowTurnMs: number): Promise<ConversationSummary[]> {
  const rs = await ch.query({
    query: `
      SELECT tenant, conversation_id,
        argMinIf(retrieved_doc_ids[1], tuple(ifNull(turn, 0), ts), notEmpty(retrieved_doc_ids)) AS topic,
        toString(min(ts)) AS first_ts,
        countIf(type = 'escalation') > 0 AS escalated,
        countIf(type = 'feedback' AND (feedback_thumbs = -1 OR feedback_csat <= 2)) > 0 AS negative_feedback,
        countIf(notEmpty(guardrail_triggers)) > 0 AS guardrail,
        countIf(type = 'response' AND status != 'ok') > 0 AS failed,
        countIf(type = 'response' AND latency_ms >= {slow:UInt32}) > 0 AS slow
      FROM ${db}.events
      WHERE ts >= {start:DateTime64(3, 'UTC')} AND ts < {late:DateTime64(3, 'UTC')}
        AND conversation_id != '' AND type != 'kb_document'
      GROUP BY tenant, conversation_id
      HAVING min(ts) >= {start:DateTime64(3, 'UTC')} AND min(ts) < {end:DateTime64(3, 'UTC')} AND countIf(type = 'response') > 0`,
    query_params: { start: chTime(day.start), end: chTime(day.end), late: chTime(day.end + LATE_EVENTS_MS), slow: slowTurnMs },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<Omit<ConversationSummary, 'first_ts' | keyof RiskSignals> & { first_ts: string } & Record<keyof RiskSignals, boolean | number>>();
  return rows.map((r) => ({
    tenant: r.tenant,
    conversation_id: r.conversation_id,
    topic: r.topic || NO_TOPIC,
    first_ts: parseTs(r.first_ts),
    escalated: Boolean(r.escalated),
    negative_feedback: Boolean(r.negative_feedback),
    guardrail: Boolean(r.guardrail),
    failed: Boolean(r.failed),
    slow: Boolean(r.slow),
  }));
}

export async function readConversations(ch: ClickHouseClient, db: string, day: DayWindow, keys: { tenant: string; conversation_id: string }[]): Promise<Conversation[]> {
  if (keys.length === 0) return [];
  const rs = await ch.query({
    query: `
      SELECT event_id, type, ts, turn, tenant, conversation_id, service, channel,
        input_text, output_text, query_text, retrieved_doc_ids, retrieved_snippets, retrieved_scores,
        status, latency_ms, guardrail_triggers, feedback_thumbs, feedback_csat, feedback_comment,
        escalation_reason, tool_name, tool_status, tool_result
      FROM ${db}.events
      WHERE ts >= {start:DateTime64(3, 'UTC')} AND ts < {late:DateTime64(3, 'UTC')}
        AND (tenant, conversation_id) IN (SELECT tupleElement(k, 1), tupleElement(k, 2) FROM (SELECT arrayJoin(arrayZip({tenants:Array(String)}, {ids:Array(String)})) AS k))`,
    query_params: {
      start: chTime(day.start),
      late: chTime(day.end + LATE_EVENTS_MS),
      tenants: keys.map((k) => k.tenant),
      ids: keys.map((k) => k.conversation_id),
    },
    format: 'JSONEachRow',
  });
  return rebuildConversations(await rs.json<EventRow>());
}

/** Within a turn: what the user asked, what was looked up, what was answered, then reactions. */
const TYPE_ORDER: Record<string, number> = { request: 0, retrieval: 1, tool_call: 2, response: 3, escalation: 4, feedback: 5 };

/** Groups event rows into conversations in turn order; duplicate event ids (replays) count once. */
export function rebuildConversations(rows: EventRow[]): Conversation[] {
  const seen = new Set<string>();
  const groups = new Map<string, EventRow[]>();
  for (const r of rows) {
    if (seen.has(r.event_id)) continue;
    seen.add(r.event_id);
    const key = `${r.tenant}\u0000${r.conversation_id}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const out: Conversation[] = [];
  for (const events of groups.values()) {
    events.sort((a, b) => (a.turn ?? 0) - (b.turn ?? 0) || (TYPE_ORDER[a.type] ?? 9) - (TYPE_ORDER[b.type] ?? 9) || parseTs(a.ts) - parseTs(b.ts));
    const first = events[0]!;
    const conv: Conversation = {
      tenant: first.tenant,
      conversation_id: first.conversation_id,
      service: first.service,
      channel: events.find((e) => e.channel)?.channel ?? '',
      started_at: Math.min(...events.map((e) => parseTs(e.ts))),
      turns: [],
      escalation: null,
      feedback: [],
    };
    const turns = new Map<number, Turn>();
    const turnOf = (n: number): Turn => {
      let t = turns.get(n);
      if (!t) turns.set(n, (t = { turn: n, input: '', output: '', status: 'missing', latency_ms: null, context: [], tools: [], guardrails: [] }));
      return t;
    };
    const addContext = (t: Turn, e: EventRow) => {
      e.retrieved_doc_ids.forEach((doc_id, i) => {
        if (t.context.some((d) => d.doc_id === doc_id)) return;
        t.context.push({ doc_id, snippet: e.retrieved_snippets[i] ?? '', score: e.retrieved_scores[i] ?? null });
      });
    };
    for (const e of events) {
      const t = turnOf(e.turn ?? 0);
      switch (e.type) {
        case 'request':
          t.input ||= e.input_text;
          break;
        case 'retrieval':
          t.input ||= e.query_text;
          addContext(t, e);
          break;
        case 'tool_call':
          t.tools.push({ name: e.tool_name, status: e.tool_status, result: e.tool_result });
          break;
        case 'response':
          t.input ||= e.input_text;
          t.output = e.output_text;
          t.status = e.status || 'ok';
          t.latency_ms = e.latency_ms;
          t.guardrails.push(...e.guardrail_triggers);
          addContext(t, e);
          break;
        case 'escalation':
          conv.escalation = e.escalation_reason || 'unspecified';
          break;
        case 'feedback':
          conv.feedback.push({ thumbs: e.feedback_thumbs, csat: e.feedback_csat, comment: e.feedback_comment });
          break;
      }
    }
    conv.turns = [...turns.values()].sort((a, b) => a.turn - b.turn);
    out.push(conv);
  }
  return out.sort((a, b) => a.tenant.localeCompare(b.tenant) || a.conversation_id.localeCompare(b.conversation_id));
}
