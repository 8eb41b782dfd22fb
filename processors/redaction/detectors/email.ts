/**
 * Email addresses, found from each '@': the local part is read leftwards (at most 64 characters)
 * and the domain rightwards (at most 253), then the domain needs a dot and an alphabetic TLD.
 */
import type { RawSpan } from '../types.ts';
import { isAlnum, isAsciiLetter } from './chars.ts';

function isLocal(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

function isDomain(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 45;
}

/** Image and file suffixes that follow '@' in names like "logo@2x.png". */
const FILE_SUFFIXES = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'pdf', 'css', 'js', 'ts', 'json', 'txt', 'log', 'zip']);

/** End offset of a valid domain starting at `s`, or -1. */
function domainEnd(text: string, s: number): number {
  let e = s;
  const limit = Math.min(text.length, s + 253);
  while (e < limit && isDomain(text.charCodeAt(e))) e++;
  while (e > s && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
  let labelStart = s;
  let labels = 0;
  for (let i = s; i <= e; i++) {
    if (i === e || text.charCodeAt(i) === 46) {
      const len = i - labelStart;
      if (len === 0 || len > 63) return -1;
      if (text.charCodeAt(labelStart) === 45 || text.charCodeAt(i - 1) === 45) return -1;
      labels++;
      if (i < e) labelStart = i + 1;
    }
  }
  if (labels < 2) return -1;
  const tldLen = e - labelStart;
  if (tldLen < 2 || tldLen > 24) return -1;
  for (let i = labelStart; i < e; i++) if (!isAsciiLetter(text.charCodeAt(i))) return -1;
  if (FILE_SUFFIXES.has(text.slice(labelStart, e).toLowerCase())) return -1;
  return e;
}

/** True when '@' at `at` sits in a URL authority ("scheme://user:pass@host"), left to the URL detector. */
function inUrlAuthority(text: string, at: number): boolean {
  const limit = Math.max(0, at - 256);
  for (let i = at - 1; i > limit; i--) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 64) return false;
    if (c === 47 && text.charCodeAt(i - 1) === 47 && text.charCodeAt(i - 2) === 58) return true;
    if (c === 47) return false;
  }
  return false;
}

export function detectEmails(text: string, out: RawSpan[]): void {
  let floor = 0;
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    const limit = Math.max(floor, at - 64);
    while (s > limit && isLocal(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++;
    if (s < at && text.charCodeAt(at - 1) !== 46 && !inUrlAuthority(text, at)) {
      const e = domainEnd(text, at + 1);
      if (e > 0) {
        out.push({ type: 'EMAIL', start: s, end: e });
        floor = e;
        at = text.indexOf('@', e);
        continue;
      }
    }
    at = text.indexOf('@', at + 1);
  }
}
