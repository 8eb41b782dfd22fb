/**
 * Writes the labelled evaluation set: realistic support messages (chat, email, agent notes, tool
 * arguments, logs) with PII planted at known offsets and near-misses (order numbers, dates, prices,
 * tracking codes, versions, invoice ids, timestamps, colours, UUIDs...) that must not be redacted.
 * Deterministic: `node --import tsx processors/redaction/eval/generate.ts` rewrites the same file.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntityType } from '../types.ts';
import * as v from './values.ts';
import { rng } from '../../../common/random.ts';
import { Gen } from './values.ts';

export const SEED = 20251122;
export const MESSAGES = 2000;
export const LABELLED_PATH = join(dirname(fileURLToPath(import.meta.url)), 'labelled.ndjson');

export interface LabelledSpan {
  type: EntityType;
  start: number;
  end: number;
}
export interface NearMissSpan {
  kind: string;
  start: number;
  end: number;
}
export interface LabelledRecord {
  id: number;
  channel: string;
  text: string;
  spans: LabelledSpan[];
  near_misses: NearMissSpan[];
}

type Part = string | { t: EntityType; v: string } | { near: string; v: string };
type Piece = Part[];

const pii = (t: EntityType, value: string): Part => ({ t, v: value });

class Builder {
  text = '';
  spans: LabelledSpan[] = [];
  near: NearMissSpan[] = [];
  add(parts: Piece): void {
    for (const p of parts) {
      if (typeof p === 'string') {
        this.text += p;
      } else if ('t' in p) {
        this.spans.push({ type: p.t, start: this.text.length, end: this.text.length + p.v.length });
        this.text += p.v;
      } else {
        this.near.push({ kind: p.near, start: this.text.length, end: this.text.length + p.v.length });
        this.text += p.v;
      }
    }
  }
}

function name(g: Gen, full: boolean): string {
  const f = g.pick(v.FIRST_NAMES);
  return full ? `${f} ${g.pick(v.LAST_NAMES)}` : f;
}

/** Sentences carrying one entity type each. */
function piiSentence(g: Gen, type: EntityType): Piece {
  switch (type) {
    case 'EMAIL':
      return g.pick<() => Piece>([
        () => ['You can reach me at ', pii('EMAIL', v.email(g)), '.'],
        () => ['My account email is ', pii('EMAIL', v.email(g)), ' if that helps.'],
        () => ['I changed my login from ', pii('EMAIL', v.email(g)), ' to ', pii('EMAIL', v.email(g)), ' last week.'],
        () => ['Please send the receipt to ', pii('EMAIL', v.email(g)), '!'],
        () => ['(email: ', pii('EMAIL', v.email(g)), ')'],
        () => ['Customer wrote from <', pii('EMAIL', v.email(g)), '> about the refund.'],
      ])();
    case 'PHONE':
      return g.pick<() => Piece>([
        () => ['Call me on ', pii('PHONE', v.phone(g)), ' any time after 5pm.'],
        () => ['My mobile number is ', pii('PHONE', v.phone(g)), '.'],
        () => ['You can text me at ', pii('PHONE', v.phone(g)), ' when it ships.'],
        () => ['Phone: ', pii('PHONE', v.phone(g))],
        () => ['The courier tried ', pii('PHONE', v.phone(g)), ' but I was out.'],
        () => ['Please update my number to ', pii('PHONE', v.phone(g)), '.'],
        () => ['Tel. ', pii('PHONE', v.phone(g)), ' (evenings)'],
      ])();
    case 'CARD':
      return g.pick<() => Piece>([
        () => ['I paid with my card ', pii('CARD', v.card(g)), ' and it was declined.'],
        () => ['The charge on ', pii('CARD', v.card(g)), ' looks wrong.'],
        () => ['Card number: ', pii('CARD', v.card(g)), ', expiry 12/27.'],
        () => ['Can you refund to ', pii('CARD', v.card(g)), '?'],
        () => ['card=', pii('CARD', v.card(g)), ' cvv=***'],
      ])();
    case 'IBAN':
      return g.pick<() => Piece>([
        () => ['Please refund to my IBAN ', pii('IBAN', v.iban(g)), '.'],
        () => ['Bank account (IBAN): ', pii('IBAN', v.iban(g))],
        () => ['I sent the transfer from ', pii('IBAN', v.iban(g)), ' yesterday.'],
      ])();
    case 'US_SSN':
      return g.pick<() => Piece>([
        () => ['My SSN is ', pii('US_SSN', v.ssn(g)), '.'],
        () => ['SSN: ', pii('US_SSN', v.ssn(g))],
        () => ['They asked for my social security number ', pii('US_SSN', v.ssn(g)), ' on the form.'],
        () => ['ssn ', pii('US_SSN', v.ssn(g).replace(/[- ]/g, ''))],
      ])();
    case 'UK_NINO':
      return g.pick<() => Piece>([
        () => ['My National Insurance number is ', pii('UK_NINO', v.nino(g)), '.'],
        () => ['NI number: ', pii('UK_NINO', v.nino(g))],
      ])();
    case 'KR_RRN':
      return g.pick<() => Piece>([
        () => ['주민등록번호: ', pii('KR_RRN', v.rrn(g))],
        () => ['My resident registration number is ', pii('KR_RRN', v.rrn(g)), '.'],
        () => ['RRN ', pii('KR_RRN', v.rrn(g)), ' for the account holder.'],
      ])();
    case 'IN_AADHAAR':
      return g.pick<() => Piece>([
        () => ['My Aadhaar number is ', pii('IN_AADHAAR', v.aadhaar(g)), '.'],
        () => ['Aadhaar: ', pii('IN_AADHAAR', v.aadhaar(g))],
        () => ['KYC done with ', pii('IN_AADHAAR', v.aadhaar(g).replace(/^(\d{12})$/, (x) => x.match(/.{4}/g)!.join(' '))), ' yesterday.'],
      ])();
    case 'ES_DNI':
      return g.pick<() => Piece>([
        () => ['Mi DNI es ', pii('ES_DNI', v.dni(g)), '.'],
        () => ['DNI/NIE: ', pii('ES_DNI', v.dni(g))],
        () => ['My NIE is ', pii('ES_DNI', v.dni(g)), ', the account is in my name.'],
      ])();
    case 'IP_ADDRESS':
      return g.pick<() => Piece>([
        () => ['My IP address is ', pii('IP_ADDRESS', v.ipv4(g)), '.'],
        () => ['The login came from ', pii('IP_ADDRESS', v.ipv4(g)), ', which was not me.'],
        () => ['Server ', pii('IP_ADDRESS', v.ipv6(g)), ' keeps timing out.'],
        () => ['GET /api/orders from ', pii('IP_ADDRESS', v.ipv4(g)), ' status=500'],
        () => ['client_ip=', pii('IP_ADDRESS', v.ipv6(g)), ' blocked by the firewall'],
        () => {
          const [pre, ip, post] = v.ipv4Context(g);
          return ['Connecting to ', pre, pii('IP_ADDRESS', ip), post, ' fails with a timeout.'];
        },
        () => ['upstream [', pii('IP_ADDRESS', v.ipv6(g)), ']:443 refused the connection'],
      ])();
    case 'URL_CREDENTIAL':
      return g.pick<() => Piece>([
        () => ['The webhook is https://', pii('URL_CREDENTIAL', `${v.lowerAlnum(g, 6)}:${v.password(g)}`), '@api.example.com/v1/hooks'],
        () => ['Try this link: https://portal.example.com/reset?reset_token=', pii('URL_CREDENTIAL', v.b64url(g, 32)), '&lang=en'],
        () => ['Download: https://files.example.com/report.pdf?X-Amz-Expires=3600&X-Amz-Signature=', pii('URL_CREDENTIAL', g.chars(64, '0123456789abcdef'))],
        () => ['Connection string postgres://', pii('URL_CREDENTIAL', `admin:${v.password(g)}`), '@db.internal:5432/app'],
        () => ['It redirected to https://app.example.com/callback#access_token=', pii('URL_CREDENTIAL', v.b64url(g, 40)), '&token_type=bearer'],
        () => ['curl "https://api.example.com/v2/export?format=csv&api_key=', pii('URL_CREDENTIAL', v.alnum(g, 32)), '"'],
        () => ['The share link https://docs.example.com/s/abc?sig=', pii('URL_CREDENTIAL', v.b64url(g, 24)), ' stopped working.'],
        () => ['REDIS_URL=redis://', pii('URL_CREDENTIAL', `:${v.alnum(g, 20)}`), '@cache.internal:6379/0'],
        () => ['mongodb+srv://', pii('URL_CREDENTIAL', `app_user:${v.password(g)}`), '@cluster0.ab12c.mongodb.net/prod'],
        () => ['ftp://', pii('URL_CREDENTIAL', `${v.lowerAlnum(g, 5)}:${v.alnum(g, 10)}`), '@ftp.example.com/exports/'],
      ])();
    case 'SECRET':
      return g.pick<() => Piece>([
        () => ['Here is my API key ', pii('SECRET', v.providerKey(g)), ' - is it still valid?'],
        () => ['export OPENAI_API_KEY=', pii('SECRET', `sk-proj-${v.b64url(g, 48)}9`)],
        () => ['Authorization: Bearer ', pii('SECRET', v.jwt(g))],
        () => ['token: ', pii('SECRET', v.jwt(g))],
        () => ['I accidentally pasted my key:\n', pii('SECRET', v.pem(g)), '\n'],
        () => ['aws_secret_access_key = ', pii('SECRET', v.awsSecret(g))],
        () => ['AWS secret access key: ', pii('SECRET', v.awsSecret(g))],
        () => ['password=', pii('SECRET', v.password(g))],
        () => ['{"username": "admin", "password": "', pii('SECRET', v.password(g)), '"}'],
        () => ['my password is ', pii('SECRET', v.password(g)), ' if you need it'],
        () => ['api_key: ', pii('SECRET', v.alnum(g, 32))],
        () => ['client_secret=', pii('SECRET', v.b64url(g, 40))],
        () => ['Slack webhook: ', pii('SECRET', `https://hooks.slack.com/services/T${v.upperDigits(g, 8)}/B${v.upperDigits(g, 10)}/${v.alnum(g, 24)}`)],
        () => ['Our key ', pii('SECRET', v.providerKey(g)), ' leaked in the logs.'],
        () => ["db:\n  password: '", pii('SECRET', v.password(g)), "'\n  host: db.internal"],
        () => ['DB_PASSWORD=', pii('SECRET', v.password(g)), '\nDB_HOST=localhost'],
        () => ['X-API-Key: ', pii('SECRET', v.alnum(g, 40))],
        () => ['stripe.api_key = "', pii('SECRET', `sk_live_${v.alnum(g, 24)}`), '"'],
        () => ['Authorization: Bearer ', pii('SECRET', v.b64url(g, 32))],
        () => ['[default]\naws_access_key_id = ', pii('SECRET', `AKIA${v.upperDigits(g, 16)}`), '\naws_secret_access_key = ', pii('SECRET', v.awsSecret(g))],
      ])();
    case 'DATE_OF_BIRTH':
      return g.pick<() => Piece>([
        () => ['My date of birth is ', pii('DATE_OF_BIRTH', v.dateOfBirth(g)), '.'],
        () => ['DOB: ', pii('DATE_OF_BIRTH', v.dateOfBirth(g))],
        () => ['I was born on ', pii('DATE_OF_BIRTH', v.dateOfBirth(g)), '.'],
        () => ['Birthday: ', pii('DATE_OF_BIRTH', v.dateOfBirth(g))],
        () => ['D.O.B ', pii('DATE_OF_BIRTH', `${g.pad(g.int(1, 28), 2)}/${g.pad(g.int(1, 12), 2)}/${g.pad(g.int(40, 99), 2)}`)],
        () => ['I am ', `${g.int(18, 90)}`, ' years old, born in ', pii('DATE_OF_BIRTH', v.dateOfBirth(g)), '.'],
      ])();
    case 'PERSON':
      return g.pick<() => Piece>([
        () => ['My name is ', pii('PERSON', name(g, true)), ' and I have an account with you.'],
        () => ['This is ', pii('PERSON', name(g, false)), ' from the finance team.'],
        () => ['Please ask for ', 'Mr. ', pii('PERSON', g.pick(v.LAST_NAMES)), ' at the front desk.'],
        () => ['Name: ', pii('PERSON', name(g, true))],
        // Harder: no trigger word, or lower case. Expected misses, kept to report honest recall.
        () => ['I spoke to ', pii('PERSON', name(g, false)), ' on the phone yesterday.'],
        () => ['thanks ', pii('PERSON', name(g, false).toLowerCase()), ', that fixed it'],
        () => ['Your colleague ', pii('PERSON', name(g, true)), ' promised a callback.'],
      ])();
  }
}

