/**
 * Korean resident registration numbers: YYMMDD-SXXXXXX. The birth date and the century/sex digit
 * are validated; the old mod-11 check digit is not required because numbers issued since
 * October 2020 no longer carry one.
 */
import { validDate } from '../checksums.ts';
import { SEP_DASH, type Chunk } from './chunk.ts';

const RRN_CONTEXT = /rrn|resident registration|주민/;

function dateOk(d: string): boolean {
  const yy = Number(d.slice(0, 2));
  const mm = Number(d.slice(2, 4));
  const dd = Number(d.slice(4, 6));
  const s = d.charCodeAt(6) - 48;
  if (s < 1 || s > 8) return false;
  const century = s === 3 || s === 4 || s === 7 || s === 8 ? 2000 : 1900;
  return validDate(century + yy, mm, dd);
}

export function rrnAt(c: Chunk, i: number): number {
  const first = c.len(i);
  if (first !== 6 && first !== 13) return -1;
  if (i + 1 < c.n && c.len(i) === 6 && c.len(i + 1) === 7 && c.sep[i + 1] === SEP_DASH && c.isolated(i, i + 1, SEP_DASH)) {
    if (dateOk(c.digits(i, i + 1))) return i + 1;
  }
  if (c.len(i) === 13 && c.n === 1 && c.keyword(RRN_CONTEXT) && dateOk(c.digits(i, i))) return i;
  return -1;
}
