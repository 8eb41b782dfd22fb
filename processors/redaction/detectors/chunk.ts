/**
 * A numeric chunk: a maximal run of digits and the separators people put inside numbers
 * (space, dash, dot, slash, parentheses), split into digit groups. Every number-shaped detector
 * (cards, phones, national ids, IPv4, IBAN) works on these groups instead of running its own regex,
 * so the text is scanned for numbers once and each detector only looks at a bounded window.
 */
import { before, isAlnum, isAsciiLetter, isDigit, isWordLike } from './chars.ts';

/** Separator codes between two groups. */
export const SEP_SPACE = 32;
export const SEP_DASH = 45;
export const SEP_DOT = 46;
export const SEP_SLASH = 47;
/** A separator involving parentheses, e.g. "(020) 7946": compatible with any style. */
export const SEP_PAREN = -2;
/** Anything else (two spaces, " - ", "./"): ends a number. */
export const SEP_OTHER = -1;

/** How far back context words are looked for. */
const CONTEXT_CHARS = 32;
/** A negative word counts only this close to the number ("tracking number: 1234..."). */
const NEGATIVE_REACH = 20;
const PHONE_POSITIVE = /phone|\btel\b|mobile|\bcell\b|\bcall|\btext me|\bsms\b|whatsapp|\bfax\b|contact|reach me|landline|number is|my number|\bnum(?:ber)?:/g;
const NEGATIVE = /order|invoice|\binv\b|\bref|tracking|\btrack|ticket|\bcase (?:#|no|num|id)|acct|account (?:no|num|#)|\bawb\b|waybill|\bsku\b|serial|confirmation|booking|transaction|\btxn|receipt|parcel|shipment|package|\bpo\b|\bitem|product|\bmodel|version|\bbuild|\bid\b/g;

function lastMatch(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let last = -1;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) last = m.index;
  return last;
}

export class Chunk {
  text = '';
  /** First character of the chunk (may be '+' or '('). */
  start = 0;
  /** Just after the last digit. */
  end = 0;
  n = 0;
  /** Digits in all groups. */
  total = 0;
  readonly gs: number[] = [];
  readonly ge: number[] = [];
  /** sep[k] separates group k-1 from group k; sep[0] is unused. */
  readonly sep: number[] = [];
  plus = false;
  /** Group index right after the last detection in this chunk: where a new number may start. */
  resumeAt = 0;
  /** The chunk touches letters or code-like punctuation before its first / after its last group. */
  attachedBefore = false;
  attachedAfter = false;
  private ctxDone = false;
  private pos = -1;
  private neg = -1;
  private window = 0;

  /**
   * Reads groups from `start` (a digit, '+' or '(') while separators stay number-like; a separator
   * such as ". " or " - " ends the chunk, so "...6789. (1Z..." gives two chunks. Returns the offset
   * to resume scanning from.
   */
  load(text: string, start: number): number {
    this.text = text;
    this.start = start;
    this.n = 0;
    this.total = 0;
    this.plus = text.charCodeAt(start) === 43;
    this.ctxDone = false;
    this.resumeAt = 0;
    const len = text.length;
    let i = this.plus ? start + 1 : start;
    let lastEnd = -1;
    while (i < len) {
      const sepStart = i;
      while (i < len && isSeparator(text.charCodeAt(i))) i++;
      if (i >= len || !isDigit(text.charCodeAt(i))) break;
      const k = this.n;
      const sep = k === 0 ? 0 : classifySep(text, sepStart, i);
      if (sep === SEP_OTHER) break;
      const s = i;
      while (i < len && isDigit(text.charCodeAt(i))) i++;
      this.gs[k] = s;
      this.ge[k] = i;
      this.sep[k] = sep;
      this.n = k + 1;
      this.total += i - s;
      lastEnd = i;
    }
    this.end = lastEnd;
    this.attachedBefore = this.n > 0 && isAttachedBefore(text, start);
    this.attachedAfter = this.n > 0 && isAttachedAfter(text, lastEnd);
    return this.n > 0 ? lastEnd : start + 1;
  }

