/** US Social Security numbers: 3-2-4 with dashes or spaces, or 9 bare digits after "SSN". */
import { ssnValid } from '../checksums.ts';
import { SEP_DASH, SEP_SPACE, type Chunk } from './chunk.ts';

const SSN_CONTEXT = /\bssn|social security|social sec|\bss#|\bss no/;

export function ssnAt(c: Chunk, i: number): number {
  const first = c.len(i);
  if (first !== 3 && first !== 9) return -1;
  if (i + 2 < c.n && c.len(i) === 3 && c.len(i + 1) === 2 && c.len(i + 2) === 4) {
    const st = c.style(i, i + 2);
    if ((st === SEP_DASH || st === SEP_SPACE) && c.sep[i + 1] === st && (c.isolated(i, i + 2, st) || c.keyword(SSN_CONTEXT))) {
      if (ssnValid(c.value(i), c.value(i + 1), c.value(i + 2))) return i + 2;
    }
  }
  if (i === 0 && c.len(0) === 9 && (c.n === 1 || (c.sep[1] !== SEP_DASH && c.sep[1] !== SEP_SPACE)) && c.keyword(SSN_CONTEXT)) {
    const v = c.value(i);
    if (ssnValid(Math.floor(v / 1e6), Math.floor(v / 1e4) % 100, v % 1e4)) return i;
  }
  return -1;
}
