import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toAlert } from '../alerts/model.ts';
import { detectAnomalies } from './anomaly.ts';
import { hourlySeries as series, type Gen } from './testing/seeded.ts';

const HOUR = 3_600_000;
const WEEK = 168 * HOUR;

function rate(seeds: number, g: Gen, spike: { spend?: number; tpr?: number }, metric?: string): number {
  let fired = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const { s, hour } = series(seed, g, spike);
    const drafts = detectAnomalies([s], hour);
    if (drafts.some((d) => !metric || d.subject.startsWith(metric))) fired++;
  }
  return fired;
}

const NORMAL: Gen = { peakRequests: 800, noise: 0.1, burstRate: 0 };
const NOISY: Gen = { peakRequests: 800, noise: 0.25, burstRate: 0.05 };
const SEEDS = 300;

test('normal and noisy-normal traffic: false alarms counted over many seeds', () => {
  const normalAlarms = rate(1000, NORMAL, {});
  const noisyAlarms = rate(1000, NOISY, {});
  console.log(`false alarms: normal ${normalAlarms}/1000, noisy ${noisyAlarms}/1000`);
  assert.equal(normalAlarms, 0);
  assert.ok(noisyAlarms <= 5, `noisy false alarms ${noisyAlarms}/1000`);
});

test('a spend spike fires, with the numbers in the summary', () => {
  const detected = rate(SEEDS, NORMAL, { spend: 4 }, 'spend');
  const noisyDetected = rate(SEEDS, NOISY, { spend: 8 }, 'spend');
  console.log(`detected: normal spend x4 ${detected}/${SEEDS}, noisy spend x8 ${noisyDetected}/${SEEDS}`);
  assert.ok(detected >= SEEDS * 0.9);
  assert.ok(noisyDetected >= SEEDS * 0.8);
  const { s, hour } = series(7, NORMAL, { spend: 10 });
  const [d] = detectAnomalies([s], hour).map(toAlert);
  assert.ok(d);
  assert.equal(d.kind, 'cost_anomaly');
  assert.equal(d.severity, 'critical');
  assert.equal(d.subject, 'spend:chat-bot');
  assert.match(d.summary, /^Spend for acme \/ chat-bot was \$[\d.,]+ in the hour from 2026-11-\d\d \d\d:00 UTC, [\d.]+x the usual \$[\d.,]+ \(median of the same hour ±1 h over the previous 4 weeks, 12 points; robust z on log scale = [\d.,]+\), on [\d,]+ requests costing \$[\d.,]+\.$/);
  assert.ok(d.measure && d.measure.value > 3 * d.measure.baseline!);
});

test('a tokens-per-request jump fires on its own metric', () => {
  const detected = rate(SEEDS, NORMAL, { tpr: 4 }, 'tokens_per_request');
  console.log(`detected: tokens per request x4 ${detected}/${SEEDS}`);
  assert.ok(detected >= SEEDS * 0.9, `${detected}`);
});

test('a moderate rise (x1.3) on noisy data rarely pages', () => {
  const alarms = rate(SEEDS, NOISY, { spend: 1.3 });
  console.log(`x1.3 on noisy data: ${alarms}/${SEEDS}`);
  assert.ok(alarms <= 3);
});

test('quiet tenants never page, even on a 20x spike', () => {
  assert.equal(rate(100, { peakRequests: 4, noise: 0.3, burstRate: 0 }, { spend: 20 }), 0);
});

test('missing history: no baseline, no alert', () => {
  const { s, hour } = series(3, NORMAL, { spend: 10 });
  const recent = { ...s, points: s.points.filter((p) => p.hour > hour - WEEK) };
  assert.deepEqual(detectAnomalies([recent], hour), []);
});
