/**
 * Secrets given by name: `password=...`, `"api_key": "..."`, `secret: ...`, `Bearer ...`,
 * "my password is ...", and AWS secret access keys (40 characters) after an AWS secret keyword.
 * Only the value is redacted; the keyword stays so the text still reads.
 */
import type { RawSpan } from '../types.ts';
import { isAlnum, isDigit, isSpace } from './chars.ts';

const PLACEHOLDERS = new Set(['null', 'none', 'undefined', 'true', 'false', 'redacted', '<redacted>', '[redacted]', 'xxx', 'n/a', 'empty', 'required', 'optional', 'string', 'hidden']);

function isPasswordWord(k: string): boolean {
  return k.startsWith('pass') || k === 'pwd';
}

function valueEndChar(c: number, quote: number): boolean {
  if (quote) return c === quote || c === 10 || c === 13;
  return isSpace(c) || c === 44 || c === 59 || c === 38 || c === 34 || c === 39 || c === 60 || c === 62 || c === 41 || c === 125 || c === 93 || c === 96;
}

/** True when a value read after "is" looks like a secret rather than an English word. */
function secretish(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c) || !isAlnum(c) || (i > s && c >= 65 && c <= 90)) return true;
  }
  return false;
}

/**
 * Keyword text[ks, ke) (already lowercased in `kw`) matched; reads an optional closing quote,
 * a separator and the value. Returns where the value ended (the caller resumes there), or -1.
 */
export function assignmentAfter(text: string, kw: string, ke: number, out: RawSpan[]): number {
  let i = ke;
  const c0 = text.charCodeAt(i);
  if (c0 === 34 || c0 === 39) i++;
  let spaces = 0;
  while (spaces < 3 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) {
    i++;
    spaces++;
  }
  let natural = false;
  const sep = text.charCodeAt(i);
  if (kw === 'bearer') {
    if (i === ke) return -1;
  } else if (sep === 61 || sep === 58) {
    i++;
    if (text.charCodeAt(i) === 62 || text.charCodeAt(i) === 61) i++;
  } else if ((text.startsWith('is ', i) || text.startsWith('was ', i)) && (isPasswordWord(kw) || kw === 'pin')) {
    i += text.charCodeAt(i) === 105 ? 3 : 4;
    natural = true;
  } else {
    return -1;
  }
  spaces = 0;
  while (spaces < 3 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) {
    i++;
    spaces++;
  }
  let quote = 0;
  const q = text.charCodeAt(i);
  if (q === 34 || q === 39 || q === 96) {
    quote = q;
    i++;
  }
  const vs = i;
  const limit = Math.min(text.length, vs + 256);
  while (i < limit && !valueEndChar(text.charCodeAt(i), quote)) i++;
  let ve = i;
  if (!quote) {
    while (ve > vs && (text.charCodeAt(ve - 1) === 46 || text.charCodeAt(ve - 1) === 44) && (ve === text.length || isSpace(text.charCodeAt(ve)))) ve--;
  }
  const len = ve - vs;
  if (len < 3) return -1;
  if (kw === 'pin') {
    for (let k = vs; k < ve; k++) if (!isDigit(text.charCodeAt(k))) return -1;
    if (len > 8) return -1;
  }
  if (len <= 12 && PLACEHOLDERS.has(text.slice(vs, ve).toLowerCase())) return -1;
  if (allMaskChars(text, vs, ve)) return -1;
  if (kw === 'bearer' && len < 16) return -1;
  if (natural && !secretish(text, vs, ve)) return -1;
  // "Token: expired" in prose: a short plain word after a colon and a space is not a secret.
  if (!quote && !isPasswordWord(kw) && spaces > 0 && sep === 58 && len < 12 && !secretish(text, vs, ve)) return -1;
  out.push({ type: 'SECRET', start: vs, end: ve });
  return ve;
}

/** "********", "xxxx", "•••": a value that was already masked. */
function allMaskChars(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c !== 42 && (c | 32) !== 120 && c !== 46 && c !== 0x2022) return false;
  }
  return true;
}

function isB64(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 47;
}

/** A 40-character AWS secret key within 40 characters after the keyword. */
export function awsSecretAfter(text: string, ke: number, out: RawSpan[]): void {
  const limit = Math.min(text.length, ke + 40);
  let i = ke;
  while (i < limit) {
    if (isB64(text.charCodeAt(i)) && !isB64(text.charCodeAt(i - 1))) {
      let e = i;
      while (e < text.length && e - i <= 40 && isB64(text.charCodeAt(e))) e++;
      if (e - i === 40 && !isB64(text.charCodeAt(e))) {
        out.push({ type: 'SECRET', start: i, end: e });
        return;
      }
      i = e;
    } else {
      i++;
    }
  }
}
