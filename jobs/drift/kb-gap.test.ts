import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toAlert } from '../alerts/model.ts';
import type { DriftReport } from './detect.ts';
import { DEFAULT_KB_GAP_OPTIONS, kbGapDraft, kbPassages, nearestPassages, reportCoverage, topicCoverage } from './kb-gap.ts';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};

test('passages: cut at paragraphs and sentences, titled, bounded; a document without text is its title', () => {
  const long = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} explains one more detail of the refund rules.`).join(' ');
  const ps = kbPassages(
    [
      { doc_id: 'refunds', title: 'Refunds', text: `Short intro.\n\n${long}` },
      { doc_id: 'empty', title: 'Only a title', text: '' },
      { doc_id: 'blob', title: '', text: 'x'.repeat(1500) },
    ],
    200,
  );
  const refunds = ps.filter((p) => p.docId === 'refunds');
  assert.ok(refunds.length >= 10, `${refunds.length} passages`);
  assert.ok(refunds.every((p) => p.text.startsWith('Refunds. ') && p.text.length <= 200 + 'Refunds. '.length));
  assert.equal(refunds.map((p) => p.text.slice('Refunds. '.length)).join(' ').replace(/\s+/g, ' '), `Short intro. ${long}`);
  assert.deepEqual(ps.filter((p) => p.docId === 'empty').map((p) => p.text), ['Only a title']);
  assert.deepEqual(ps.filter((p) => p.docId === 'blob').map((p) => p.text.length), [200, 200, 200, 200, 200, 200, 200, 100]);
});

test('coverage: a topic far from every passage is a gap, covered topics and small topics are not', () => {
  const passages = [
    { docId: 'billing', title: 'Billing', text: 'Billing. x' },
    { docId: 'shipping', title: 'Shipping', text: 'Shipping. y' },
  ];
  const pv = [unit(1, 0, 0), unit(0, 1, 0)];
  // 0–19 near billing, 20–39 near shipping, 40–59 orthogonal to both (a topic the KB lacks).
  const inputs = [
    ...Array.from({ length: 20 }, (_, i) => unit(1, 0.1 * (i % 3), 0.2)),
    ...Array.from({ length: 20 }, (_, i) => unit(0.1, 1, 0.1 * (i % 4))),
    ...Array.from({ length: 20 }, (_, i) => unit(0.05 * (i % 2), 0.05, 1)),
  ];
  const nearest = nearestPassages(inputs, pv);
  const texts = inputs.map((_, i) => `input ${i}`);
  assert.ok(nearest.similarity[0]! > 0.9 && nearest.passage[0] === 0 && nearest.passage[25] === 1);
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  const cov = topicCoverage(
    [
      { kind: 'baseline', id: 0, label: 'billing', members: range(0, 20) },
      // A baseline topic holding the shipping inputs and the new ones: the emerging topic claims its members first.
      { kind: 'baseline', id: 1, label: 'shipping', members: range(20, 60) },
      { kind: 'emerging', id: 0, label: 'passkey', members: range(40, 60) },
      { kind: 'baseline', id: 2, label: 'tiny', members: [41, 42, 43] },
    ],
    nearest,
    passages,
    texts,
  );
  const by = new Map(cov.map((c) => [c.label, c]));
  assert.equal(cov[0]!.label, 'passkey', 'emerging topics are judged first');
  assert.equal(by.get('passkey')!.gap, true);
  assert.equal(by.get('passkey')!.uncovered, 20);
  assert.equal(by.get('passkey')!.examples.length, 3);
  assert.ok(by.get('passkey')!.examples.every((t) => /^input (4\d|5\d)$/.test(t)), 'examples come from the topic\'s uncovered inputs');
  assert.equal(by.get('billing')!.gap, false);
  assert.equal(by.get('billing')!.nearestDoc!.docId, 'billing');
  assert.equal(by.get('shipping')!.inputs, 20, 'the gap topic claimed its members');
  assert.equal(by.get('shipping')!.gap, false);
  assert.equal(by.has('tiny'), false, 'no members left after the claim');

  // Without the emerging topic, the mixed baseline topic is half uncovered: under the 0.6 share.
  const mixed = topicCoverage([{ kind: 'baseline', id: 1, label: 'shipping', members: range(20, 60) }], nearest, passages, texts);
  assert.equal(mixed[0]!.uncoveredShare, 0.5);
  assert.equal(mixed[0]!.gap, false);
  const stricter = topicCoverage([{ kind: 'baseline', id: 1, label: 'shipping', members: range(20, 60) }], nearest, passages, texts, { ...DEFAULT_KB_GAP_OPTIONS, minShare: 0.5 });
  assert.equal(stricter[0]!.gap, true);
  const small = topicCoverage([{ kind: 'emerging', id: 0, label: 'passkey', members: range(40, 49) }], nearest, passages, texts);
  assert.equal(small[0]!.gap, false, '9 inputs are below minInputs');
});

test('the gap alert is a valid knowledge_rot draft with the uncovered inputs as examples', () => {
  const cov = {
    kind: 'emerging' as const, id: 0, label: 'passkey / login / sign', inputs: 24, uncovered: 22, uncoveredShare: 22 / 24, medianSimilarity: 0.31,
    nearestDoc: { docId: 'account-password-reset', title: 'Resetting your password' }, gap: true,
    examples: ['Passkey not working on my phone', 'How do I set up a passkey?'],
  };
  const alert = toAlert(kbGapDraft('acme', cov, { start: 0, end: 86_400_000 }, DEFAULT_KB_GAP_OPTIONS));
  assert.equal(alert.kind, 'knowledge_rot');
  assert.equal(alert.subject, 'kb-gap:passkey / login / sign');
  assert.match(alert.title, /KB gap on new topic "passkey \/ login \/ sign" \(acme\): 22 of 24 inputs match no document/);
  assert.match(alert.summary, /similarity 0\.31/);
  assert.match(alert.summary, /account-password-reset/);
  assert.deepEqual(alert.examples, ['Passkey not working on my phone', 'How do I set up a passkey?']);
});

test('report coverage judges a follow-up with its conversation opener: "I tried that" in a covered topic is no gap', () => {
  const passages = [{ docId: 'cancel', title: 'Cancelling', text: 'Cancelling. x' }];
  const pv = [unit(1, 0, 0)];
  // Topic 0 (cell 0): 4 opening questions on cancelling, then 8 context-bound follow-ups far from
  // the passage: 6 in cancel conversations, 2 in conversations that opened off the KB.
  const vectors = [...Array.from({ length: 4 }, () => unit(1, 0.1, 0)), ...Array.from({ length: 8 }, () => unit(0, 1, 0))];
  const texts = vectors.map((_, i) => (i < 4 ? `cancel ${i}` : `I tried that already ${i}`));
  const opening = vectors.map((_, i) => (i < 4 ? undefined : i < 10 ? unit(1, 0.2, 0) : unit(0, 0, 1)));
  const report = { clusters: [{ id: 0, label: 'cancel' }], emerging: { topics: [] } } as unknown as DriftReport;
  const o = { ...DEFAULT_KB_GAP_OPTIONS, minInputs: 4 };
  const alone = reportCoverage(report, [0], new Int32Array(12), { vectors, texts }, passages, pv, o);
  assert.deepEqual([alone[0]!.inputs, alone[0]!.uncovered, alone[0]!.gap], [12, 8, true]);
  const withOpeners = reportCoverage(report, [0], new Int32Array(12), { vectors, texts, opening }, passages, pv, o);
  assert.deepEqual([withOpeners[0]!.inputs, withOpeners[0]!.uncovered, withOpeners[0]!.gap], [12, 2, false]);
  assert.deepEqual(withOpeners[0]!.examples, ['I tried that already 10', 'I tried that already 11']);
});
