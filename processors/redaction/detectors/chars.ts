/** Character-class helpers on UTF-16 code units: cheaper than regexes in the hand-written scanners. */

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isUpperAscii(c: number): boolean {
  return c >= 65 && c <= 90;
}

export function isAlnum(c: number): boolean {
  return isDigit(c) || isAsciiLetter(c);
}

/** ASCII letters and digits, plus any non-ASCII letter-ish code unit (so "é1234" counts as attached). */
export function isWordLike(c: number): boolean {
  return isAlnum(c) || c === 95 || (c > 127 && c !== 0xa0 && !(c >= 0x2000 && c <= 0x206f));
}

export function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0;
}

/** Lowercased text of up to `n` code units ending at `pos`. */
export function before(text: string, pos: number, n: number): string {
  return text.slice(Math.max(0, pos - n), pos).toLowerCase();
}

/** The word immediately before `pos`, skipping up to 3 spaces or punctuation, lowercased. */
export function previousWord(text: string, pos: number): string {
  let e = pos;
  let skipped = 0;
  while (e > 0 && skipped < 3 && !isAlnum(text.charCodeAt(e - 1))) {
    e--;
    skipped++;
  }
  let s = e;
  while (s > 0 && e - s < 24 && isAsciiLetter(text.charCodeAt(s - 1))) s--;
  return text.slice(s, e).toLowerCase();
}
