/**
 * One case-insensitive pass for every context keyword (secret names, date-of-birth words,
 * greetings, sign-offs, introductions, honorifics) and every API-key prefix; each hit hands over
 * to the detector that reads what follows it. Alternatives are plain words, so the regex cannot
 * backtrack far.
 */
import type { EntityType, RawSpan } from '../types.ts';
import { assignmentAfter, awsSecretAfter } from './assignment.ts';
import { KEY_PREFIX_SOURCE, keyPrefixAt } from './secrets.ts';
import { dobAfter } from './dob.ts';
import { nameAfterGreeting, nameAfterHonorific, nameAfterIntro, nameAfterSignOff } from './person.ts';

// \b (not a lookbehind) keeps this pass fast; names joined by '_' ("DB_PASSWORD") get their own pass.
const KEYWORDS = new RegExp(
  '\\b(?:(?:' +
    '(aws[_ -]?secret[_ -]?access[_ -]?key|secret[_ -]?access[_ -]?key|aws[_ -]?secret[_ -]?key|aws[_ -]?secret)' +
    '|(password|passwd|passphrase|passcode|pwd|pass|pin|api[_-]?key|x-api-key|api[_-]?secret|app[_-]?secret|client[_-]?secret|secret[_-]?key|private[_-]?key|secret|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?token|token|bearer)' +
    '|(date of birth|birth[ -]?date|d\\.o\\.b\\.?|dob|born on|born|birthday)' +
    '|(hi|hello|hey|dear|good morning|good afternoon|good evening)' +
    '|(thanks|thank you|regards|best|cheers|sincerely|yours truly|br)' +
    "|(my name is|name is|name|this is|i am|i'm|i’m|customer|caller|client)" +
    '|(mr|mrs|ms|miss|mx|dr|prof)' +
    ')(?![A-Za-z0-9])' +
    `|(${KEY_PREFIX_SOURCE})` +
    ')',
  'gi',
);

const UNDERSCORED = /_(password|passwd|pwd|pass|secret|token|api_?key|secret_?key|private_?key)\b/gi;

export function detectKeywords(text: string, out: RawSpan[], on: (t: EntityType) => boolean): void {
  const secrets = on('SECRET');
  const dob = on('DATE_OF_BIRTH');
  const person = on('PERSON');
  KEYWORDS.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = KEYWORDS.exec(text)) !== null) {
    const ks = m.index;
    const ke = ks + m[0].length;
    if (m[1] !== undefined) {
      if (secrets) awsSecretAfter(text, ke, out);
    } else if (m[2] !== undefined) {
      if (secrets) {
        const end = assignmentAfter(text, m[2].toLowerCase(), ke, out);
        if (end > KEYWORDS.lastIndex) KEYWORDS.lastIndex = end;
      }
    } else if (m[3] !== undefined) {
      if (dob) dobAfter(text, ke, out);
    } else if (m[4] !== undefined) {
      if (person) nameAfterGreeting(text, ks, ke, out);
    } else if (m[5] !== undefined) {
      if (person) nameAfterSignOff(text, ke, out);
    } else if (m[6] !== undefined) {
      if (person) nameAfterIntro(text, m[6].toLowerCase(), ke, out);
    } else if (m[7] !== undefined) {
      if (person) nameAfterHonorific(text, ks, ke, out);
    } else if (m[8] !== undefined && secrets) {
      const end = keyPrefixAt(text, ks, m[8], out);
      if (end > KEYWORDS.lastIndex) KEYWORDS.lastIndex = end;
    }
  }
  if (!secrets) return;
  UNDERSCORED.lastIndex = 0;
  while ((m = UNDERSCORED.exec(text)) !== null) {
    const end = assignmentAfter(text, m[1]!.toLowerCase().replace('_', ''), m.index + m[0].length, out);
    if (end > UNDERSCORED.lastIndex) UNDERSCORED.lastIndex = end;
  }
}
