/**
 * Maps a validated, redacted, enriched event to a row of the `events` table
 * (schemas/clickhouse/0001_events.sql). Pure: no I/O.
 */
import type { LookoutEvent } from '../schemas/events/index.ts';

export interface RowMeta {
  receivedAt: number;
  partition: number;
  offset: string;
  costUsd: string | null;
  priceVersion: string;
  redactions: Record<string, number>;
}

const uint = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v));

/** Attribute values become strings: plain strings as they are, everything else as JSON. */
function attributesMap(attrs: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!attrs) return out;
  for (const [k, v] of Object.entries(attrs)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** Column name to value; times are epoch milliseconds (processors/rowbinary.ts encodes them). */
export type EventRow = Record<string, unknown>;

export function eventToRow(e: LookoutEvent, meta: RowMeta): EventRow {
  const row: EventRow = {
    event_id: e.event_id,
    schema_version: e.schema_version,
    type: e.type,
    ts: e.ts,
    received_at: meta.receivedAt,
    tenant: e.tenant,
    service: e.service,
    environment: e.environment,
    conversation_id: e.conversation_id ?? '',
    turn: e.turn ?? null,
    user_id: e.user_id ?? '',
    channel: e.channel ?? '',
    attributes: attributesMap(e.attributes),
    redactions: meta.redactions,
    cost_usd: meta.costUsd,
    price_version: meta.costUsd === null ? '' : meta.priceVersion,
    source_partition: meta.partition,
    source_offset: meta.offset,
  };
  // Columns are set one by one (same order as before) rather than merged from temporary objects:
  // this runs once per event.
  switch (e.type) {
    case 'request':
      setModelFields(row, e);
      row.input_text = e.input_text;
      break;
    case 'response':
      setModelFields(row, e);
      row.input_text = e.input_text ?? '';
      row.output_text = e.output_text;
      setRetrievedColumns(row, e.retrieved);
      row.input_tokens = e.usage?.input_tokens ?? 0;
      row.output_tokens = e.usage?.output_tokens ?? 0;
      row.cached_input_tokens = e.usage?.cached_input_tokens ?? 0;
      row.cache_write_tokens = e.usage?.cache_write_tokens ?? 0;
      row.reasoning_tokens = e.usage?.reasoning_tokens ?? 0;
      row.latency_ms = uint(e.latency_ms);
      row.ttft_ms = uint(e.ttft_ms);
      row.status = e.status;
      row.error_code = e.error?.code ?? '';
      row.error_message = e.error?.message ?? '';
      row.fallback_used = e.fallback_used;
      row.cache_hit = e.cache_hit;
      row.guardrail_triggers = e.guardrail_triggers;
      break;
    case 'feedback':
      row.feedback_thumbs = e.feedback.thumbs === undefined ? null : e.feedback.thumbs === 'up' ? 1 : -1;
      row.feedback_csat = e.feedback.csat ?? null;
      row.feedback_comment = e.feedback.comment ?? '';
      row.feedback_source = e.feedback.source;
      row.target_event_id = e.target_event_id ?? null;
      break;
    case 'escalation':
      row.escalation_reason = e.escalation.reason;
      row.escalation_target = e.escalation.target ?? '';
      row.escalation_comment = e.escalation.comment ?? '';
      break;
    case 'tool_call':
      setModelFields(row, e);
      row.tool_name = e.tool.name;
      row.tool_arguments = e.tool.arguments ?? '';
      row.tool_result = e.tool.result ?? '';
      row.tool_status = e.tool.status;
      row.tool_latency_ms = uint(e.tool.latency_ms);
      break;
    case 'retrieval':
      row.kb_version = e.kb_version ?? '';
      row.query_text = e.query_text ?? '';
      row.latency_ms = uint(e.latency_ms);
      setRetrievedColumns(row, e.retrieved);
      break;
    case 'kb_document':
      row.kb_version = e.document.version;
      row.doc_id = e.document.doc_id;
      row.doc_version = e.document.version;
      row.doc_title = e.document.title ?? '';
      row.doc_updated_at = e.document.updated_at;
      row.doc_action = e.document.action;
      row.doc_url = e.document.url ?? '';
      row.doc_text = e.document.text ?? '';
      break;
  }
  return row;
}

function setModelFields(row: EventRow, e: { model?: string; provider?: string; prompt_version?: string; kb_version?: string }): void {
  row.model = e.model ?? '';
  row.provider = e.provider ?? '';
  row.prompt_version = e.prompt_version ?? '';
  row.kb_version = e.kb_version ?? '';
}

function setRetrievedColumns(row: EventRow, docs: { doc_id: string; kb_version?: string; score?: number; snippet?: string }[] | undefined): void {
  const list = docs ?? [];
  const ids: string[] = [];
  const versions: string[] = [];
  const scores: (number | null)[] = [];
  const snippets: string[] = [];
  for (const d of list) {
    ids.push(d.doc_id);
    versions.push(d.kb_version ?? '');
    scores.push(d.score ?? null);
    snippets.push(d.snippet ?? '');
  }
  row.retrieved_doc_ids = ids;
  row.retrieved_kb_versions = versions;
  row.retrieved_scores = scores;
  row.retrieved_snippets = snippets;
}
