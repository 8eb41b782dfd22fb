/** The committed labelled set meets the precision and recall targets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, loadLabelled, TARGETS, targetFailures } from './eval/evaluate.ts';
import { generate } from './eval/generate.ts';
import { createRedactor } from './redactor.ts';

describe('evaluation on the labelled set', () => {
  const records = loadLabelled();

  it('is the committed output of the seeded generator', () => {
    const fresh = generate();
    assert.equal(records.length, fresh.length);
    assert.deepEqual(records.slice(0, 50), fresh.slice(0, 50));
    assert.deepEqual(records.at(-1), fresh.at(-1));
  });

  it('labels point at real text', () => {
    for (const r of records) {
      for (const s of r.spans) assert.ok(s.start >= 0 && s.end <= r.text.length && s.end > s.start, `record ${r.id}`);
    }
  });

  it('meets the targets for every targeted type', () => {
    const report = evaluate(createRedactor({ key: 'eval-test-key-0123456789abcdef' }), records);
    for (const t of Object.keys(TARGETS)) assert.ok(report.perType[t as keyof typeof report.perType].labelled >= 100, `${t} needs enough samples`);
    assert.deepEqual(targetFailures(report), []);
    assert.ok(report.nearMisses.total >= 3000);
    assert.ok(report.nearMisses.redacted / report.nearMisses.total <= 0.01, `near-misses redacted: ${report.nearMisses.redacted}`);
  });
});
