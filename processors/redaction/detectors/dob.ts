/**
 * Dates of birth: a date right after "DOB", "date of birth", "born (on)", "birthday"...
 * Dates elsewhere are not personal data on their own and are left alone.
 */
import type { RawSpan } from '../types.ts';

const MONTHS = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const DATE_FORMS = [
  /\d{1,2}([./-])\d{1,2}\1(?:\d{4}|\d{2})(?![\d/-])(?!\.\d)/y,
  /\d{4}([./-])\d{1,2}\1\d{1,2}(?![\d/-])(?!\.\d)/y,
  new RegExp(`\\d{1,2}(?:st|nd|rd|th)? {1,2}(?:of )?(?:${MONTHS})\\.?,? {1,2}\\d{4}(?!\\d)`, 'iy'),
  new RegExp(`(?:${MONTHS})\\.? {1,2}\\d{1,2}(?:st|nd|rd|th)?,? {1,2}\\d{4}(?!\\d)`, 'iy'),
];
const FILLER = new Set(['is', 'was', 'on', 'in', 'of', 'the', 'be', 'date', 'as']);

/** Reads past separators and filler words after the keyword, then tries each date form. */
export function dobAfter(text: string, ke: number, out: RawSpan[]): void {
  let i = ke;
  const limit = Math.min(text.length, ke + 24);
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 58 || c === 61 || c === 44 || c === 45 || c === 9 || c === 34 || c === 39 || c === 40 || c === 41) {
      i++;
      continue;
    }
    let e = i;
    while (e < limit && ((text.charCodeAt(e) | 32) >= 97 && (text.charCodeAt(e) | 32) <= 122)) e++;
    if (e > i && FILLER.has(text.slice(i, e).toLowerCase())) {
      i = e;
      continue;
    }
    break;
  }
  for (const re of DATE_FORMS) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) {
      out.push({ type: 'DATE_OF_BIRTH', start: i, end: i + m[0].length });
      return;
    }
  }
}
