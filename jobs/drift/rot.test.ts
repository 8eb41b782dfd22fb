import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ROT_OPTIONS, meanDropP, proportionRiseP, rotDrafts, rotSignals, type TopicOutcomes } from './rot.ts';

const outcome = (topic: string, current: 0 | 1, conversations: number, escalated: number, feedback = 0, thumbs_down = 0): TopicOutcomes => ({ tenant: 'acme', topic, current, conversations, escalated, feedback, thumbs_down });

test('two-proportion and Welch tests are one-sided', () => {
  assert.ok(proportionRiseP(30, 100, 10, 100) < 0.001);
  assert.ok(proportionRiseP(10, 100, 30, 100) > 0.99);
  assert.ok(Math.abs(proportionRiseP(10, 100, 10, 100) - 0.5) < 1e-9);
  assert.ok(meanDropP({ n: 50, mean: 0.6, variance: 0.01 }, { n: 200, mean: 0.8, variance: 0.01 }) < 1e-6);
  assert.ok(meanDropP({ n: 50, mean: 0.8, variance: 0.01 }, { n: 200, mean: 0.6, variance: 0.01 }) > 0.99);
});

test('rot signals: stale citations, falling scores and rising escalation fire with their numbers; noise does not', () => {
  const signals = rotSignals({
    stale: [
      { tenant: 'acme', topic: 'returns-window', doc_id: 'returns-window', cited_version: 'kb-1', newest_version: 'kb-2', newest_since: Date.UTC(2026, 10, 3), stale_answers: 40, topic_answers: 50 },
      // Too few answers to matter.
      { tenant: 'acme', topic: 'billing', doc_id: 'billing', cited_version: 'kb-1', newest_version: 'kb-2', newest_since: Date.UTC(2026, 10, 3), stale_answers: 2, topic_answers: 100 },
    ],
    outcomes: [outcome('returns-window', 0, 400, 40), outcome('returns-window', 1, 60, 21), outcome('billing', 0, 400, 40), outcome('billing', 1, 60, 8)],
    scores: [
      { tenant: 'acme', topic: 'returns-window', current: 0, n: 400, mean: 0.82, variance: 0.004 },
      { tenant: 'acme', topic: 'returns-window', current: 1, n: 60, mean: 0.6, variance: 0.004 },
      { tenant: 'acme', topic: 'billing', current: 0, n: 400, mean: 0.82, variance: 0.004 },
      { tenant: 'acme', topic: 'billing', current: 1, n: 60, mean: 0.815, variance: 0.004 },
    ],
  }, DEFAULT_ROT_OPTIONS);
  assert.deepEqual(signals.map((s) => `${s.topic}/${s.signal}`).sort(), ['returns-window/escalation_rate', 'returns-window/retrieval_score', 'returns-window/stale_kb']);
  const drafts = rotDrafts(signals, { start: 0, end: 86_400_000 });
  assert.equal(drafts.length, 1);
  assert.equal(drafts[0]!.severity, 'critical');
  assert.equal(drafts[0]!.subject, 'topic:returns-window');
  assert.match(drafts[0]!.summary, /40 of 50 answers \(80%\) cited returns-window version kb-1; version kb-2 exists since 2026-11-03 00:00 UTC/);
  assert.match(drafts[0]!.summary, /escalation rate 35% \(21 of 60 conversations\) vs 10% \(40 of 400\)/);
});
