import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConversationSummary } from './conversations.ts';
import { allocate, drawSample, OTHER_TOPIC, type SampleOptions } from './sample.ts';

/** Seeded population: tenant sizes 600/300/100, skewed topics, ~10 % risky; score y depends on both. */
function population(): { pop: ConversationSummary[]; y: Map<string, number> } {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pop: ConversationSummary[] = [];
  const y = new Map<string, number>();
  const tenants: [string, number][] = [['acme', 600], ['globex', 300], ['initech', 100]];
  for (const [tenant, n] of tenants) {
    for (let i = 0; i < n; i++) {
      const u = rnd();
      const topic = u < 0.5 ? 'billing' : u < 0.8 ? 'returns' : u < 0.95 ? 'shipping' : `rare-${i % 7}`;
      const risky = rnd() < 0.1;
      const c: ConversationSummary = {
        tenant, conversation_id: `${tenant}-${i}`, topic, first_ts: 0,
        escalated: risky && rnd() < 0.5, negative_feedback: false, guardrail: false, failed: false, slow: false,
      };
      if (risky && !c.escalated) c.negative_feedback = true;
      pop.push(c);
      y.set(c.conversation_id, (risky ? 2.2 : 4.3) + (tenant === 'initech' ? -0.8 : 0) + (topic === 'returns' ? -0.4 : 0) + (rnd() - 0.5));
    }
  }
  return { pop, y };
}

const opts = (seed: number, o: Partial<SampleOptions> = {}): SampleOptions => ({
  size: 120, seed, day: '2026-11-21', riskOversample: 4, minPerStratum: 2, maxTopicsPerTenant: 3, ...o,
});

