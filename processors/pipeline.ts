/**
 * One Kafka message in, one `events` row or one dead letter out:
 * validate (schemas/events) → redact (processors/redaction) → enrich (cost, received_at) → row
 * → RowBinary bytes (processors/rowbinary.ts).
 * Fail closed: if redaction cannot be guaranteed, the dead letter carries no text at all.
 */
import { EXAMPLE_EVENTS, LIMITS, parseEvent, type LookoutEvent } from '../schemas/events/index.ts';
import type { PriceTable } from './enrich/prices.ts';
import { redactEvent } from './redaction/event.ts';
import type { Redactor } from './redaction/redactor.ts';
import type { RowBinaryEncoder } from './rowbinary.ts';
import { eventToRow, type EventRow } from './rows.ts';

export interface SourceMessage {
  value: Buffer | null;
  partition: number;
  offset: string;
}

export interface DeadLetter {
  received_at: number;
  source_partition: number;
  source_offset: string;
  reason: string;
  field_path: string;
  message: string;
  event_id: string;
  tenant: string;
  type: string;
  payload_bytes: number;
  /** The redacted message, or '' when it could not be redacted safely. */
  payload_redacted: string;
}

export type Outcome =
  | { kind: 'row'; row: EventRow; line: Buffer; redactions: Record<string, number>; priced: boolean; event: LookoutEvent }
  | { kind: 'dead'; dead: DeadLetter };

export interface PipelineContext {
  redactor: Redactor;
  prices: PriceTable;
  now: () => number;
  /** Events older than the table TTL would vanish at insert while the rollups still counted them. */
  retentionDays: number;
  /** Encodes rows for the `events` insert (built from the table's columns at start-up). */
  encoder: RowBinaryEncoder;
}

