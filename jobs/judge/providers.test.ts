import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { anthropicProvider, openAiProvider, ProviderError, retryAfterMs, type ProviderOptions } from './providers.ts';
import { judgment, startFakeLlm, type FakeLlm } from './testing/fake-llm.ts';

let llm: FakeLlm;
const sleeps: number[] = [];
const opts = (o: Partial<ProviderOptions> = {}): ProviderOptions => ({
  baseUrl: `${llm.url}/v1`, model: 'judge-model', apiKey: 'sk-test-key-123', timeoutMs: 2000,
  retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 },
  sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, ...o,
});
const req = { system: 'rubric', messages: [{ role: 'user' as const, content: 'transcript' }], maxTokens: 300 };

before(async () => { llm = await startFakeLlm(); });
after(async () => { await llm.close(); });
beforeEach(() => { llm.requests.length = 0; llm.script.length = 0; sleeps.length = 0; });

describe('OpenAI-compatible provider', () => {
  it('sends a chat-completions request and returns text and usage', async () => {
    llm.script.push({ kind: 'judgment', judgment: judgment({ tone: 2 }) });
    const r = await openAiProvider(opts()).complete(req);
    assert.equal(JSON.parse(r.text).tone.score, 2);
    assert.deepEqual(r.usage, { input_tokens: 900, output_tokens: 120 });
    const sent = llm.requests[0]!;
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, 'Bearer sk-test-key-123');
    assert.equal(sent.body.model, 'judge-model');
    assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);
    assert.deepEqual(sent.body.response_format, { type: 'json_object' });
  });

  it('retries 429 after the Retry-After delay, and 5xx with jittered backoff', async () => {
    llm.script.push({ kind: 'status', status: 429, retryAfter: '2' }, { kind: 'status', status: 503 }, { kind: 'status', status: 500 });
    const r = await openAiProvider(opts()).complete(req);
    assert.ok(r.text.includes('faithfulness'));
    assert.equal(llm.requests.length, 4);
    // Retry-After 2 s, then full jitter (random 0.5) of 200 ms and 400 ms.
    assert.deepEqual(sleeps, [2000, 100, 200]);
  });

  it('gives up after maxAttempts, and at once on a Retry-After beyond the cap or a 4xx', async () => {
    llm.fallback = () => ({ kind: 'status', status: 502 });
    await assert.rejects(openAiProvider(opts()).complete(req), (e: unknown) => e instanceof ProviderError && e.code === 'http_502' && e.attempts === 4);
    llm.fallback = () => ({ kind: 'judgment', judgment: judgment() });
    llm.requests.length = 0;
    llm.script.push({ kind: 'status', status: 429, retryAfter: '3600' });
    await assert.rejects(openAiProvider(opts()).complete(req), (e: unknown) => e instanceof ProviderError && e.code === 'http_429' && e.attempts === 1);
    llm.script.push({ kind: 'status', status: 401 });
    await assert.rejects(openAiProvider(opts()).complete(req), (e: unknown) => e instanceof ProviderError && e.code === 'http_401' && e.attempts === 1);
    assert.equal(llm.requests.length, 2);
  });

  it('times out a hanging server per attempt and retries', async () => {
    llm.script.push({ kind: 'hang' });
    const t0 = Date.now();
    const r = await openAiProvider(opts({ timeoutMs: 300 })).complete(req);
    assert.ok(Date.now() - t0 >= 290);
    assert.ok(r.text.length > 0);
    llm.script.push({ kind: 'hang' }, { kind: 'hang' });
    await assert.rejects(openAiProvider(opts({ timeoutMs: 200, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } })).complete(req), (e: unknown) => e instanceof ProviderError && e.code === 'timeout');
  });
});

describe('Anthropic provider', () => {
  it('calls /v1/messages with x-api-key and the version header, system apart', async () => {
    llm.script.push({ kind: 'status', status: 529 }, { kind: 'judgment', judgment: judgment({ safety: 1 }) });
    const r = await anthropicProvider(opts({ baseUrl: llm.url, model: 'claude-haiku-4-5' })).complete(req);
    assert.equal(JSON.parse(r.text).safety.score, 1);
    assert.deepEqual(r.usage, { input_tokens: 900, output_tokens: 120 });
    const sent = llm.requests.at(-1)!;
    assert.equal(sent.path, '/v1/messages');
    assert.equal(sent.headers['x-api-key'], 'sk-test-key-123');
    assert.equal(sent.headers['anthropic-version'], '2023-06-01');
    assert.equal(sent.body.system, 'rubric');
    assert.deepEqual(sent.body.messages.map((m) => m.role), ['user']);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs('0.5'), 500);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs('soon'), null);
    assert.equal(retryAfterMs(null), null);
  });
});