describe('drawSample', () => {
  const { pop, y } = population();
  const truth = (filter: (c: ConversationSummary) => boolean) => {
    const xs = pop.filter(filter).map((c) => y.get(c.conversation_id)!);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };

  it('is deterministic for a seed and day, whatever the input order, and changes with the seed', () => {
    const a = drawSample(pop, opts(7));
    const b = drawSample([...pop].reverse(), opts(7));
    assert.deepEqual(a, b);
    const c = drawSample(pop, opts(8));
    assert.notDeepEqual(a.items.map((i) => i.conversation_id), c.items.map((i) => i.conversation_id));
    const d = drawSample(pop, { ...opts(7), day: '2026-11-22' });
    assert.notDeepEqual(a.items.map((i) => i.conversation_id), d.items.map((i) => i.conversation_id));
  });

  it('fills the size, covers every stratum, oversamples risk, and weights sum to each stratum size', () => {
    const s = drawSample(pop, opts(1));
    assert.equal(s.items.length, 120);
    assert.equal(s.population, 1000);
    for (const st of s.strata) {
      assert.ok(st.sample >= Math.min(2, st.population), `${st.stratum} got ${st.sample}`);
      const members = s.items.filter((i) => i.stratum === st.stratum);
      assert.equal(members.length, st.sample);
      if (members.length) assert.ok(Math.abs(members.reduce((a, i) => a + i.weight, 0) - st.population) < 1e-9);
    }
    // Rare topics are pooled: 3 kept per tenant, the rest are "(other)".
    assert.ok(s.strata.some((st) => st.topic === OTHER_TOPIC));
    assert.ok(!s.items.some((i) => i.topic.startsWith('rare-')));
    const frac = (risk: boolean) => {
      const st = s.strata.filter((x) => x.risk === risk && x.population >= 20);
      return st.reduce((a, x) => a + x.sample, 0) / st.reduce((a, x) => a + x.population, 0);
    };
    const ratio = frac(true) / frac(false);
    assert.ok(ratio > 3 && ratio < 5.5, `risk strata sampled ${ratio.toFixed(2)}x the rest, expected about 4x`);
  });

  it('Horvitz-Thompson estimates are unbiased across seeds; the unweighted mean is not', () => {
    const seeds = 300;
    const domains: [string, (c: { tenant: string }) => boolean][] = [
      ['all', () => true],
      ['acme', (c) => c.tenant === 'acme'],
      ['initech', (c) => c.tenant === 'initech'],
    ];
    for (const [name, inDomain] of domains) {
      const ht: number[] = [];
      const naive: number[] = [];
      for (let seed = 1; seed <= seeds; seed++) {
        const items = drawSample(pop, opts(seed)).items.filter(inDomain);
        const N = pop.filter(inDomain).length;
        ht.push(items.reduce((a, i) => a + i.weight * y.get(i.conversation_id)!, 0) / N);
        naive.push(items.reduce((a, i) => a + y.get(i.conversation_id)!, 0) / items.length);
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const se = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length);
      const t = truth(inDomain);
      const zHt = (mean(ht) - t) / se(ht);
      const zNaive = (mean(naive) - t) / se(naive);
      assert.ok(Math.abs(zHt) < 4, `${name}: HT mean ${mean(ht).toFixed(4)} vs truth ${t.toFixed(4)} (z ${zHt.toFixed(2)})`);
      assert.ok(zNaive < -10, `${name}: the unweighted mean should be biased low by oversampled risk (z ${zNaive.toFixed(2)})`);
    }
  });

  it('empirical inclusion frequencies match the stored inclusion probabilities', () => {
    const seeds = 400;
    const hits = new Map<string, number>();
    const pi = new Map<string, number>();
    for (let seed = 1; seed <= seeds; seed++) {
      for (const i of drawSample(pop, opts(seed)).items) {
        hits.set(i.conversation_id, (hits.get(i.conversation_id) ?? 0) + 1);
        pi.set(i.stratum, i.inclusion_prob);
      }
    }
    // Strata do not depend on the seed: map every conversation to its stratum through seed 1's strata.
    const strata = drawSample(pop, opts(1)).strata;
    let checked = 0;
    for (const c of pop) {
      const risky = c.escalated || c.negative_feedback;
      const st = strata.filter((x) => x.tenant === c.tenant && x.risk === risky && (x.topic === c.topic || x.topic === OTHER_TOPIC));
      const own = st.find((x) => x.topic === c.topic) ?? st[0]!;
      const p = pi.get(own.stratum)!;
      const f = (hits.get(c.conversation_id) ?? 0) / seeds;
      const sd = Math.sqrt((p * (1 - p)) / seeds);
      assert.ok(Math.abs(f - p) < 5 * sd + 1e-9, `${c.conversation_id} in ${own.stratum}: frequency ${f} vs π ${p.toFixed(3)}`);
      checked += 1;
    }
    assert.equal(checked, 1000);
  });

  it('takes everything with weight 1 when the day is smaller than the sample', () => {
    const small = pop.slice(0, 50);
    const s = drawSample(small, opts(3, { size: 200 }));
    assert.equal(s.items.length, 50);
    assert.ok(s.items.every((i) => i.inclusion_prob === 1 && i.weight === 1));
  });

  it('pools topics when the strata would not fit the sample size', () => {
    const s = drawSample(pop, opts(3, { size: 12, maxTopicsPerTenant: 20 }));
    assert.equal(s.items.length, 12);
    assert.ok(s.topicsKept < 3);
    assert.ok(s.strata.every((st) => st.sample >= 1), 'every stratum keeps a non-zero inclusion probability');
  });
});

describe('allocate', () => {
  it('caps at stratum sizes and redistributes', () => {
    assert.deepEqual(allocate([100, 5, 100], [100, 500, 100], 50, 1), [23, 5, 22]);
    const a = allocate([10, 10, 1000], [40, 40, 1000], 100, 2);
    assert.equal(a.reduce((x, y) => x + y, 0), 100);
    assert.ok(a[0]! <= 10 && a[1]! <= 10);
  });
});