/** Reads identifying fields from a rejected message without trusting it. Short, safe values only. */
function peekIds(raw: unknown): { event_id: string; tenant: string; type: string } {
  const obj = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const safe = (v: unknown, re: RegExp) => (typeof v === 'string' && re.test(v) ? v : '');
  return {
    event_id: safe(obj.event_id, /^[0-9a-fA-F-]{36}$/),
    tenant: safe(obj.tenant, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
    type: safe(obj.type, /^[a-z_]{1,32}$/),
  };
}

function tryJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Rejections whose bytes are not even read back (not text, too big, or the pipeline itself failed). */
const OPAQUE = new Set(['invalid_utf8', 'too_large', 'internal_error']);

/**
 * The rejected payload, redacted. Structure is not trusted: the whole JSON text goes through the
 * text redactor. Anything that fails (over the limit, redactor error) stores nothing.
 */
function redactedPayload(bytes: Buffer, parsed: unknown, redactor: Redactor): string {
  try {
    const raw = bytes.toString('utf8');
    // JSON escapes (\u0040 for @) would hide PII from the detectors: scan the canonical form, and
    // store nothing when an unparseable payload contains escapes.
    const canonical = parsed !== undefined ? JSON.stringify(parsed) : /\\u[0-9a-fA-F]{4}/.test(raw) ? undefined : raw;
    if (canonical === undefined) return '';
    // Names found in context anywhere in the payload are also redacted where they stand bare.
    const names = redactor.detect(canonical).flatMap((s) => (s.type === 'PERSON' ? [canonical.slice(s.start, s.end)] : []));
    return redactor.redact(canonical, 'dead_letter', LIMITS.eventBytes, names).text;
  } catch {
    return '';
  }
}

/** Never throws: a message that breaks the pipeline becomes a dead letter, so it cannot block its partition. */
export function processMessage(msg: SourceMessage, ctx: PipelineContext): Outcome {
  try {
    return processUnsafe(msg, ctx);
  } catch (err) {
    const why = `the processor failed on this message (${(err as Error).name}); it was not stored`;
    return deadOutcome(msg, msg.value ?? Buffer.alloc(0), ctx.now(), ctx.redactor, 'internal_error', '', why, false);
  }
}

/** Built outside processUnsafe so that the happy path creates no closure per message. */
function deadOutcome(
  msg: SourceMessage,
  bytes: Buffer,
  receivedAt: number,
  redactor: Redactor,
  reason: string,
  field_path: string,
  message: string,
  payload: boolean,
): Outcome {
  const opaque = OPAQUE.has(reason);
  const parsed = opaque ? undefined : tryJson(bytes);
  return {
    kind: 'dead',
    dead: {
      received_at: receivedAt,
      source_partition: msg.partition,
      source_offset: msg.offset,
      reason,
      field_path,
      message,
      ...peekIds(parsed),
      payload_bytes: bytes.byteLength,
      payload_redacted: payload && !opaque ? redactedPayload(bytes, parsed, redactor) : '',
    },
  };
}

function processUnsafe(msg: SourceMessage, ctx: PipelineContext): Outcome {
  const receivedAt = ctx.now();
  const bytes = msg.value ?? Buffer.alloc(0);
  if (msg.value === null) {
    return deadOutcome(msg, bytes, receivedAt, ctx.redactor, 'empty_message', '', 'message has no value (tombstone)', false);
  }
  const parsed = parseEvent(bytes);
  if (!parsed.ok) return deadOutcome(msg, bytes, receivedAt, ctx.redactor, parsed.reason, parsed.path, parsed.message, true);
  if (parsed.event.ts < receivedAt - ctx.retentionDays * 86_400_000) {
    const why = `ts is older than the ${ctx.retentionDays}-day retention (LOOKOUT_EVENTS_TTL_DAYS)`;
    return deadOutcome(msg, bytes, receivedAt, ctx.redactor, 'older_than_retention', 'ts', why, true);
  }

  let redacted: { event: LookoutEvent; counts: Record<string, number> };
  try {
    const r = redactEvent(parsed.event, ctx.redactor);
    redacted = { event: r.event, counts: r.counts as Record<string, number> };
  } catch (err) {
    // Fail closed: no payload, and only the error's reason code (never its text) is kept.
    const code = (err as { reason?: string }).reason ?? 'internal';
    const field = (err as { field?: string }).field ?? '';
    const why = `redaction failed (${code}); the event was not stored`;
    return deadOutcome(msg, bytes, receivedAt, ctx.redactor, 'redaction_failed', field, why, false);
  }
  const event = redacted.event;
  const cost =
    event.type === 'response'
      ? ctx.prices.computeCost({ model: event.model, provider: event.provider, ts: event.ts, usage: event.usage })
      : { cost_usd: null, price_version: '' };
  const row = eventToRow(event, {
    receivedAt,
    partition: msg.partition,
    offset: msg.offset,
    costUsd: cost.cost_usd,
    priceVersion: cost.price_version,
    redactions: redacted.counts,
  });
  // Encoded here, inside processMessage's guard: a row the encoder refuses becomes a dead letter.
  return { kind: 'row', row, line: ctx.encoder.encode(row), redactions: redacted.counts, priced: cost.cost_usd !== null, event };
}

/**
 * Runs the contract's example events (one of each type, with PII) through the pipeline, row
 * encoding included, `rounds` times, results thrown away, so V8 has compiled the hot path before the
 * first real batch. Without it a fresh processor's first batches were 1.5-2.2 s old when
 * inserted, against 1.3 s at most after it (5,000 events/s on this project's 2-core VM).
 */
export function warmUp(ctx: PipelineContext, rounds = 300): { rows: number; dead: number } {
  const values = Object.values(EXAMPLE_EVENTS).map((e) => Buffer.from(JSON.stringify({ ...e, ts: ctx.now() })));
  // Every event type makes rows with the same fields as its example: a field the table lacks would
  // not be stored, so the processor refuses to start rather than drop it from every row.
  for (const value of values) {
    const out = processMessage({ value, partition: 0, offset: '0' }, ctx);
    if (out.kind === 'dead') throw new Error(`an example event did not make a row (${out.dead.reason}: ${out.dead.message})`);
    const unknown = ctx.encoder.unknownFields(out.row);
    if (unknown.length > 0) throw new Error(`the events table has no column for ${unknown.join(', ')}: run \`lookout migrate\` first`);
  }
  const counts = { rows: 0, dead: 0 };
  for (let r = 0; r < rounds; r++) {
    for (const value of values) {
      const out = processMessage({ value, partition: 0, offset: '0' }, ctx);
      if (out.kind === 'row') counts.rows++;
      else counts.dead++;
    }
  }
  return counts;
}
