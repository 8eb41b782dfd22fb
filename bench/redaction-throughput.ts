/**
 * Redaction throughput, MB/s on one core (single thread), on two corpora:
 * - "support turns": what a processor sees per turn, a customer message from the labelled set
 *   plus a model answer and a retrieved knowledge-base snippet (about 1 KB, a few PII values);
 * - "labelled set": the customer messages alone, one PII value every ~90 characters (worst case).
 * Also whole-event redaction (redactEvent) in events/s. Saves bench/results/redaction-throughput.json.
 * Run: node --import tsx bench/redaction-throughput.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_EVENTS } from '../schemas/events/examples.ts';
import { parseEvent } from '../schemas/events/parse.ts';
import type { LookoutEvent } from '../schemas/events/v1.ts';
import { loadLabelled } from '../processors/redaction/eval/evaluate.ts';
import { rng } from '../common/random.ts';
import { Gen } from '../processors/redaction/eval/values.ts';
import { redactEvent } from '../processors/redaction/event.ts';
import { createRedactor } from '../processors/redaction/redactor.ts';

const TARGET_MB_S = 30;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

const ANSWERS = [
  "I'm sorry to hear that your order hasn't arrived yet. I've checked the shipment and it left our warehouse on Tuesday; the carrier shows it as in transit. Deliveries in your area are currently taking 3 to 5 business days. If it hasn't arrived by Friday, reply here and I'll arrange a replacement or a full refund, whichever you prefer.",
  'Thanks for reaching out. I can see two charges on your account for the same order. The second one is a pre-authorisation that your bank will release automatically within 5 business days, so you will not be billed twice. If it is still pending after that, please send us a screenshot of your statement and we will escalate it to our payments team.',
  "To reset your password, open the app, tap Settings, then Account, then Security, and choose 'Reset password'. We'll send a link to the email address on file; it expires after 30 minutes. If you don't receive it, check your spam folder or let me know and I can resend it.",
  'Your subscription renews on the 1st of each month. You can cancel at any time from the Billing page; cancellation takes effect at the end of the current period and you keep access until then. Refunds for partial months are not available, but I have added a one-off credit of 5 EUR to your account as a goodwill gesture.',
  "I've updated the delivery address on your order. Please note that changes made after the order has been packed may not reach the courier in time; in that case the parcel will be redirected at no extra cost. You'll receive a confirmation email with the new tracking details shortly.",
  'The error you are seeing usually means the app cache is out of date. Please update to the latest version from the app store, then sign out and back in. If the problem continues, tell me which device and operating system version you use and I will pass the details to our technical team.',
];
const SNIPPETS = [
  'Refunds are issued to the original payment method within 5-10 business days after the returned item is received and inspected. Items must be unused and in their original packaging.',
  'Customers can change their delivery address until the order status changes to Packed. After that, address changes are handled by the carrier and may incur a redirection fee.',
  'Duplicate charges are usually pre-authorisations that are released automatically by the card issuer. Agents should not issue a refund for a pending duplicate.',
  'Subscriptions can be cancelled from the Billing page. Access continues until the end of the paid period. Pro-rated refunds are not offered except where required by law.',
];

function supportTurns(messages: string[]): string[] {
  const g = new Gen(rng(7));
  return messages.map((m) => `${m}\n\n${g.pick(ANSWERS)}\n\n${g.pick(SNIPPETS)}`);
}

function measure(texts: string[], run: (t: string) => void): { mbPerSec: number; seconds: number } {
  const chars = texts.reduce((n, t) => n + t.length, 0);
  for (const t of texts) run(t);
  let best = 0;
  let total = 0;
  const rounds = 3;
  for (let r = 0; r < rounds; r++) {
    let done = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < (SECONDS * 1000) / rounds) {
      for (const t of texts) run(t);
      done += chars;
    }
    const s = (performance.now() - t0) / 1000;
    total += s;
    best = Math.max(best, done / s / 1e6);
  }
  return { mbPerSec: best, seconds: total };
}

const redactor = createRedactor({ key: 'bench-throughput-key-0123456789' });
const messages = loadLabelled().map((r) => r.text);
const turns = supportTurns(messages);

const corpora = {
  support_turns: turns,
  labelled_set: messages,
};
const results: Record<string, unknown>[] = [];
for (const [name, texts] of Object.entries(corpora)) {
  const chars = texts.reduce((n, t) => n + t.length, 0);
  const { mbPerSec } = measure(texts, (t) => redactor.redact(t));
  results.push({ corpus: name, texts: texts.length, avg_chars: Math.round(chars / texts.length), mb_per_s: Number(mbPerSec.toFixed(1)) });
}

// Whole events: a response event carrying one support turn as output and the message as input.
const base = parseEvent(EXAMPLE_EVENTS.response);
if (!base.ok) throw new Error('example response event does not parse');
const events: LookoutEvent[] = turns.slice(0, 500).map((t, i) => ({ ...base.event, input_text: messages[i]!, output_text: t }) as LookoutEvent);
const eventChars = events.reduce((n, e) => n + JSON.stringify(e).length, 0);
let eventsPerSec = 0;
{
  for (const e of events) redactEvent(e, redactor);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < SECONDS * 1000) {
    for (const e of events) redactEvent(e, redactor);
    n += events.length;
  }
  eventsPerSec = n / ((performance.now() - t0) / 1000);
}
results.push({ corpus: 'response_events', texts: events.length, avg_chars: Math.round(eventChars / events.length), events_per_s: Math.round(eventsPerSec) });

console.table(results);
const turnRate = results[0]!.mb_per_s as number;
console.log(`support turns: ${turnRate} MB/s per core (target >= ${TARGET_MB_S}) ${turnRate >= TARGET_MB_S ? 'MET' : 'MISSED'}`);

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'redaction-throughput.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
      note: 'Single thread. MB = 10^6 UTF-16 code units of text (ASCII-dominated, so about bytes).',
      target_mb_per_s: TARGET_MB_S,
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`saved ${out}`);
