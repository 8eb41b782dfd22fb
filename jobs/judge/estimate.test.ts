import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toAlert } from '../alerts/model.ts';
import { dropTest, qualityAlerts, stratifiedMean, type DailyPoint } from './estimate.ts';

describe('stratifiedMean', () => {
  it('weights strata by population, with the finite-population correction', () => {
    // Stratum a: N 90, scores 4, 5 (mean 4.5, s² 0.5); stratum b: N 10, scores 1, 2, 3 (mean 2, s² 1).
    const e = stratifiedMean([
      { stratum: 'a', stratum_population: 90, score: 4 },
      { stratum: 'a', stratum_population: 90, score: 5 },
      { stratum: 'b', stratum_population: 10, score: 1 },
      { stratum: 'b', stratum_population: 10, score: 2 },
      { stratum: 'b', stratum_population: 10, score: 3 },
    ])!;
    assert.ok(Math.abs(e.mean - (0.9 * 4.5 + 0.1 * 2)) < 1e-12);
    const v = 0.81 * (1 - 2 / 90) * (0.5 / 2) + 0.01 * (1 - 3 / 10) * (1 / 3);
    assert.ok(Math.abs(e.se - Math.sqrt(v)) < 1e-12);
    assert.equal(e.population, 100);
    assert.equal(e.scored, 5);
    assert.ok(e.ci_low < e.mean && e.ci_high > e.mean);
  });

  it('has no variance when a stratum is fully observed, and returns null without scores', () => {
    assert.equal(stratifiedMean([{ stratum: 'a', stratum_population: 2, score: 3 }, { stratum: 'a', stratum_population: 2, score: 5 }])!.se, 0);
    assert.equal(stratifiedMean([]), null);
  });

  it('95% intervals cover the true mean about 95% of the time (seeded simulation)', () => {
    let s = 99;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const pop = Array.from({ length: 2000 }, (_, i) => ({ stratum: i < 1500 ? 'a' : 'b', y: i < 1500 ? 3 + Math.floor(rnd() * 3) : 1 + Math.floor(rnd() * 3) }));
    const truth = pop.reduce((a, p) => a + p.y, 0) / pop.length;
    let covered = 0;
    const runs = 1000;
    for (let r = 0; r < runs; r++) {
      const take = (st: string, n: number) => pop.filter((p) => p.stratum === st).map((p) => ({ p, k: rnd() })).sort((x, y) => x.k - y.k).slice(0, n).map(({ p }) => p);
      const obs = [...take('a', 30), ...take('b', 30)].map((p) => ({ stratum: p.stratum, stratum_population: p.stratum === 'a' ? 1500 : 500, score: p.y }));
      const e = stratifiedMean(obs)!;
      if (e.ci_low <= truth && truth <= e.ci_high) covered += 1;
    }
    assert.ok(covered / runs > 0.92 && covered / runs < 0.98, `coverage ${covered / runs}`);
  });
});

describe('drop test and quality alerts', () => {
  const history: DailyPoint[] = Array.from({ length: 10 }, (_, i) => ({ day: `2026-11-${String(10 + i).padStart(2, '0')}`, mean: 4.3 + (i % 3) * 0.05, se: 0.08 }));
  const today = (mean: number, se = 0.08) => ({ mean, se, ci_low: mean - 1.96 * se, ci_high: mean + 1.96 * se, scored: 60, population: 900, strata_covered: 8 });
  const opts = {
    alpha: 0.01, minDrop: 0.3, minBaselineDays: 5, day: '2026-11-21',
    window: { start: Date.UTC(2026, 10, 21), end: Date.UTC(2026, 10, 22) }, judge: 'openai:gpt-4o-mini',
    worst: () => [{ conversation_id: 'conv-1', score: 1, rationale: 'claims a 60-day window; the snippet says 30', question: 'Can I return <EMAIL:3f9a1c2b7d0e> order?' }],
  };

  it('alerts on a significant drop with the interval and the worst examples, as a valid alert draft', () => {
    const t = dropTest('acme', 'faithfulness', today(3.2), history, 5)!;
    assert.ok(t.p < 1e-6);
    const [draft] = qualityAlerts([t], opts);
    assert.ok(draft);
    const alert = toAlert(draft);
    assert.equal(alert.kind, 'quality');
    assert.equal(alert.tenant, 'acme');
    assert.equal(alert.subject, 'faithfulness (openai:gpt-4o-mini)');
    assert.equal(alert.severity, 'critical');
    assert.match(alert.summary, /95% CI/);
    assert.ok(alert.facts.some((f) => f.label === 'Change' && /95% CI/.test(f.value)));
    assert.match(alert.examples[0]!, /conv-1 · 1\/5/);
    assert.ok(alert.measure && alert.measure.value === 3.2 && Math.abs(alert.measure.baseline! - t.baseline) < 1e-12);
  });

  it('stays quiet for day-to-day noise, small drops, and short baselines', () => {
    assert.deepEqual(qualityAlerts([dropTest('acme', 'tone', today(4.25), history, 5)!], opts), []);
    // Significant with a tiny standard error, but under the minimum drop.
    const flat = history.map((h) => ({ ...h, mean: 4.3, se: 0.001 }));
    const small = dropTest('acme', 'tone', { ...today(4.1), se: 0.001 }, flat, 5)!;
    assert.ok(small.p < 0.001);
    assert.deepEqual(qualityAlerts([small], opts), []);
    assert.equal(dropTest('acme', 'tone', today(2), history.slice(0, 3), 5), null);
  });

  it('applies Bonferroni over the tests of the run', () => {
    const t = dropTest('acme', 'relevance', today(3.9, 0.15), history, 5)!;
    assert.ok(t.p < 0.01 && t.p > 0.01 / 50, `p ${t.p}`);
    assert.equal(qualityAlerts([t], opts).length, 1);
    const many = [t, ...Array.from({ length: 49 }, () => dropTest('other', 'tone', today(4.35), history, 5)!)];
    assert.equal(qualityAlerts(many, opts).length, 0);
  });
});
