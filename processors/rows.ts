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

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedPrefix = '';
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * ClickHouse DateTime64(3) text in UTC, e.g. 2026-11-22 10:00:00.123. Hot path (three per row):
 * the date part is cached per day instead of formatting a Date every time.
 */
export function chTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 10) + ' ';
  }
  const t = ms - day * DAY_MS;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const sec = Math.floor((t % 60_000) / 1000);
  return `${cachedPrefix}${pad(h, 2)}:${pad(m, 2)}:${pad(sec, 2)}.${pad(Math.floor(t % 1000), 3)}`;
}

const uint = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v));

/** Attribute values become strings: plain strings as they are, everything else as JSON. */
function attributesMap(attrs: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!attrs) return out;
  for (const [k, v] of Object.entries(attrs)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export type EventRow = Record<string, unknown>;

export function eventToRow(e: LookoutEvent, meta: RowMeta): EventRow {
  const row: EventRow = {
    event_id: e.event_id,
    schema_version: e.schema_version,
    type: e.type,
    ts: chTime(e.ts),
    received_at: chTime(meta.receivedAt),
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
  switch (e.type) {
    case 'request':
      Object.assign(row, modelFields(e), { input_text: e.input_text });
      break;
    case 'response':
      Object.assign(row, modelFields(e), {
        input_text: e.input_text ?? '',
        output_text: e.output_text,
        ...retrievedColumns(e.retrieved),
        input_tokens: e.usage?.input_tokens ?? 0,
        output_tokens: e.usage?.output_tokens ?? 0,
        cached_input_tokens: e.usage?.cached_input_tokens ?? 0,
        cache_write_tokens: e.usage?.cache_write_tokens ?? 0,
        reasoning_tokens: e.usage?.reasoning_tokens ?? 0,
        latency_ms: uint(e.latency_ms),
        ttft_ms: uint(e.ttft_ms),
        status: e.status,
        error_code: e.error?.code ?? '',
        error_message: e.error?.message ?? '',
        fallback_used: e.fallback_used,
        cache_hit: e.cache_hit,
        guardrail_triggers: e.guardrail_triggers,
      });
      break;
    case 'feedback':
      Object.assign(row, {
        feedback_thumbs: e.feedback.thumbs === undefined ? null : e.feedback.thumbs === 'up' ? 1 : -1,
        feedback_csat: e.feedback.csat ?? null,
        feedback_comment: e.feedback.comment ?? '',
        feedback_source: e.feedback.source,
        target_event_id: e.target_event_id ?? null,
      });
      break;
    case 'escalation':
      Object.assign(row, {
        escalation_reason: e.escalation.reason,
        escalation_target: e.escalation.target ?? '',
        escalation_comment: e.escalation.comment ?? '',
      });
      break;
    case 'tool_call':
      Object.assign(row, modelFields(e), {
        tool_name: e.tool.name,
        tool_arguments: e.tool.arguments ?? '',
        tool_result: e.tool.result ?? '',
        tool_status: e.tool.status,
        tool_latency_ms: uint(e.tool.latency_ms),
      });
      break;
    case 'retrieval':
      Object.assign(row, {
        kb_version: e.kb_version ?? '',
        query_text: e.query_text ?? '',
        latency_ms: uint(e.latency_ms),
        ...retrievedColumns(e.retrieved),
      });
      break;
    case 'kb_document':
      Object.assign(row, {
        kb_version: e.document.version,
        doc_id: e.document.doc_id,
        doc_version: e.document.version,
        doc_title: e.document.title ?? '',
        doc_updated_at: chTime(e.document.updated_at),
        doc_action: e.document.action,
        doc_url: e.document.url ?? '',
        doc_text: e.document.text ?? '',
      });
      break;
  }
  return row;
}

function modelFields(e: { model?: string; provider?: string; prompt_version?: string; kb_version?: string }) {
  return {
    model: e.model ?? '',
    provider: e.provider ?? '',
    prompt_version: e.prompt_version ?? '',
    kb_version: e.kb_version ?? '',
  };
}

function retrievedColumns(docs: { doc_id: string; kb_version?: string; score?: number; snippet?: string }[] | undefined) {
  const list = docs ?? [];
  return {
    retrieved_doc_ids: list.map((d) => d.doc_id),
    retrieved_kb_versions: list.map((d) => d.kb_version ?? ''),
    retrieved_scores: list.map((d) => d.score ?? null),
    retrieved_snippets: list.map((d) => d.snippet ?? ''),
  };
}
