import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toAlert } from '../alerts/model.ts';
import { detectRunaways, type ConversationStat } from './runaway.ts';
import { normal, rng } from './testing/seeded.ts';

const window = { windowStart: Date.parse('2026-11-02T00:00:00Z'), windowEnd: Date.parse('2026-11-02T01:00:00Z') };

/** Turns ~ 1 + geometric(mean 5); tokens ~ turns x log-normal per-turn size (heavy-ish tails). */
function conversations(r: () => number, n: number, prefix: string): ConversationStat[] {
  return Array.from({ length: n }, (_, i) => {
    let turns = 1;
    while (r() < 0.8) turns++;
    const tokens = Math.round(turns * 1500 * Math.exp(0.6 * normal(r)));
    return { tenant: 'acme', service: 'agent', conversation_id: `${prefix}-${i}`, turns, tokens, cost_usd: tokens * 3e-6 };
  });
}

test('normal conversations: no runaway alert over many seeds', () => {
  let alarms = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    if (detectRunaways(conversations(r, 200, 'cur'), conversations(r, 500, 'base'), window).length > 0) alarms++;
  }
  console.log(`runaway false alarms: ${alarms}/300`);
  assert.equal(alarms, 0);
});

test('an agent loop fires, explains its numbers, and lists the worst conversations', () => {
  let detected = 0;
  for (let seed = 1; seed <= 100; seed++) {
    const r = rng(seed);
    const current = [...conversations(r, 200, 'cur'), { tenant: 'acme', service: 'agent', conversation_id: 'conv-loop', turns: 340, tokens: 900_000, cost_usd: 2.7 }];
    const drafts = detectRunaways(current, conversations(r, 500, 'base'), window);
    if (drafts.length === 1 && drafts[0]!.examples![0]!.startsWith('conv-loop')) detected++;
  }
  assert.equal(detected, 100);
  const r = rng(1);
  const [d] = detectRunaways(
    [...conversations(r, 50, 'cur'), { tenant: 'acme', service: 'agent', conversation_id: 'conv-loop', turns: 340, tokens: 2_500_000, cost_usd: 7.5 }],
    conversations(r, 500, 'base'),
    window,
  ).map(toAlert);
  assert.ok(d);
  assert.equal(d.severity, 'critical');
  assert.equal(d.subject, 'runaway:agent');
  assert.deepEqual(d.examples, ['conv-loop: 340 turns, 2,500,000 tokens, $7.50']);
  assert.match(d.summary, /the largest used 2,500,000 tokens in 340 turns \(robust z on log scale: tokens [\d.]+, turns [\d.]+\)\. The norm for agent is [\d,]+ tokens and \d+ turns \(median of 500 recent conversations\)\. Together they cost \$7\.50\.$/);
});

test('absolute floors: a relative outlier that is small in absolute terms is not a runaway', () => {
  const r = rng(5);
  const tiny = conversations(r, 500, 'base').map((c) => ({ ...c, tokens: Math.round(c.tokens / 100) }));
  const outlier = { tenant: 'acme', service: 'agent', conversation_id: 'c', turns: 30, tokens: 50_000 };
  assert.deepEqual(detectRunaways([outlier], tiny, window), []);
});

test('without a baseline only the absolute cap alerts', () => {
  const big = { tenant: 'new', service: 'bot', conversation_id: 'c1', turns: 500, tokens: 1_000_000 };
  assert.deepEqual(detectRunaways([big], [], window), []);
  const huge = { ...big, tokens: 3_000_000 };
  const [d] = detectRunaways([huge], [], window);
  assert.equal(d?.severity, 'critical');
  assert.match(d!.summary, /too few recent conversations for a norm/);
});
