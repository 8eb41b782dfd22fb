/** IBANs: country code, two check digits, the country's exact length, mod-97 = 1. */
import { IBAN_LENGTHS } from '../checksums.ts';
import { isAlnum, isAsciiLetter, isDigit } from './chars.ts';

/** Country length by the two uppercase letter codes (a * 256 + b), to avoid a string per attempt. */
const LENGTHS = new Map<number, number>(Object.entries(IBAN_LENGTHS).map(([cc, n]) => [cc.charCodeAt(0) * 256 + cc.charCodeAt(1), n]));

/** Countries whose BBAN is digits only: a letter ends the candidate early. */
const NUMERIC = new Set(
  ['AT', 'BE', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FO', 'GL', 'HR', 'HU', 'IL', 'LT', 'NO', 'PL', 'PT', 'RS', 'SE', 'SI', 'SK', 'TN'].map(
    (cc) => cc.charCodeAt(0) * 256 + cc.charCodeAt(1),
  ),
);

/** Character values of the candidate, reused between calls (scanning is synchronous). */
const buf = new Uint8Array(40);

function mod97(n: number): number {
  let rem = 0;
  for (let k = 0; k < n; k++) {
    const v = buf[(k + 4) % n]!;
    rem = v < 10 ? (rem * 10 + v) % 97 : (rem * 100 + v) % 97;
  }
  return rem;
}

/** End offset of an IBAN starting at `s` (its country code), or -1. Spaces or dashes may split it. */
export function ibanAt(text: string, s: number): number {
  if (s > 0 && isAlnum(text.charCodeAt(s - 1))) return -1;
  const a = text.charCodeAt(s);
  const b = text.charCodeAt(s + 1);
  if (!isAsciiLetter(a) || !isAsciiLetter(b)) return -1;
  const code = (a & ~32) * 256 + (b & ~32);
  const length = LENGTHS.get(code);
  if (length === undefined) return -1;
  const numeric = NUMERIC.has(code);
  if (!isDigit(text.charCodeAt(s + 2)) || !isDigit(text.charCodeAt(s + 3))) return -1;
  let n = 0;
  let i = s;
  const limit = Math.min(text.length, s + length * 2);
  while (i < limit && n < length) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) buf[n++] = c - 48;
    else if (isAsciiLetter(c) && !(numeric && n >= 4)) buf[n++] = (c & ~32) - 55;
    else if ((c === 32 || c === 45) && n >= 4 && isAlnum(text.charCodeAt(i + 1))) {
      i++;
      continue;
    } else break;
    i++;
  }
  if (n !== length || (i < text.length && isAlnum(text.charCodeAt(i)))) return -1;
  return mod97(n) === 1 ? i : -1;
}
