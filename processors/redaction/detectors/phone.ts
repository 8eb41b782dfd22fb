/**
 * Phone numbers. International: "+CC" or "00CC" then the national number, checked against the
 * country's national-number length. National: the printed shapes of US/CA, UK, DE, FR, IN, KR, ES
 * and AU numbers (trunk-0 numbers of 9-12 digits, NANP 3-3-4, Indian 5-5, Spanish 3-3-3), bare digit
 * runs only next to a phone word. Dates, versions, prices and ids do not have these shapes or sit
 * next to order/invoice/tracking words.
 */
import { SEP_DASH, SEP_DOT, SEP_OTHER, SEP_PAREN, SEP_SLASH, SEP_SPACE, type Chunk } from './chunk.ts';

/** Two-digit country codes; 1 and 7 are the one-digit ones, every other code has three digits. */
const CC2 = new Set([
  20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57,
  58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
]);

/** National significant number length [min, max] for the countries we know well. */
const NATIONAL_LENGTH: Record<number, [number, number]> = {
  1: [10, 10], 7: [10, 10], 27: [9, 9], 31: [9, 9], 32: [8, 9], 33: [9, 9], 34: [9, 9], 39: [6, 11],
  41: [9, 9], 43: [7, 13], 44: [9, 10], 45: [8, 8], 46: [7, 9], 47: [8, 8], 48: [9, 9], 49: [6, 13],
  52: [10, 10], 55: [10, 11], 61: [9, 9], 65: [8, 8], 81: [9, 10], 82: [8, 10], 86: [10, 11],
  91: [10, 10], 351: [9, 9], 353: [7, 9], 852: [8, 8], 971: [8, 9], 972: [8, 9],
};
const DEFAULT_LENGTH: [number, number] = [6, 12];
/** Three-digit codes accepted after a "00" prefix (with '+' any code is accepted). */
const CC3 = new Set([
  212, 213, 216, 234, 254, 255, 256, 351, 352, 353, 354, 356, 357, 358, 359, 370, 371, 372, 380, 381, 385,
  386, 420, 421, 852, 853, 855, 880, 886, 960, 961, 962, 963, 965, 966, 968, 971, 972, 973, 974, 977, 994, 995, 998,
]);

function knownCc(cc: number): boolean {
  return cc === 1 || cc === 7 || CC2.has(cc) || CC3.has(cc);
}

function ccLength(c: Chunk, pos: number): number {
  const d1 = c.text.charCodeAt(pos) - 48;
  if (d1 === 1 || d1 === 7) return 1;
  const d2 = d1 * 10 + (c.text.charCodeAt(pos + 1) - 48);
  return CC2.has(d2) ? 2 : 3;
}

function phoneSep(s: number): boolean {
  return s === SEP_SPACE || s === SEP_DASH || s === SEP_DOT || s === SEP_PAREN || s === SEP_SLASH;
}

/** Group i holds the country code from `skip` on (after "00"), or the whole code plus digits. */
function international(c: Chunk, i: number, skip: number): number {
  let k = i;
  let pos = c.gs[i]! + skip;
  if (pos === c.ge[i]) {
    k++;
    if (k >= c.n || !phoneSep(c.sep[k]!)) return -1;
    pos = c.gs[k]!;
  }
  const avail = c.ge[k]! - pos;
  if (c.text.charCodeAt(pos) === 48) return -1;
  let ccLen: number;
  let nat: number;
  if (avail <= 3 && k + 1 < c.n) {
    ccLen = avail;
    nat = 0;
  } else {
    ccLen = ccLength(c, pos);
    if (ccLen >= avail) return -1;
    nat = avail - ccLen;
  }
  let cc = 0;
  for (let p = pos; p < pos + ccLen; p++) cc = cc * 10 + (c.text.charCodeAt(p) - 48);
  if (skip > 0 && !knownCc(cc)) return -1;
  const [lo, hiBase] = NATIONAL_LENGTH[cc] ?? DEFAULT_LENGTH;
  let hi = hiBase;
  let best = nat >= lo && nat <= hi ? k : -1;
  for (let j = k + 1; j < c.n; j++) {
    const s = c.sep[j]!;
    if (!phoneSep(s)) break;
    // "+44 (0)20 ...": the bracketed trunk zero is not part of the national number.
    if (c.len(j) === 1 && c.first(j) === 0 && nat === 0 && (s === SEP_PAREN || c.sep[j + 1] === SEP_PAREN)) continue;
    if (nat === 0 && c.first(j) === 0) hi = hiBase + 1;
    nat += c.len(j);
    if (nat > hi) break;
    if (nat >= lo) best = j;
  }
  return best;
}

