/**
 * Detection, overlap resolution and operators. `createRedactor` validates the options and
 * precomputes what it can; `redact` scans a text with the detectors, merges overlapping spans into
 * one per region (the higher-priority type names it) and replaces each region.
 */
import { createHmac } from 'node:crypto';
import { LIMITS } from '../../schemas/events/limits.ts';
import { detectEmails } from './detectors/email.ts';
import { detectIpv6 } from './detectors/ip.ts';
import { detectKeywords } from './detectors/keywords.ts';
import { detectNumbers, planNumbers } from './detectors/numeric.ts';
import { detectPrivateKeys } from './detectors/secrets.ts';
import { detectUrls } from './detectors/url.ts';
import {
  DEFAULT_OPERATORS,
  ENTITY_TYPES,
  OPERATORS,
  PRIORITY,
  RedactionError,
  type Counts,
  type EntityType,
  type Operator,
  type RawSpan,
  type RedactResult,
  type RedactionOptions,
  type Span,
} from './types.ts';

export interface Redactor {
  readonly keyId: string;
  /**
   * Redacts one text; `field` selects per-field operator overrides. `knownNames` are person names
   * already found in context in the same event: their bare occurrences are redacted too.
   * Throws RedactionError only.
   */
  redact(text: string, field?: string, maxChars?: number, knownNames?: readonly string[]): RedactResult;
  /** Merged detections, sorted, without replacing anything. */
  detect(text: string): RawSpan[];
  /** Keyed pseudonym for a user id: `usr_` and 16 hex characters. */
  userPseudonym(userId: string): string;
}

const CACHE_LIMIT = 4096;

function normalise(type: EntityType, value: string): string {
  switch (type) {
    case 'EMAIL':
    case 'IP_ADDRESS':
      return value.toLowerCase();
    case 'PHONE': {
      const d = value.replace(/\D/g, '');
      return d.startsWith('00') ? d.slice(2) : d;
    }
    case 'CARD':
    case 'US_SSN':
    case 'KR_RRN':
    case 'IN_AADHAAR':
      return value.replace(/\D/g, '');
    case 'IBAN':
    case 'UK_NINO':
    case 'ES_DNI':
      return value.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
    case 'PERSON':
      return value.replace(/\s+/g, ' ').toLowerCase();
    default:
      return value;
  }
}

/** Sorts and merges overlapping spans; the merged region takes the type of its strongest member. */
export function resolveOverlaps(spans: RawSpan[]): { region: RawSpan; winner: RawSpan }[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: { region: RawSpan; winner: RawSpan }[] = [];
  let cur: { region: RawSpan; winner: RawSpan } | undefined;
  for (const s of spans) {
    if (s.end <= s.start) continue;
    if (cur && s.start < cur.region.end) {
      if (s.end > cur.region.end) cur.region.end = s.end;
      const w = cur.winner;
      if (PRIORITY[s.type] > PRIORITY[w.type] || (PRIORITY[s.type] === PRIORITY[w.type] && s.end - s.start > w.end - w.start)) {
        cur.winner = s;
        cur.region.type = s.type;
      }
      continue;
    }
    cur = { region: { type: s.type, start: s.start, end: s.end }, winner: s };
    merged.push(cur);
  }
  return merged;
}

function validateOptions(options: RedactionOptions): void {
  if (!options || typeof options !== 'object') throw new RedactionError('invalid_options');
  if (typeof options.key !== 'string' || options.key.length < 16) throw new RedactionError('invalid_options', 'key');
  const ops = new Set<string>(OPERATORS);
  const types = new Set<string>(ENTITY_TYPES);
  const checkOps = (o: Partial<Record<string, unknown>> | undefined, where: string): void => {
    for (const [t, op] of Object.entries(o ?? {})) {
      if (!types.has(t) || !ops.has(op as string)) throw new RedactionError('invalid_options', where);
    }
  };
  checkOps(options.operators, 'operators');
  for (const [field, o] of Object.entries(options.fields ?? {})) {
    if (typeof o === 'string') {
      if (!ops.has(o)) throw new RedactionError('invalid_options', `fields.${field}`);
    } else {
      if (o.operator !== undefined && !ops.has(o.operator)) throw new RedactionError('invalid_options', `fields.${field}`);
      checkOps(o.operators, `fields.${field}`);
    }
  }
  for (const t of options.disabled ?? []) if (!types.has(t)) throw new RedactionError('invalid_options', 'disabled');
  const hex = options.tokenHexChars ?? 12;
  if (!Number.isInteger(hex) || hex < 8 || hex > 64) throw new RedactionError('invalid_options', 'tokenHexChars');
}

