/** Spanish DNI (8 digits + control letter) and NIE (X/Y/Z + 7 digits + control letter). */
import { DNI_LETTERS } from '../checksums.ts';
import { isAlnum } from './chars.ts';
import type { Chunk } from './chunk.ts';

/** [start, end) of a DNI/NIE around a one-group chunk, or undefined. */
export function dniIn(c: Chunk): [number, number] | undefined {
  if (c.n !== 1 || c.plus) return undefined;
  const len = c.len(0);
  if (len !== 8 && len !== 7) return undefined;
  const t = c.text;
  let s = c.gs[0]!;
  let prefixDigit = -1;
  if (len === 7) {
    let p = s - 1;
    if (t.charCodeAt(p) === 45) p--;
    const x = t.charCodeAt(p) & ~32;
    if (x < 88 || x > 90) return undefined;
    prefixDigit = x - 88;
    s = p;
  }
  if (s > 0 && isAlnum(t.charCodeAt(s - 1))) return undefined;
  let e = c.ge[0]!;
  const sep = t.charCodeAt(e);
  if (sep === 45 || sep === 32) e++;
  const letter = t.charCodeAt(e) & ~32;
  if (letter < 65 || letter > 90) return undefined;
  if (e + 1 < t.length && isAlnum(t.charCodeAt(e + 1))) return undefined;
  let n = c.value(0);
  if (prefixDigit >= 0) n += prefixDigit * 1e7;
  if (DNI_LETTERS.charCodeAt(n % 23) !== letter) return undefined;
  return [s, e + 1];
}
