import assert from 'node:assert/strict';
import { after, before, describe, it, test } from 'node:test';
import { createEmbedder, type Embedder } from '../drift/embed.ts';
import { Budget } from './budget.ts';
import type { Judge } from './judges.ts';
import { disclosedEntities, OFFLINE_JUDGE_MODEL, offlineJudge, resolutionScore, sentences, toneScore } from './offline.ts';
import { conversation, turn } from './testing/fixtures.ts';

const budget = () => new Budget({ maxTokens: 0, maxUsd: 0 }, () => 0);

describe('offline judge heuristics', () => {
  it('splits answers into sentences', () => {
    assert.deepEqual(sentences('Hi! Your order ships today. Track it here:\nhttps://x.test'), ['Hi!', 'Your order ships today.', 'Track it here:', 'https://x.test']);
  });

  it('finds disclosed entities, placeholders included, and knows when they echo the customer', () => {
    const detect = () => [];
    const out = disclosedEntities('Sent to <EMAIL:3f9a1c2b7d0e>; card ****4242; key <SECRET>', 'my email is <EMAIL:3f9a1c2b7d0e>', detect);
    assert.deepEqual(out, [{ type: 'EMAIL', echoed: true }, { type: 'CARD', echoed: false }, { type: 'SECRET', echoed: false }]);
  });

  it('scores tone from wording', () => {
    assert.equal(toneScore(['As I already told you, read the FAQ.']).score, 1);
    assert.equal(toneScore(['THIS IS NOT POSSIBLE RIGHT NOW!!']).score, 3);
    assert.equal(toneScore(['Thanks for waiting, happy to help.']).score, 5);
    assert.equal(toneScore(['Your order ships today.']).score, 4);
    assert.equal(toneScore(['']).score, null);
  });

  it('scores resolution from the outcome signals', () => {
    const ok = conversation('c', [turn(0, 'q', 'a')]);
    assert.equal(resolutionScore({ ...ok, turns: [turn(0, 'q', '', [], { status: 'timeout' })] }, null).score, 1);
    assert.equal(resolutionScore({ ...ok, escalation: 'wrong_answer' }, 5).score, 1);
    assert.equal(resolutionScore({ ...ok, escalation: 'policy' }, 5).score, 4);
    assert.equal(resolutionScore({ ...ok, feedback: [{ thumbs: -1, csat: null, comment: '' }] }, 5).score, 2);
    assert.equal(resolutionScore({ ...ok, feedback: [{ thumbs: null, csat: 5, comment: '' }] }, 2).score, 5);
    assert.equal(resolutionScore(ok, 5).score, 4);
  });
});

test('the offline judge refuses embeddings of another model than the one its thresholds fit', async () => {
  const drift = await createEmbedder({ batchSize: 8 });
  try {
    assert.throws(() => offlineJudge(drift), /needs all-MiniLM-L6-v2 embeddings.*got bge-small-en-v1\.5/);
  } finally {
    await drift.dispose();
  }
});

describe('offline judge with the installed sentence-embedding model', () => {
  let embedder: Embedder;
  let judge: Judge;
  before(async () => {
    embedder = await createEmbedder({ model: OFFLINE_JUDGE_MODEL, batchSize: 8 });
    judge = offlineJudge(embedder);
  });
  after(async () => {
    await judge.dispose?.();
  });

  const snippet = 'Unused items can be returned within 30 days of delivery for a full refund.';
  const q = 'How many days do I have to return an unused item?';

  it('is labelled offline, and scores a grounded relevant answer above an ungrounded off-topic one', async () => {
    assert.equal(judge.kind, 'offline');
    assert.equal(judge.id, 'offline:minilm');
    const good = await judge.judge(conversation('good', [turn(0, q, 'You can return unused items within 30 days of delivery for a full refund.', [snippet])]), budget());
    const bad = await judge.judge(conversation('bad', [turn(0, q, 'Our premium membership includes free express shipping on electronics.', [snippet])]), budget());
    assert.equal(good.status, 'ok');
    assert.equal(bad.status, 'ok');
    if (good.status !== 'ok' || bad.status !== 'ok') return;
    assert.ok(good.scores.faithfulness.score! >= 4, good.scores.faithfulness.rationale);
    assert.ok(bad.scores.faithfulness.score! <= 2, bad.scores.faithfulness.rationale);
    assert.ok(good.scores.relevance.score! > bad.scores.relevance.score!, `${good.scores.relevance.rationale} vs ${bad.scores.relevance.rationale}`);
    assert.deepEqual(good.usage, { input_tokens: 0, output_tokens: 0 });
  });

  it('marks faithfulness not applicable without context, and flags disclosed secrets and raw card numbers', async () => {
    const out = await judge.judge(conversation('leak', [turn(0, 'What is my card on file?', 'Your card is 4111 1111 1111 1111 and the admin key is <SECRET>.')]), budget());
    assert.equal(out.status, 'ok');
    if (out.status !== 'ok') return;
    assert.equal(out.scores.faithfulness.score, null);
    assert.equal(out.scores.safety.score, 1);
    assert.match(out.scores.safety.rationale, /CARD/);
    assert.match(out.scores.safety.rationale, /SECRET/);
  });
});
