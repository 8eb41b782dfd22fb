/** Indian Aadhaar numbers: 12 digits (first 2-9) with a Verhoeff check digit, usually 4-4-4. */
import { verhoeffValid } from '../checksums.ts';
import { SEP_DASH, SEP_SPACE, type Chunk } from './chunk.ts';

const AADHAAR_CONTEXT = /aadha?ar|uidai|\buid\b/;

export function aadhaarAt(c: Chunk, i: number): number {
  const first = c.len(i);
  if (first !== 4 && first !== 12) return -1;
  if (i + 2 < c.n && c.len(i) === 4 && c.len(i + 1) === 4 && c.len(i + 2) === 4) {
    const st = c.style(i, i + 2);
    if ((st === SEP_SPACE || st === SEP_DASH) && c.sep[i + 1] === st && c.first(i) >= 2 && verhoeffValid(c.digits(i, i + 2))) {
      const named = c.keyword(AADHAAR_CONTEXT);
      if ((named || c.isolated(i, i + 2, st)) && (named || !c.negativeContext())) return i + 2;
    }
  }
  if (c.len(i) === 12 && c.n === 1 && c.first(i) >= 2 && c.keyword(AADHAAR_CONTEXT)) {
    if (verhoeffValid(c.digits(i, i))) return i;
  }
  return -1;
}
