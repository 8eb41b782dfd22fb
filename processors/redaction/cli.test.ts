import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { EXAMPLE_EVENTS } from '../../schemas/events/examples.ts';
import { runRedactCli } from './cli.ts';

const KEY = 'cli-test-key-0123456789abcdef';

async function run(input: string, mode: 'text' | 'ndjson'): Promise<{ out: string; summary: { ok: number; errors: number } }> {
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const summary = await runRedactCli({ input: Readable.from([input]), output, mode, key: KEY });
  output.end();
  return { out: chunks.join(''), summary };
}

describe('runRedactCli', () => {
  it('text mode writes the redacted text and spans as one JSON object', async () => {
    const { out, summary } = await run('Mail anna@example.com please', 'text');
    const parsed = JSON.parse(out) as { text: string; spans: { type: string; start: number; end: number; operator: string }[] };
    assert.match(parsed.text, /^Mail <EMAIL:[0-9a-f]{12}> please$/);
    assert.deepEqual(parsed.spans, [{ type: 'EMAIL', start: 5, end: 21, operator: 'pseudonym' }]);
    assert.deepEqual(summary, { ok: 1, errors: 0 });
  });

  it('ndjson mode redacts each event and reports bad lines without their text', async () => {
    const event = { ...EXAMPLE_EVENTS.request, input_text: 'I am anna@example.com' };
    const lines = [JSON.stringify(event), '{"not json anna@example.com', '', JSON.stringify({ ...event, type: 'nope' })].join('\n');
    const { out, summary } = await run(lines, 'ndjson');
    const records = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(records.length, 3);
    const first = records[0] as { event: { input_text: string; user_id: string }; counts: Record<string, number> };
    assert.match(first.event.input_text, /^I am <EMAIL:[0-9a-f]{12}>$/);
    assert.match(first.event.user_id, /^usr_[0-9a-f]{16}$/);
    assert.deepEqual(first.counts, { EMAIL: 1 });
    assert.deepEqual(records[1], { error: 'invalid_json', line: 2 });
    assert.deepEqual(records[2], { error: 'unknown_type', line: 4 });
    assert.ok(!out.includes('anna@'));
    assert.deepEqual(summary, { ok: 1, errors: 2 });
  });

  it('reports an over-limit text as an error record', async () => {
    const { out, summary } = await run('x'.repeat(200_000), 'text');
    assert.deepEqual(JSON.parse(out), { error: 'too_large' });
    assert.deepEqual(summary, { ok: 0, errors: 1 });
  });
});
