/**
 * Redacting a whole event. Structural fields (ids, labels, numbers, enums) are kept as they are;
 * every other string, including fields the contract does not know, goes through the redactor, so a
 * new free-text field is redacted by default rather than leaked. `user_id` becomes a keyed pseudonym.
 * Any failure throws RedactionError: the caller dead-letters the event without its text.
 */
import { LIMITS } from '../../schemas/events/limits.ts';
import type { LookoutEvent } from '../../schemas/events/v1.ts';
import { nameParts, type Redactor } from './redactor.ts';
import { RedactionError, type Counts, type EntityType, type RedactResult } from './types.ts';

/** Fields kept verbatim at the top level: identifiers, labels, numbers, flags. */
const KEEP_TOP = new Set([
  'event_id', 'schema_version', 'type', 'ts', 'received_at', 'tenant', 'service', 'environment',
  'conversation_id', 'turn', 'channel', 'model', 'provider', 'prompt_version', 'kb_version',
  'target_event_id', 'latency_ms', 'ttft_ms', 'status', 'fallback_used', 'cache_hit', 'guardrail_triggers',
]);

/** Per nested object: fields kept verbatim, and free-text fields with their length limit. */
const NESTED: Record<string, { keep: Set<string>; text: Record<string, number> }> = {
  error: { keep: new Set(['code']), text: { message: LIMITS.snippetChars } },
  feedback: { keep: new Set(['thumbs', 'csat', 'source']), text: { comment: LIMITS.snippetChars } },
  escalation: { keep: new Set(['reason', 'target']), text: { comment: LIMITS.snippetChars } },
  tool: { keep: new Set(['name', 'status', 'latency_ms']), text: { arguments: LIMITS.textChars, result: LIMITS.textChars } },
  document: {
    keep: new Set(['doc_id', 'version', 'updated_at', 'action']),
    text: { title: LIMITS.idChars, text: LIMITS.documentChars, url: 2048 },
  },
  retrieved: { keep: new Set(['doc_id', 'kb_version', 'score']), text: { title: LIMITS.idChars, snippet: LIMITS.snippetChars } },
  usage: { keep: new Set(['input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens', 'reasoning_tokens']), text: {} },
};

const TOP_TEXT: Record<string, number> = {
  input_text: LIMITS.textChars,
  output_text: LIMITS.textChars,
  query_text: LIMITS.textChars,
};

/** Nesting allowed below an unknown field or inside attributes before giving up. */
const MAX_DEPTH = LIMITS.attributesDepth + 2;

export interface RedactedEvent {
  event: LookoutEvent;
  counts: Counts;
  /** The key id the pseudonyms were made with, to store beside them. */
  keyId: string;
}

/** What the second pass knows from the first: the names, and every text's result in walk order. */
interface FirstPass {
  names: readonly string[];
  /** Words of the names: a text containing none of them cannot change on the second pass. */
  words: readonly string[];
  results: readonly RedactResult[];
}

class Walker {
  readonly counts: Counts = {};
  /** Person names found in context in any field (collected on the first pass). */
  readonly names = new Set<string>();
  /** Every text's result, in walk order (first pass). */
  readonly results: RedactResult[] = [];
  private at = 0;
  constructor(
    private readonly redactor: Redactor,
    private readonly first?: FirstPass,
  ) {}

  text(value: string, field: string, max: number): string {
    let r: RedactResult;
    if (this.first) {
      const previous = this.first.results[this.at++]!;
      r = this.first.words.some((w) => value.includes(w)) ? this.redactor.redact(value, field, max, this.first.names) : previous;
    } else {
      r = this.redactor.redact(value, field, max);
      this.results.push(r);
    }
    for (const s of r.spans) if (s.type === 'PERSON') this.names.add(value.slice(s.start, s.end));
    for (const [t, n] of Object.entries(r.counts)) {
      const type = t as EntityType;
      this.counts[type] = (this.counts[type] ?? 0) + n;
    }
    return r.text;
  }

  /** Any JSON value: strings redacted under `field`, containers walked, keys kept. */
  any(value: unknown, field: string, max: number, depth: number): unknown {
    if (typeof value === 'string') return this.text(value, field, max);
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value !== 'object') throw new RedactionError('invalid_input', field);
    if (depth > MAX_DEPTH) throw new RedactionError('too_deep', field);
    if (Array.isArray(value)) return value.map((v) => this.any(v, field, max, depth + 1));
    const out: Record<string, unknown> = {};
    // Object.keys, not entries: no [key, value] pair allocated per field on the hot path.
    for (const k of Object.keys(value)) out[k] = this.any((value as Record<string, unknown>)[k], field, max, depth + 1);
    return out;
  }

  nested(name: string, value: unknown): unknown {
    const spec = NESTED[name]!;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.any(value, name, LIMITS.textChars, 1);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k];
      if (spec.keep.has(k) && typeof v !== 'object') out[k] = v;
      else out[k] = this.any(v, `${name}.${k}`, spec.text[k] ?? LIMITS.textChars, 1);
    }
    return out;
  }
}

function isStringArray(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/**
 * Redacts every free-text field of an event and pseudonymises `user_id`. Returns a new object.
 * A name found in context in one field ("my name is ...") is also redacted where it stands bare in
 * another (a title, a sign-off without a greeting): a second pass runs only when names were found,
 * and redacts again only the texts that contain a word of one of them.
 */
export function redactEvent(event: LookoutEvent, redactor: Redactor): RedactedEvent {
  const first = walkEvent(event, redactor);
  if (first.walker.names.size === 0) return first.result;
  const names = [...first.walker.names];
  // A text holding none of the parts the second pass looks for comes out of it unchanged.
  const words = [...nameParts(names)];
  return walkEvent(event, redactor, { names, words, results: first.walker.results }).result;
}

function walkEvent(event: LookoutEvent, redactor: Redactor, first?: FirstPass): { result: RedactedEvent; walker: Walker } {
  try {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new RedactionError('invalid_input');
    const w = new Walker(redactor, first);
    const out: Record<string, unknown> = {};
    const fields = event as Record<string, unknown>;
    for (const k of Object.keys(fields)) {
      const v = fields[k];
      if (v === undefined) continue;
      if (k === 'user_id') {
        if (typeof v !== 'string') throw new RedactionError('invalid_input', 'user_id');
        out[k] = redactor.userPseudonym(v);
      } else if (KEEP_TOP.has(k) && (typeof v !== 'object' || v === null || isStringArray(v))) {
        out[k] = v;
      } else if (k === 'retrieved') {
        if (!Array.isArray(v)) throw new RedactionError('invalid_input', 'retrieved');
        out[k] = v.map((doc) => w.nested('retrieved', doc));
      } else if (k === 'attributes') {
        out[k] = w.any(v, 'attributes', LIMITS.attributesBytes, 0);
      } else if (k in NESTED) {
        out[k] = w.nested(k, v);
      } else {
        out[k] = w.any(v, k, TOP_TEXT[k] ?? LIMITS.textChars, 1);
      }
    }
    return { result: { event: out as LookoutEvent, counts: w.counts, keyId: redactor.keyId }, walker: w };
  } catch (err) {
    if (err instanceof RedactionError) throw err;
    throw new RedactionError('internal');
  }
}