const FILLERS = [
  'I have been waiting for three days now.',
  'The app keeps crashing when I open the settings page.',
  'Can you please look into this as soon as possible?',
  'I tried logging out and back in but nothing changed.',
  'This is the second time this has happened.',
  'The delivery was marked as delivered but nothing arrived.',
  'I would like a refund rather than a replacement.',
  'Your chatbot told me to contact a human.',
  'The discount code did not apply at checkout.',
  'I cannot find the invoice in my account.',
  'Everything else works fine.',
  'Is there a way to change the delivery address?',
  'The subscription renewed even though I cancelled it.',
  'I uploaded the documents you asked for.',
  'Let me know if you need anything else.',
  'The package arrived damaged.',
  'I was charged twice for the same order.',
  'The two-factor code never arrives.',
  'Please close my account.',
  'Thanks for the quick reply earlier.',
];

function nearSentence(g: Gen): Piece {
  const nm = v.nearMiss(g);
  const part: Part = { near: nm.kind, v: nm.text };
  return g.pick<() => Piece>([
    () => ['Regarding ', part, ', nothing has changed.'],
    () => ['I see ', part, ' in my account.'],
    () => ['(', part, ')'],
    () => ['Details: ', part, '.'],
    () => ['It says ', part, ' on the screen.'],
    () => ['My issue is with ', part, '.'],
    () => [part, ' is what the email said.'],
  ])();
}