  len(k: number): number {
    return this.ge[k]! - this.gs[k]!;
  }

  first(k: number): number {
    return this.text.charCodeAt(this.gs[k]!) - 48;
  }

  value(k: number): number {
    let v = 0;
    for (let i = this.gs[k]!; i < this.ge[k]!; i++) v = v * 10 + (this.text.charCodeAt(i) - 48);
    return v;
  }

  digits(i: number, j: number): string {
    let s = '';
    for (let k = i; k <= j; k++) s += this.text.slice(this.gs[k], this.ge[k]);
    return s;
  }

  count(i: number, j: number): number {
    let d = 0;
    for (let k = i; k <= j; k++) d += this.ge[k]! - this.gs[k]!;
    return d;
  }

  /** The common separator of groups i..j (paren separators fit any), SEP_OTHER if mixed, 0 if one group. */
  style(i: number, j: number): number {
    let st = 0;
    for (let k = i + 1; k <= j; k++) {
      const s = this.sep[k]!;
      if (s === SEP_OTHER) return SEP_OTHER;
      if (s === SEP_PAREN) continue;
      if (st === 0) st = s;
      else if (st !== s) return SEP_OTHER;
    }
    return st;
  }

  /** True when no neighbouring group is joined to i..j by the separator `st`. */
  isolated(i: number, j: number, st: number): boolean {
    if (i > 0 && this.sep[i] === st) return false;
    if (j + 1 < this.n && this.sep[j + 1] === st) return false;
    return true;
  }

  private context(): void {
    if (this.ctxDone) return;
    this.ctxDone = true;
    const b = before(this.text, this.start, CONTEXT_CHARS);
    this.window = b.length;
    this.pos = lastMatch(PHONE_POSITIVE, b);
    this.neg = lastMatch(NEGATIVE, b);
  }

  /** An order/invoice/tracking-style word right before the number, not overridden by a phone word. */
  negativeContext(): boolean {
    this.context();
    return this.neg > this.pos && this.neg >= this.window - NEGATIVE_REACH;
  }

  phoneContext(): boolean {
    this.context();
    return this.pos >= 0 && this.pos > this.neg;
  }

  /** A keyword regex (no g flag) found just before the chunk. */
  keyword(re: RegExp): boolean {
    return re.test(before(this.text, this.start, CONTEXT_CHARS));
  }
}

function isSeparator(c: number): boolean {
  return c === 32 || c === 45 || c === 46 || c === 40 || c === 41 || c === 47 || c === 0xa0;
}

function classifySep(text: string, s: number, e: number): number {
  if (e - s === 1) {
    const c = text.charCodeAt(s);
    if (c === 40 || c === 41) return SEP_PAREN;
    return c === 0xa0 ? SEP_SPACE : c;
  }
  let paren = false;
  let other = 0;
  let others = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 41) paren = true;
    else {
      other = c;
      others++;
    }
  }
  if (paren && others <= 1) return SEP_PAREN;
  return others === 1 && !paren ? other : SEP_OTHER;
}

const CURRENCY = new Set([36, 0x20ac, 0xa3, 0xa5, 0x20b9, 0x20a9, 35, 37]);

function isAttachedBefore(text: string, start: number): boolean {
  if (start === 0) return false;
  const c = text.charCodeAt(start - 1);
  if (isWordLike(c) || CURRENCY.has(c)) return true;
  if ((c === 45 || c === 47 || c === 46 || c === 95) && start >= 2) {
    const b = text.charCodeAt(start - 2);
    return isAlnum(b);
  }
  return false;
}

function isAttachedAfter(text: string, end: number): boolean {
  if (end >= text.length) return false;
  const c = text.charCodeAt(end);
  if (isWordLike(c) || c === 37 || c === 64) return true;
  if (c === 45 || c === 47 || c === 46 || c === 95) {
    const a = text.charCodeAt(end + 1);
    return isAsciiLetter(a);
  }
  return false;
}
