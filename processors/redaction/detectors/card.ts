/** Payment cards: 13-19 digits, plain or grouped by spaces/dashes, known issuer prefix, Luhn. */
import { luhnValid } from '../checksums.ts';
import { SEP_DASH, SEP_SPACE, type Chunk } from './chunk.ts';

/** Issuer ranges (IIN) with their lengths; a Luhn pass alone would accept 10% of random numbers. */
export function issuerAccepts(d: string): boolean {
  const n = d.length;
  const p1 = d.charCodeAt(0) - 48;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  if (p1 === 4) return n === 13 || n === 16 || n === 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 >= 2200 && p4 <= 2204) return n === 16;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return n >= 16 && n <= 19;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 && n <= 16;
  if (p2 === 62) return n >= 16 && n <= 19;
  if (p2 === 50 || (p2 >= 56 && p2 <= 58) || p2 === 63 || p2 === 67) return n >= 13 && n <= 19;
  return false;
}

/** Printed groupings: 4-4-4-4(-3), 4-4-4-1, 4-6-5 (Amex), 4-6-4 (Diners), 4-4-4-2 (14-digit). */
function groupingOk(c: Chunk, i: number, j: number): boolean {
  const g = j - i + 1;
  if (g === 1) return true;
  if (g === 3 && c.len(i) === 4 && c.len(i + 1) === 6 && (c.len(j) === 5 || c.len(j) === 4)) return true;
  for (let k = i; k < j; k++) if (c.len(k) !== 4) return false;
  const last = c.len(j);
  return last >= 1 && last <= 4;
}

/** Index of the last group of a card starting at group i, or -1. */
export function cardAt(c: Chunk, i: number): number {
  // "+49151..." is a phone; a card does not start in the middle of a run of digit groups.
  if (c.plus && i === 0) return -1;
  const first = c.len(i);
  if (first !== 4 && first < 13) return -1;
  if (i > 0 && (c.sep[i] === SEP_SPACE || c.sep[i] === SEP_DASH)) return -1;
  let best = -1;
  let digits = 0;
  for (let j = i; j < c.n && j < i + 5; j++) {
    if (j > i) {
      const st = c.style(i, j);
      if (st !== SEP_SPACE && st !== SEP_DASH) break;
    }
    digits += c.len(j);
    if (digits > 19) break;
    if (digits < 13 || !groupingOk(c, i, j)) continue;
    const d = c.digits(i, j);
    if (issuerAccepts(d) && luhnValid(d)) best = j;
  }
  return best;
}
