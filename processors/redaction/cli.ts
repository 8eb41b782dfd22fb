/**
 * `lookout redact`: text mode redacts all of stdin as one text and writes `{ text, spans }`;
 * ndjson mode validates and redacts one event per line and writes `{ event, counts }`, or
 * `{ error, line }` for a line that cannot be parsed or redacted (never its text).
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseEvent } from '../../schemas/events/parse.ts';
import { redactEvent } from './event.ts';
import { createRedactor } from './redactor.ts';
import { RedactionError, type RedactionOptions } from './types.ts';

export interface RedactCliOptions {
  input: Readable;
  output: Writable;
  mode: 'text' | 'ndjson';
  key: string;
  /** Other redaction options (key id, operators, field overrides, maxChars for text mode). */
  options?: Omit<RedactionOptions, 'key'>;
}

export interface RedactCliSummary {
  /** Texts or event lines redacted. */
  ok: number;
  /** Lines (or the text) that produced an error record. */
  errors: number;
}

function write(output: Writable, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = output.write(line, (err) => {
      if (err) reject(err);
    });
    if (ok) resolve();
    else output.once('drain', resolve);
  });
}

function reasonOf(err: unknown): string {
  return err instanceof RedactionError ? err.reason : 'internal';
}

export async function runRedactCli({ input, output, mode, key, options }: RedactCliOptions): Promise<RedactCliSummary> {
  const redactor = createRedactor({ ...options, key });
  if (mode === 'text') {
    input.setEncoding('utf8');
    let text = '';
    for await (const chunk of input) text += chunk as string;
    try {
      const r = redactor.redact(text);
      await write(output, `${JSON.stringify({ text: r.text, spans: r.spans })}\n`);
      return { ok: 1, errors: 0 };
    } catch (err) {
      await write(output, `${JSON.stringify({ error: reasonOf(err) })}\n`);
      return { ok: 0, errors: 1 };
    }
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  const summary: RedactCliSummary = { ok: 0, errors: 0 };
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let record: string;
    const parsed = parseEvent(line);
    if (!parsed.ok) {
      record = JSON.stringify({ error: parsed.reason, line: n });
      summary.errors++;
    } else {
      try {
        const r = redactEvent(parsed.event, redactor);
        record = JSON.stringify({ event: r.event, counts: r.counts });
        summary.ok++;
      } catch (err) {
        record = JSON.stringify({ error: reasonOf(err), line: n });
        summary.errors++;
      }
    }
    await write(output, `${record}\n`);
  }
  return summary;
}
