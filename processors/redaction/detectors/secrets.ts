/**
 * Secrets recognisable by shape: provider API keys by prefix (OpenAI, Anthropic, GitHub, Slack,
 * Stripe, Google, AWS access key ids, GitLab, npm, Hugging Face), JWTs and PEM private keys.
 * The keyword pass finds prefixes; the body is read in code so a run is scanned only once.
 */
import type { RawSpan } from '../types.ts';
import { isAlnum, isDigit, isUpperAscii } from './chars.ts';

/** Key prefixes, matched case-insensitively inside the keyword pass; the exact case is checked here. */
export const KEY_PREFIX_SOURCE = 'sk-|sk_(?:live|test)_|[rp]k_(?:live|test)_|whsec_|gh[pousr]_|github_pat_|xox[abprse]-|xapp-|aiza|a[ks]ia|eyj|glpat-|npm_|hf_';
const EXACT_PREFIX = new RegExp(`^(?:${KEY_PREFIX_SOURCE.replace('aiza', 'AIza').replace('a[ks]ia', 'A[KS]IA').replace('eyj', 'eyJ')})$`);

/** Body character classes. */
const ALNUM = 0;
const ALNUM_US = 1; // letters, digits, '_'
const B64URL = 2; // letters, digits, '_', '-'
const ALNUM_DASH = 3; // letters, digits, '-'
const B64 = 4; // letters, digits, '+', '/', '='
const UPPER_DIGIT = 5;

function inClass(c: number, k: number): boolean {
  switch (k) {
    case ALNUM:
      return isAlnum(c);
    case ALNUM_US:
      return isAlnum(c) || c === 95;
    case B64URL:
      return isAlnum(c) || c === 95 || c === 45;
    case ALNUM_DASH:
      return isAlnum(c) || c === 45;
    case B64:
      return isAlnum(c) || c === 43 || c === 47 || c === 61;
    default:
      return isUpperAscii(c) || isDigit(c);
  }
}

interface Rule {
  cls: number;
  min: number;
  /** Exact body length, when the format fixes it. */
  exact?: number;
  mixed?: boolean;
}

function ruleFor(prefix: string): Rule {
  switch (prefix) {
    case 'sk-':
      return { cls: B64URL, min: 20, mixed: true };
    case 'whsec_':
      return { cls: B64, min: 24 };
    case 'github_pat_':
      return { cls: ALNUM_US, min: 40 };
    case 'xapp-':
      return { cls: ALNUM_DASH, min: 20 };
    case 'AIza':
      return { cls: B64URL, min: 35, exact: 35 };
    case 'AKIA':
    case 'ASIA':
      return { cls: UPPER_DIGIT, min: 16, exact: 16 };
    case 'glpat-':
      return { cls: B64URL, min: 20 };
    case 'npm_':
      return { cls: ALNUM, min: 36 };
    case 'hf_':
      return { cls: ALNUM, min: 30, mixed: true };
    default:
      if (prefix.startsWith('xox')) return { cls: ALNUM_DASH, min: 10, mixed: true };
      if (prefix.startsWith('gh')) return { cls: ALNUM, min: 30 };
      return { cls: ALNUM, min: 16 };
  }
}

function hasLetterAndDigit(text: string, s: number, e: number): boolean {
  let letter = false;
  let digit = false;
  for (let i = s; i < e && !(letter && digit); i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) digit = true;
    else if (isAlnum(c)) letter = true;
  }
  return letter && digit;
}

function runEnd(text: string, s: number, cls: number): number {
  let e = s;
  while (e < text.length && inClass(text.charCodeAt(e), cls)) e++;
  return e;
}

/** JWT: three base64url segments, the first two JSON objects ("eyJ"). Returns [end, resume]. */
function jwtAt(text: string, s: number): [number, number] {
  const e1 = runEnd(text, s, B64URL);
  if (text.charCodeAt(e1) !== 46 || e1 - s < 10 || !text.startsWith('eyJ', e1 + 1)) return [-1, e1];
  const e2 = runEnd(text, e1 + 1, B64URL);
  if (text.charCodeAt(e2) !== 46 || e2 - e1 - 1 < 10) return [-1, e2];
  const e3 = runEnd(text, e2 + 1, B64URL);
  return [e3, e3];
}

/** A key starting at s with the matched prefix; returns where scanning may resume. */
export function keyPrefixAt(text: string, s: number, prefix: string, out: RawSpan[]): number {
  if (!EXACT_PREFIX.test(prefix)) return s + 1;
  const prev = s > 0 ? text.charCodeAt(s - 1) : 32;
  if (isAlnum(prev) || prev === 95 || prev === 45) return s + 1;
  if (prefix === 'eyJ') {
    const [end, resume] = jwtAt(text, s);
    if (end > 0) out.push({ type: 'SECRET', start: s, end });
    return Math.max(resume, s + 1);
  }
  const bodyStart = s + prefix.length;
  const rule = ruleFor(prefix);
  const e = runEnd(text, bodyStart, rule.cls);
  const len = e - bodyStart;
  const ok =
    (rule.exact === undefined ? len >= rule.min : len === rule.exact) &&
    (!rule.mixed || hasLetterAndDigit(text, bodyStart, e)) &&
    !(e < text.length && isAlnum(text.charCodeAt(e)));
  if (ok) out.push({ type: 'SECRET', start: s, end: e });
  return Math.max(e, s + 1);
}

const PEM_BEGIN = '-----BEGIN ';
const PEM_END = '-----END ';

function isPemBody(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 47 || c === 61 || c === 10 || c === 13 || c === 92 || c === 32 || c === 58 || c === 44 || c === 45;
}

/**
 * PEM private keys, BEGIN to END. Without an END line the block runs to the end of its base64
 * body (fail closed). The next END is searched once and remembered, so repeated BEGINs stay linear.
 */
export function detectPrivateKeys(text: string, out: RawSpan[]): void {
  let p = text.indexOf(PEM_BEGIN);
  let nextEnd = -2;
  while (p !== -1) {
    const labelStart = p + PEM_BEGIN.length;
    const labelEnd = text.indexOf('-----', labelStart);
    if (labelEnd < 0) return;
    if (labelEnd - labelStart > 40 || !text.slice(labelStart, labelEnd).endsWith('PRIVATE KEY') && !text.slice(labelStart, labelEnd).endsWith('PRIVATE KEY BLOCK')) {
      p = text.indexOf(PEM_BEGIN, Math.max(labelEnd, p + 1));
      continue;
    }
    const bodyStart = labelEnd + 5;
    if (nextEnd !== -1 && nextEnd < bodyStart) nextEnd = text.indexOf(PEM_END, bodyStart);
    let end: number;
    if (nextEnd >= 0) {
      const close = text.indexOf('-----', nextEnd + PEM_END.length);
      end = close >= 0 && close - nextEnd < 64 ? close + 5 : nextEnd + PEM_END.length;
    } else {
      end = bodyStart;
      while (end < text.length && isPemBody(text.charCodeAt(end))) end++;
    }
    out.push({ type: 'SECRET', start: p, end });
    p = text.indexOf(PEM_BEGIN, end);
  }
}
