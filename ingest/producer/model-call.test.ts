import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectUsage, runModelCall, type FieldsOf } from './index.ts';

type Ev = FieldsOf<'response'>;
const ctx = { conversation_id: 'c1', model: 'gpt-4o', provider: 'openai', input_text: 'hello' };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a plain async call records latency, usage (OpenAI shape), output and ok status', async () => {
  const got: Ev[] = [];
  const result = await runModelCall((e) => got.push(e), ctx, async () => {
    await wait(30);
    return { choices: [{ message: { content: 'Hi there' } }], usage: { prompt_tokens: 120, completion_tokens: 8, prompt_tokens_details: { cached_tokens: 64 } } };
  });
  assert.equal(result.choices[0]!.message.content, 'Hi there');
  assert.equal(got.length, 1);
  const e = got[0]!;
  assert.equal(e.status, 'ok');
  assert.equal(e.output_text, 'Hi there');
  assert.equal(e.conversation_id, 'c1');
  assert.ok(e.latency_ms! >= 25 && e.latency_ms! < 1000, `latency ${e.latency_ms}`);
  assert.deepEqual(e.usage, { input_tokens: 120, output_tokens: 8, cached_input_tokens: 64, cache_write_tokens: 0, reasoning_tokens: 0 });
  assert.equal(e.ttft_ms, undefined);
});

test('a stream records ttft at the first chunk, joins the text and takes usage from the chunks', async () => {
  const got: Ev[] = [];
  async function* stream() {
    await wait(20);
    yield { type: 'message_start', message: { usage: { input_tokens: 50, output_tokens: 1, cache_read_input_tokens: 30 } } };
    yield { type: 'content_block_delta', delta: { type: 'text_delta', text: 'Hel' } };
    await wait(30);
    yield { type: 'content_block_delta', delta: { type: 'text_delta', text: 'lo' } };
    yield { type: 'message_delta', usage: { output_tokens: 12 } };
  }
  const s = await runModelCall((e) => got.push(e), { ...ctx, provider: 'anthropic' }, () => stream());
  assert.equal(got.length, 0, 'nothing recorded before the stream is consumed');
  const texts: string[] = [];
  for await (const chunk of s as AsyncIterable<{ delta?: { text?: string } }>) if (chunk.delta?.text) texts.push(chunk.delta.text);
  assert.deepEqual(texts, ['Hel', 'lo']);
  const e = got[0]!;
  assert.equal(e.output_text, 'Hello');
  assert.ok(e.ttft_ms! >= 15 && e.ttft_ms! < e.latency_ms!, `ttft ${e.ttft_ms} latency ${e.latency_ms}`);
  assert.equal(e.usage!.output_tokens, 12);
  assert.equal(e.usage!.input_tokens, 80, 'Anthropic cache reads counted into input');
  assert.equal(e.usage!.cached_input_tokens, 30);
});

test('a failing call is recorded as error/timeout and its error re-thrown unchanged', async () => {
  const got: Ev[] = [];
  const boom = Object.assign(new Error('rate limited'), { status: 429 });
  await assert.rejects(runModelCall((e) => got.push(e), ctx, async () => { throw boom; }), (err) => err === boom);
  assert.equal(got[0]!.status, 'error');
  assert.equal(got[0]!.error!.code, '429');
  const t = new Error('took too long');
  t.name = 'TimeoutError';
  await assert.rejects(runModelCall((e) => got.push(e), ctx, () => { throw t; }));
  assert.equal(got[1]!.status, 'timeout');
});

test('fallback is recorded with the model that answered and the primary kept in attributes', async () => {
  const got: Ev[] = [];
  const out = await runModelCall((e) => got.push(e), ctx, async (call) => {
    call.fallback('gpt-4o-mini');
    call.set({ guardrail_triggers: ['pii'] });
    return 'ok';
  });
  assert.equal(out, 'ok');
  assert.equal(got[0]!.fallback_used, true);
  assert.equal(got[0]!.model, 'gpt-4o-mini');
  assert.deepEqual(got[0]!.attributes, { primary_model: 'gpt-4o' });
  assert.deepEqual(got[0]!.guardrail_triggers, ['pii']);
});

test('breaking out of a stream early records cancelled; eventId is the recorded event_id', async () => {
  const got: Ev[] = [];
  let id = '';
  async function* stream() {
    yield 'a';
    yield 'b';
    yield 'c';
  }
  const s = await runModelCall((e) => got.push(e), ctx, (call) => ((id = call.eventId), stream()));
  for await (const c of s) if (c === 'a') break;
  assert.equal(got[0]!.status, 'cancelled');
  assert.equal(got[0]!.event_id, id);
  assert.equal(got[0]!.output_text, 'a');
});

test('an emitter that throws never breaks the call', async () => {
  const out = await runModelCall(() => { throw new Error('telemetry bug'); }, ctx, () => 42);
  assert.equal(out, 42);
});

test('detectUsage reads OpenAI responses-API reasoning tokens', () => {
  assert.deepEqual(detectUsage({ usage: { input_tokens: 10, output_tokens: 90, output_tokens_details: { reasoning_tokens: 70 }, input_tokens_details: { cached_tokens: 4 } } }), {
    input_tokens: 10, output_tokens: 90, cached_input_tokens: 4, cache_write_tokens: 0, reasoning_tokens: 70,
  });
  assert.equal(detectUsage({ nothing: true }), undefined);
});
