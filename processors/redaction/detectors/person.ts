/**
 * Person names in context, without a model: one to three capitalised tokens after a greeting
 * ("Hi Anna,"), a sign-off ("Thanks, John Smith"), an introduction ("my name is", "this is",
 * "Name:") or an honorific ("Mr. Smith"). A stop list keeps "Hi Team", "Thanks Again" and
 * sentence starters out. Names in scripts without case (Korean, Chinese...) are not found.
 */
import type { RawSpan } from '../types.ts';

const TOKEN = /\p{Lu}(?:['’]\p{Lu})?\p{Ll}[\p{L}'’-]{0,30}/uy;
const INITIAL = /\p{Lu}\. /uy;
const PARTICLES = new Set(['van', 'von', 'de', 'der', 'den', 'da', 'di', 'del', 'della', 'du', 'la', 'le', 'al', 'bin', 'ibn', 'dos', 'das', 'y']);
const HONORIFICS = /(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.? /y;
const LETTER = /\p{L}/u;

const STOP = new Set(
  (
    'There All Everyone Everybody Team Support Folks Guys Friends Sir Madam Customer Customers Service ' +
    'Services Again Thanks Thank Hello Hi Hey Dear Please The This That These Those It Its We Our Us You ' +
    'Your My Me He She They Their His Her Can Could Would Should Will Is Are Was Were Do Does Did Just So ' +
    'Any Some Quick Question Good Great Morning Afternoon Evening Day Sorry Yes No Not Ok Okay Hope Have ' +
    'Has Had Regarding Re Following Still Also And But Or If When What Why How Who Where Which Best Kind ' +
    'Regards Cheers Sincerely Yours Billing Sales Admin Manager Agent Bot Assistant Help Helpdesk Desk Care ' +
    'Bank Account Order Card Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February ' +
    'March April July August September October November December Having Trying Writing Looking Getting ' +
    'Calling Reaching Unable Here Now Today Tomorrow Tonight Happy Glad Very Really Waiting Confused ' +
    'Frustrated Interested New Back Going Using Unfortunately Apologies In On At For With From To Of By ' +
    'About After Before Since Per Via Fwd Fw Urgent Important Update Issue Problem Request Ticket Thx ' +
    'Tks Much Lot Lots Again Everything Anyone Someone Nobody Mate Buddy Bro Dude Boss Folks Guys Again ' +
    'Following Attached Sent Received Got Need Needed Want Wanted Tried Let Lets Let’s Let\'s Sure ' +
    'Absolutely Certainly Perfect Awesome Excellent Amazing Wonderful Nice Cool Alright Right Well Oh ' +
    'Hmm Wow Sales Legal Finance Accounts Refunds Returns Shipping Delivery Technical Tech Product Products ' +
    'Premium Pro Plus Basic Free Enterprise Business Personal Home Office Store Shop App Website Site'
  ).split(/\s+/),
);

function isLetterAt(text: string, i: number): boolean {
  if (i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 128) return (c | 32) >= 97 && (c | 32) <= 122;
  return LETTER.test(text[i]!);
}

function tokenAt(text: string, i: number): number {
  TOKEN.lastIndex = i;
  const m = TOKEN.exec(text);
  if (!m) return -1;
  const e = i + m[0].length;
  if (isLetterAt(text, e)) return -1;
  if (STOP.has(m[0])) return -1;
  return e;
}

/** Span of up to `max` name tokens starting at i (after an optional honorific), or undefined. */
export function readName(text: string, i: number, max = 3): [number, number] | undefined {
  HONORIFICS.lastIndex = i;
  const h = HONORIFICS.exec(text);
  if (h) i += h[0].length;
  let e = tokenAt(text, i);
  if (e < 0) return undefined;
  let tokens = 1;
  while (tokens < max && text.charCodeAt(e) === 32) {
    let j = e + 1;
    INITIAL.lastIndex = j;
    if (INITIAL.test(text)) j += 3;
    let w = j;
    while (w < text.length && w - j < 6 && text.charCodeAt(w) >= 97 && text.charCodeAt(w) <= 122) w++;
    if (w > j && text.charCodeAt(w) === 32 && PARTICLES.has(text.slice(j, w))) j = w + 1;
    const next = tokenAt(text, j);
    if (next < 0) break;
    e = next;
    tokens++;
  }
  return [i, e];
}

/** After the name: end of line/text, punctuation, or "from"/"at"/"here" (a sign-off or introduction). */
function endsCleanly(text: string, e: number): boolean {
  let i = e;
  while (text.charCodeAt(i) === 32) i++;
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  if (c === 10 || c === 13 || c === 44 || c === 46 || c === 33 || c === 59 || c === 124 || c === 40 || c === 41 || c === 45 || c === 0x2013 || c === 0x2014 || c === 47 || c === 60 || c === 34 || c === 58 || c === 63) return true;
  return text.startsWith('from ', i) || text.startsWith('at ', i) || text.startsWith('here', i) || text.startsWith('and ', i);
}

function skipSpaces(text: string, i: number, newlines: number): number {
  let nl = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) i++;
    else if ((c === 10 || c === 13) && nl < newlines) {
      if (c === 10) nl++;
      i++;
    } else break;
  }
  return i;
}

