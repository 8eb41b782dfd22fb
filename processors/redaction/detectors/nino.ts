/** UK National Insurance numbers: two prefix letters (HMRC exclusions), six digits, suffix A-D. */
import { isAlnum, isAsciiLetter } from './chars.ts';
import { SEP_SPACE, type Chunk } from './chunk.ts';

const BAD_FIRST = new Set(['D', 'F', 'I', 'Q', 'U', 'V']);
const BAD_SECOND = new Set(['D', 'F', 'I', 'O', 'Q', 'U', 'V']);
const BAD_PREFIX = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

/** [start, end) of a NINO whose digits are the chunk's first groups, or undefined. */
export function ninoIn(c: Chunk): [number, number] | undefined {
  let last: number;
  if (c.len(0) === 6) last = 0;
  else if (c.n >= 3 && c.len(0) === 2 && c.len(1) === 2 && c.len(2) === 2 && c.sep[1] === SEP_SPACE && c.sep[2] === SEP_SPACE) last = 2;
  else return undefined;
  const t = c.text;
  let p = c.gs[0]!;
  if (t.charCodeAt(p - 1) === 32) p--;
  const s = p - 2;
  if (s < 0 || !isAsciiLetter(t.charCodeAt(s)) || !isAsciiLetter(t.charCodeAt(s + 1))) return undefined;
  if (s > 0 && isAlnum(t.charCodeAt(s - 1))) return undefined;
  let e = c.ge[last]!;
  if (t.charCodeAt(e) === 32) e++;
  const suffix = t.charCodeAt(e) & ~32;
  if (suffix < 65 || suffix > 68) return undefined;
  e++;
  if (e < t.length && isAlnum(t.charCodeAt(e))) return undefined;
  const prefix = t.slice(s, s + 2).toUpperCase();
  if (BAD_FIRST.has(prefix[0]!) || BAD_SECOND.has(prefix[1]!) || BAD_PREFIX.has(prefix)) return undefined;
  return [s, e];
}
