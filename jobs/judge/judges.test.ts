import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Budget } from './budget.ts';
import { llmJudge, MAX_OUTPUT_TOKENS } from './judges.ts';
import { openAiProvider } from './providers.ts';
import { loadRubric } from './rubric.ts';
import { COMPLETION_TOKENS, judgment, PROMPT_TOKENS, startFakeLlm, type FakeLlm } from './testing/fake-llm.ts';
import { conversation, turn } from './testing/fixtures.ts';

let llm: FakeLlm;
before(async () => { llm = await startFakeLlm(); });
after(async () => { await llm.close(); });
beforeEach(() => { llm.requests.length = 0; llm.script.length = 0; });

const rubric = loadRubric('support-v1');
const judge = () => llmJudge(openAiProvider({ baseUrl: `${llm.url}/v1`, model: 'gpt-4o-mini', apiKey: 'k', timeoutMs: 2000, sleep: async () => {} }), rubric);
const conv = conversation('c1', [turn(0, 'Where is my parcel?', 'It ships in 2 days.', ['Orders ship within 2 business days.'])]);
const unlimited = () => new Budget({ maxTokens: 0, maxUsd: 0 }, () => 0);

describe('llmJudge', () => {
  it('stores provider, model and the rubric version with its content hash', () => {
    const j = judge();
    assert.equal(j.id, 'openai:gpt-4o-mini');
    assert.equal(j.kind, 'llm');
    assert.match(j.promptVersion, /^support-v1@[0-9a-f]{8}$/);
  });

  it('scores a valid answer (also inside a ```json fence) and sends the transcript with its context', async () => {
    llm.script.push({ kind: 'text', text: '```json\n' + JSON.stringify(judgment({ faithfulness: 5, resolution: 3 })) + '\n```' });
    const out = await judge().judge(conv, unlimited());
    assert.equal(out.status, 'ok');
    if (out.status !== 'ok') return;
    assert.equal(out.scores.faithfulness.score, 5);
    assert.equal(out.scores.resolution.score, 3);
    assert.equal(out.attempts, 1);
    const user = llm.requests[0]!.body.messages.at(-1)!.content;
    assert.match(user, /Customer: Where is my parcel\?/);
    assert.match(user, /\[doc-0-0\] Orders ship within 2 business days\./);
    assert.match(llm.requests[0]!.body.messages[0]!.content, /faithfulness/);
  });

  it('retries a malformed answer once, telling the model why', async () => {
    llm.script.push({ kind: 'text', text: 'Sure! The answer was great.' }, { kind: 'judgment', judgment: judgment({ tone: 1 }) });
    const out = await judge().judge(conv, unlimited());
    assert.equal(out.status, 'ok');
    assert.equal(out.status === 'ok' && out.scores.tone.score, 1);
    assert.equal(out.status === 'ok' && out.attempts, 2);
    const retry = llm.requests[1]!.body.messages;
    assert.deepEqual(retry.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
    assert.match(retry.at(-1)!.content, /not JSON/);
  });

  it('records a failure, never a score, after a second malformed answer (out-of-range score, missing criterion)', async () => {
    const bad = judgment();
    (bad.safety as { score: number }).score = 7;
    const { tone: _t, ...missing } = judgment();
    llm.script.push({ kind: 'text', text: JSON.stringify(bad) }, { kind: 'text', text: JSON.stringify(missing) });
    const out = await judge().judge(conv, unlimited());
    assert.deepEqual(out, { status: 'failed', error: 'malformed_answer', usage: { input_tokens: 2 * PROMPT_TOKENS, output_tokens: 2 * COMPLETION_TOKENS }, attempts: 2 });
    assert.match(llm.requests[1]!.body.messages.at(-1)!.content, /safety\.score/);
  });

  it('turns HTTP failures into failure codes', async () => {
    llm.script.push({ kind: 'status', status: 400 });
    const out = await judge().judge(conv, unlimited());
    assert.equal(out.status, 'failed');
    assert.equal(out.status === 'failed' && out.error, 'http_400');
  });

  it('stops at the token budget without exceeding it, even with calls in flight', async () => {
    const budget = new Budget({ maxTokens: 10_000, maxUsd: 0 }, () => 0);
    const j = judge();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => j.judge(conversation(`c${i}`, conv.turns), budget)));
    const judged = outcomes.filter((o) => o.status === 'ok').length;
    const skipped = outcomes.filter((o) => o.status === 'skipped_budget').length;
    assert.equal(judged + skipped, 20);
    assert.ok(judged >= 1 && skipped >= 1, `${judged} judged, ${skipped} skipped`);
    assert.ok(budget.spent.tokens <= 10_000);
    assert.equal(budget.spent.tokens, judged * (PROMPT_TOKENS + COMPLETION_TOKENS));
    assert.equal(llm.requests.length, judged);
    assert.ok(budget.exhausted);
    // Each reservation holds prompt estimate + the output cap, so it admits fewer calls than would fit after the fact.
    assert.ok(judged <= Math.floor(10_000 / MAX_OUTPUT_TOKENS));
  });

  it('stops at a dollar budget priced per call', async () => {
    // $1 per 1,000 tokens: each call costs $1.02, the reservation a bit more.
    const budget = new Budget({ maxTokens: 0, maxUsd: 5 }, (u) => (u.input_tokens + u.output_tokens) / 1000);
    const j = judge();
    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push(await j.judge(conv, budget));
    const judged = outcomes.filter((o) => o.status === 'ok').length;
    assert.ok(judged >= 2 && judged <= 4, `${judged} judged`);
    assert.ok(budget.spent.usd <= 5);
    assert.ok(outcomes.slice(judged).every((o) => o.status === 'skipped_budget'));
  });

  it('refuses a dollar budget for an unpriced model', () => {
    assert.throws(() => new Budget({ maxTokens: 0, maxUsd: 1 }, () => null), /priced judge model/);
  });
});
