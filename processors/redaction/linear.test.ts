/**
 * Every detector must run in time linear in its input. Adversarial 1 MB inputs (long runs that
 * a backtracking regex or a rescanning loop would go quadratic on) are checked two ways, with
 * ratios rather than absolute times:
 *  - against 1 MB of ordinary prose timed right beside them: at most 50x, plus 20 ms. Quadratic
 *    work on 1 MB costs thousands of times more; the margin is for busy machines, where a run of
 *    a few hundred ms is preempted far more often than a 10 ms one (10x failed there at 12-23x).
 *  - against a quarter of the same input: at most 8x, plus 10 ms (linear is 4x, quadratic 16x).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor } from './redactor.ts';

const MB = 1_000_000;
const redactor = createRedactor({ key: 'linear-test-key-0123456789abcdef', maxChars: 2 * MB });

function fill(unit: string): string {
  return unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
}

function fastest(text: string, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    redactor.redact(text);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const PROSE = fill(
  'Hello, I ordered a blue jacket last week and it still has not arrived. The tracking page says it is in transit ' +
    'but nothing has changed for five days. Could you please check what is going on and let me know? Thanks a lot. ',
);

const ADVERSARIAL: Record<string, string> = {
  'a run': fill('a'),
  'A run': fill('A'),
  'digit run': fill('1'),
  '"1 " pairs': fill('1 '),
  '"1-" pairs': fill('1-'),
  '"1." pairs': fill('1.'),
  '"1. " triples': fill('1. '),
  '"+1 (" units': fill('+1 ('),
  '@ run': fill('@'),
  'aaaa@': fill('aaaa@'),
  'a.a@a': fill('a.a@a'),
  'dots': fill('.'),
  'colons': fill(':'),
  'a: pairs': fill('a:'),
  'hex colons': fill('ab:'),
  'sk- repeated': fill('sk-'),
  'eyJ repeated': fill('eyJ'),
  'eyJa. repeated': fill('eyJa.'),
  'AKIA repeated': fill('AKIA'),
  'BEGIN without END': fill('-----BEGIN '),
  'private BEGIN without END': fill('-----BEGIN RSA PRIVATE KEY-----\n'),
  ':// repeated': fill('://'),
  'https://a?token= repeated': fill('https://a?token='),
  'password= repeated': fill('password='),
  'Hi Anna repeated': fill('Hi Anna '),
  'Thanks, repeated': fill('Thanks, '),
  'DE89 repeated': fill('DE89 '),
  'IBAN-like digits': 'DE89' + fill('0'),
  'spaces': fill(' '),
  'newlines': fill('\n'),
  'DOB repeated': fill('DOB: 1'),
  'hooks.slack.com/ repeated': fill('hooks.slack.com/'),
};

describe('linear time on adversarial 1 MB inputs', () => {
  for (const [name, text] of Object.entries(ADVERSARIAL)) {
    it(`${name}: within 50x of prose, and 4x the input takes under 8x the time`, () => {
      const base = fastest(PROSE, 3);
      const t = fastest(text, 3);
      assert.ok(t <= 50 * base + 20, `${name} took ${t.toFixed(1)} ms, prose ${base.toFixed(1)} ms (ratio ${(t / base).toFixed(1)})`);
      const quarter = fastest(text.slice(0, MB / 4), 5);
      assert.ok(t <= 8 * quarter + 10, `${name}: 1 MB took ${t.toFixed(1)} ms, 250 KB ${quarter.toFixed(1)} ms (ratio ${(t / quarter).toFixed(1)})`);
    });
  }
});