const TYPES: EntityType[] = [
  'EMAIL', 'PHONE', 'CARD', 'IBAN', 'US_SSN', 'UK_NINO', 'KR_RRN', 'IN_AADHAAR', 'ES_DNI', 'IP_ADDRESS',
  'URL_CREDENTIAL', 'SECRET', 'DATE_OF_BIRTH', 'PERSON',
];
/** Phones and secrets are the most varied, so they are planted more often. */
const WEIGHTS: Partial<Record<EntityType, number>> = { PHONE: 3, SECRET: 3, EMAIL: 2, CARD: 2, PERSON: 2 };
const WEIGHTED = TYPES.flatMap((t) => Array<EntityType>(WEIGHTS[t] ?? 1).fill(t));

function shuffle<T>(g: Gen, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = g.int(0, i);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function body(g: Gen): Piece[] {
  const pieces: Piece[] = [];
  const piiCount = g.chance(0.12) ? 0 : g.int(1, 3);
  for (let i = 0; i < piiCount; i++) pieces.push(piiSentence(g, g.pick(WEIGHTED)));
  for (let i = 0, n = g.int(1, 3); i < n; i++) pieces.push(nearSentence(g));
  for (let i = 0, n = g.int(0, 2); i < n; i++) pieces.push([g.pick(FILLERS)]);
  return shuffle(g, pieces);
}

function joinPieces(b: Builder, pieces: Piece[], sep: string): void {
  pieces.forEach((p, i) => {
    if (i > 0) b.add([sep]);
    b.add(p);
  });
}

function chat(g: Gen, b: Builder): void {
  if (g.chance(0.4)) b.add([g.pick(['Hi ', 'Hello ', 'Hey ']), pii('PERSON', name(g, false)), g.pick([', ', '! '])]);
  else if (g.chance(0.3)) b.add([g.pick(['hi, ', 'hello - ', 'Hi there, '])]);
  joinPieces(b, body(g), ' ');
}

function email(g: Gen, b: Builder): void {
  const greeting = g.int(0, 3);
  if (greeting === 0) b.add(['Dear ', g.pick(['Mr. ', 'Ms. ', 'Dr. ']), pii('PERSON', g.pick(v.LAST_NAMES)), ',\n\n']);
  else if (greeting === 1) b.add([g.pick(['Hi ', 'Hello ']), pii('PERSON', name(g, false)), ',\n\n']);
  else if (greeting === 2) b.add(['Hello,\n\n']);
  else b.add(['Dear support team,\n\n']);
  joinPieces(b, body(g), g.chance(0.5) ? ' ' : '\n');
  const signoff = g.pick(['Thanks,\n', 'Best regards,\n', 'Kind regards,\n', 'Cheers,\n', 'Many thanks,\n', 'Regards\n', 'Thank you!\n']);
  if (g.chance(0.85)) b.add(['\n\n', signoff, pii('PERSON', name(g, g.chance(0.6)))]);
  else b.add(['\n\n', signoff, 'Sent from my phone']);
}

function agentNote(g: Gen, b: Builder): void {
  b.add([g.pick(['Agent note: ', 'Internal: ', 'Escalation summary: ', 'Case notes - '])]);
  if (g.chance(0.5)) b.add(['customer ', pii('PERSON', name(g, true)), g.pick([' called in. ', ' (verified). ', ', verified via DOB. '])]);
  joinPieces(b, body(g), ' ');
}

function toolArgs(g: Gen, b: Builder): void {
  const fields: Piece[] = [];
  const add = (k: string, part: Part) => fields.push([`"${k}":"`, part, '"']);
  const nm = v.nearMiss(g);
  add('order_ref', { near: nm.kind, v: nm.text });
  const picks = shuffle(g, ['email', 'phone', 'card', 'iban', 'ip', 'name', 'dob_note', 'note']).slice(0, g.int(1, 4));
  for (const p of picks) {
    if (p === 'email') add('customer_email', pii('EMAIL', v.email(g)));
    if (p === 'phone') add('phone', pii('PHONE', v.phone(g)));
    if (p === 'card') add('card_number', pii('CARD', v.card(g)));
    if (p === 'iban') add('iban', pii('IBAN', v.iban(g)));
    if (p === 'ip') add('client_ip', pii('IP_ADDRESS', v.ipv4(g)));
    if (p === 'name') fields.push(['"note":"my name is ', pii('PERSON', name(g, true)), '"']);
    if (p === 'dob_note') fields.push(['"kyc":"DOB ', pii('DATE_OF_BIRTH', v.dateOfBirth(g)), '"']);
    if (p === 'note') fields.push(['"note":"', ...nearSentence(g), '"']);
  }
  b.add(['{']);
  joinPieces(b, fields, ',');
  b.add([`,"amount":${g.int(1, 500)}.${g.pad(g.int(0, 99), 2)}}`]);
}

function logLine(g: Gen, b: Builder): void {
  const ts = `${g.int(2023, 2025)}-${g.pad(g.int(1, 12), 2)}-${g.pad(g.int(1, 28), 2)}T${g.pad(g.int(0, 23), 2)}:${g.pad(g.int(0, 59), 2)}:${g.pad(g.int(0, 59), 2)}Z`;
  b.add([{ near: 'timestamp', v: ts }, ' ERROR request failed: ']);
  joinPieces(b, body(g), ' | ');
}

export function generate(seed = SEED, count = MESSAGES): LabelledRecord[] {
  const g = new Gen(rng(seed));
  const records: LabelledRecord[] = [];
  for (let id = 0; id < count; id++) {
    const b = new Builder();
    const r = g.rnd();
    const channel = r < 0.35 ? 'chat' : r < 0.7 ? 'email' : r < 0.82 ? 'agent_note' : r < 0.92 ? 'tool_arguments' : 'log';
    if (channel === 'chat') chat(g, b);
    else if (channel === 'email') email(g, b);
    else if (channel === 'agent_note') agentNote(g, b);
    else if (channel === 'tool_arguments') toolArgs(g, b);
    else logLine(g, b);
    records.push({ id, channel, text: b.text, spans: b.spans, near_misses: b.near });
  }
  return records;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const records = generate();
  writeFileSync(LABELLED_PATH, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const spans = records.reduce((n, r) => n + r.spans.length, 0);
  const near = records.reduce((n, r) => n + r.near_misses.length, 0);
  console.log(`wrote ${records.length} messages, ${spans} labelled spans, ${near} near-misses to ${LABELLED_PATH}`);
}