export function createRedactor(options: RedactionOptions): Redactor {
  validateOptions(options);
  const key = Buffer.from(options.key, 'utf8');
  const keyId = options.keyId ?? 'default';
  const hexChars = options.tokenHexChars ?? 12;
  const maxDefault = options.maxChars ?? LIMITS.documentChars;
  const disabled = new Set<EntityType>(options.disabled ?? []);
  const on = (t: EntityType): boolean => !disabled.has(t);
  const numbers = planNumbers(on);
  const emails = on('EMAIL');
  const urls = on('URL_CREDENTIAL') || on('SECRET');
  const secrets = on('SECRET');
  const ipv6 = on('IP_ADDRESS');
  const keywords = secrets || on('DATE_OF_BIRTH') || on('PERSON');
  const base: Record<EntityType, Operator> = { ...DEFAULT_OPERATORS, ...options.operators };
  const perField = new Map<string, Record<EntityType, Operator>>();
  for (const [field, o] of Object.entries(options.fields ?? {})) {
    const table = { ...base };
    const all = typeof o === 'string' ? o : o.operator;
    if (all) for (const t of ENTITY_TYPES) table[t] = all;
    if (typeof o !== 'string') Object.assign(table, o.operators);
    perField.set(field, table);
  }
  const cache = new Map<string, string>();

  const hmacHex = (input: string, chars: number): string => createHmac('sha256', key).update(input, 'utf8').digest('hex').slice(0, chars);

  const token = (type: EntityType, value: string): string => {
    const norm = normalise(type, value);
    const k = `${type}\u0000${norm}`;
    let t = cache.get(k);
    if (t === undefined) {
      t = hmacHex(k, hexChars);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(k, t);
    }
    return t;
  };

  const replacement = (op: Operator, type: EntityType, value: string): string => {
    if (op === 'remove') return `<${type}>`;
    if (op === 'mask') {
      if (type === 'CARD') return `****${value.replace(/\D/g, '').slice(-4)}`;
      return '********';
    }
    return `<${type}:${token(type, value)}>`;
  };

  const scan = (text: string): RawSpan[] => {
    const raw: RawSpan[] = [];
    if (text.length === 0) return raw;
    detectNumbers(text, raw, numbers);
    if (emails) detectEmails(text, raw);
    if (urls) detectUrls(text, raw);
    if (secrets) detectPrivateKeys(text, raw);
    if (ipv6) detectIpv6(text, raw);
    if (keywords) detectKeywords(text, raw, on);
    return disabled.size ? raw.filter((s) => on(s.type)) : raw;
  };

  const detect = (text: string): RawSpan[] => resolveOverlaps(scan(text)).map((m) => m.region);

  const redact = (text: string, field?: string, maxChars?: number, knownNames?: readonly string[]): RedactResult => {
    if (typeof text !== 'string') throw new RedactionError('invalid_input', field);
    if (text.length > (maxChars ?? maxDefault)) throw new RedactionError('too_large', field);
    try {
      const kept = scan(text);
      if (knownNames?.length && on('PERSON')) findKnownNames(text, kept, knownNames);
      if (kept.length === 0) return { text, spans: [], counts: {} };
      const table = (field !== undefined && perField.get(field)) || base;
      const merged = resolveOverlaps(kept);
      const spans: Span[] = [];
      const counts: Counts = {};
      let outText = '';
      let pos = 0;
      for (const { region, winner } of merged) {
        const op = table[region.type];
        outText += text.slice(pos, region.start) + replacement(op, region.type, text.slice(winner.start, winner.end));
        pos = region.end;
        spans.push({ type: region.type, start: region.start, end: region.end, operator: op });
        counts[region.type] = (counts[region.type] ?? 0) + 1;
      }
      outText += text.slice(pos);
      return { text: outText, spans, counts };
    } catch (err) {
      if (err instanceof RedactionError) throw err;
      throw new RedactionError('internal', field);
    }
  };

  return {
    keyId,
    redact,
    detect,
    userPseudonym: (userId: string) => {
      // Most events of a conversation share a user: cache like the text tokens.
      const k = `user_id\u0000${userId}`;
      let t = cache.get(k);
      if (t === undefined) {
        t = `usr_${hmacHex(k, 16)}`;
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(k, t);
      }
      return t;
    },
  };
}

const WORDS = /[\p{L}\p{N}_]+/gu;

/** The parts of known names that are matched where they stand bare: capitalised, 3+ letters. */
export function nameParts(knownNames: readonly string[]): Set<string> {
  const parts = new Set<string>();
  for (const name of knownNames) for (const part of name.split(/\s+/)) if (part.length >= 3 && /^\p{Lu}/u.test(part)) parts.add(part);
  return parts;
}

/**
 * Adds PERSON spans for bare occurrences of names found in context (by redactEvent's first pass),
 * matched word by word on their capitalised parts of 3+ letters: "Mr Quixwright" or a title
 * "Zebulon Quixwright" after "my name is Zebulon Quixwright". One pass over the words: linear.
 */
function findKnownNames(text: string, spans: RawSpan[], knownNames: readonly string[]): void {
  const parts = nameParts(knownNames);
  if (parts.size === 0) return;
  const covered = new Set<number>();
  for (const s of spans) if (s.type === 'PERSON') covered.add(s.start);
  for (const m of text.matchAll(WORDS)) {
    if (parts.has(m[0]) && !covered.has(m.index)) spans.push({ type: 'PERSON', start: m.index, end: m.index + m[0].length });
  }
}

const redactors = new WeakMap<RedactionOptions, Redactor>();

/** One-off redaction; the redactor built for an options object is reused for the same object. */
export function redactText(text: string, options: RedactionOptions): RedactResult {
  let r = redactors.get(options);
  if (!r) {
    r = createRedactor(options);
    redactors.set(options, r);
  }
  return r.redact(text);
}