function dateLike(c: Chunk, i: number): boolean {
  if (i + 2 >= c.n) return false;
  const a = c.len(i);
  const b = c.len(i + 1);
  const d = c.len(i + 2);
  return (a <= 2 && b <= 2 && d === 4) || (a === 4 && b <= 2 && d <= 2);
}

/** Trunk-prefixed national numbers (UK, DE, FR, KR, AU, IN with 0): 9-12 digits, groups of 2+. */
function trunk(c: Chunk, i: number): number {
  let best = -1;
  let digits = 0;
  let st = 0;
  for (let j = i; j < c.n && j < i + 5; j++) {
    if (j > i) {
      const s = c.sep[j]!;
      if (s === SEP_OTHER) break;
      if (s !== SEP_PAREN) {
        if (st === 0) st = s;
        else if (s !== st) break;
        if (s === SEP_SLASH && j > i + 1) break;
      }
      if (c.len(j) < 2) break;
    }
    digits += c.len(j);
    if (digits > 12) break;
    if (j === i) {
      if (digits >= 10 && digits <= 12) best = j;
      continue;
    }
    if (digits >= 9) best = j;
  }
  if (best < 0) return -1;
  if ((st === SEP_DOT || st === SEP_SLASH || st === SEP_DASH) && dateLike(c, i)) return -1;
  if (st === SEP_DOT) {
    for (let k = i; k <= best; k++) if (c.len(k) !== 2 && !(best - i === 2 && c.len(k) >= 3)) return -1;
  }
  if (best + 1 < c.n && c.sep[best + 1] === st && st !== 0 && c.len(best + 1) >= 2) return -1;
  return best;
}

function shape(c: Chunk, i: number, lens: number[]): number {
  const j = i + lens.length - 1;
  if (j >= c.n) return -1;
  for (let k = 0; k < lens.length; k++) if (c.len(i + k) !== lens[k]) return -1;
  const st = c.style(i, j);
  if (st === SEP_OTHER || st === SEP_SLASH) return -1;
  if (st !== SEP_PAREN && st !== 0 && !c.isolated(i, j, st)) return -1;
  return j;
}

/** Index of the last group of a phone number starting at group i, or -1. */
export function phoneAt(c: Chunk, i: number): number {
  if (i === 0 && c.plus) return international(c, 0, 0);
  // A national number does not start in the middle of a run of groups ("978-0-547-78711-0").
  if (i > 0 && i !== c.resumeAt) return -1;
  const f = c.first(i);
  if (f === 0 && c.len(i) >= 2 && c.text.charCodeAt(c.gs[i]! + 1) === 48) {
    return c.negativeContext() ? -1 : international(c, i, 2);
  }
  if (f === 0) {
    if (c.len(i) < 2) return -1;
    const j = trunk(c, i);
    return j >= 0 && !c.negativeContext() ? j : -1;
  }
  let j = -1;
  if (f >= 2 && i + 1 < c.n && c.first(i + 1) >= 2) j = shape(c, i, [3, 3, 4]);
  if (j < 0 && f === 1 && c.len(i) === 1) {
    j = shape(c, i, [1, 3, 3, 4]);
    if (j >= 0 && c.first(i + 1) < 2) j = -1;
  }
  if (j < 0 && f >= 6) {
    j = shape(c, i, [5, 5]);
    if (j < 0) j = shape(c, i, [3, 3, 3]);
    if (j < 0) j = shape(c, i, [3, 2, 2, 2]);
  }
  if (j < 0 && c.n === 1 && ((c.len(i) === 10 && f >= 2) || (c.len(i) === 9 && f >= 6)) && c.phoneContext()) j = i;
  if (j < 0 || c.negativeContext()) return -1;
  return j;
}