/** Start of text, of a line, or of a sentence before position s. */
function atSentenceStart(text: string, s: number): boolean {
  let i = s;
  while (i > 0 && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) i--;
  if (i === 0) return true;
  const c = text.charCodeAt(i - 1);
  return c === 10 || c === 13 || c === 46 || c === 33 || c === 63 || c === 34 || c === 62 || c === 58 || c === 44 || c === 40;
}

function push(out: RawSpan[], span: [number, number] | undefined): void {
  if (span) out.push({ type: 'PERSON', start: span[0], end: span[1] });
}

export function nameAfterGreeting(text: string, ks: number, ke: number, out: RawSpan[]): void {
  if (!atSentenceStart(text, ks)) return;
  let i = ke;
  const comma = text.charCodeAt(i) === 44;
  if (comma) i++;
  if (text.charCodeAt(i) !== 32) return;
  i = skipSpaces(text, i, 0);
  const span = readName(text, i);
  if (!span) return;
  if (comma) {
    const c = text.charCodeAt(span[1]);
    if (!(c === 44 || c === 33 || c === 46 || c === 10 || c === 13 || span[1] >= text.length)) return;
  }
  push(out, span);
}

export function nameAfterSignOff(text: string, ke: number, out: RawSpan[]): void {
  let i = ke;
  const c = text.charCodeAt(i);
  if (c === 44 || c === 33 || c === 46) i++;
  const next = text.charCodeAt(i);
  if (!(next === 32 || next === 10 || next === 13 || next === 9)) return;
  i = skipSpaces(text, i, 2);
  const span = readName(text, i);
  if (span && endsCleanly(text, span[1])) push(out, span);
}

/** "my name is X", "name: X", "this is X from...", "I'm X," */
export function nameAfterIntro(text: string, kw: string, ke: number, out: RawSpan[]): void {
  let i = ke;
  if (kw === 'name') {
    while (text.charCodeAt(i) === 32) i++;
    if (text.charCodeAt(i) !== 58) return;
    i++;
  }
  if (text.charCodeAt(i) !== 32) return;
  i = skipSpaces(text, i, 0);
  const span = readName(text, i);
  if (!span) return;
  // "customer John Smith called": a role word needs a full name, not one capitalised word.
  if ((kw === 'customer' || kw === 'caller' || kw === 'client') && text.indexOf(' ', span[0]) >= span[1]) return;
  const strict = kw === 'this is' || kw === 'i am' || kw === "i'm" || kw === 'i’m';
  if (strict && !endsCleanly(text, span[1])) return;
  push(out, span);
}

export function nameAfterHonorific(text: string, ks: number, ke: number, out: RawSpan[]): void {
  const c0 = text.charCodeAt(ks);
  const c1 = text.charCodeAt(ks + 1);
  if (!(c0 >= 65 && c0 <= 90 && c1 >= 97 && c1 <= 122)) return;
  let i = ke;
  if (text.charCodeAt(i) === 46) i++;
  if (text.charCodeAt(i) !== 32) return;
  push(out, readName(text, i + 1, 3));
}
