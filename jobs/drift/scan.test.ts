import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hotThreshold, knnTest, MAX_NOVELTY, novelty, pooledNeighbours, probedNeighbours } from './knn.ts';
import { scan, signedRoot } from './scan.ts';
import { rng } from '../../common/random.ts';
import { squaredDistance } from './vectors.ts';

describe('signedRoot', () => {
  it('is the signed root of the binomial deviance', () => {
    // x = 30 of t = 60 at q = 0.25: G = 2[30 ln(30/15) + 30 ln(30/45)] = 17.26.
    assert.ok(Math.abs(signedRoot(30, 60, 0.25) - Math.sqrt(17.2609)) < 1e-3);
    assert.ok(signedRoot(5, 60, 0.25) < 0);
    assert.equal(signedRoot(15, 60, 0.25), 0);
    assert.equal(signedRoot(0, 0, 0.25), 0);
  });
});

// Eight cells in a balanced tree over two topics; reference counts 100 each.
const layout = { cells: 8, merges: [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11], [12, 13]] as Array<[number, number]>, topicOf: [0, 0, 0, 0, 1, 1, 1, 1], topics: 2 };
const reference = new Array(8).fill(100);

function multinomial(n: number, weights: number[], random: () => number): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  const out = new Array(weights.length).fill(0);
  for (let i = 0; i < n; i++) {
    let u = random() * total;
    let c = 0;
    while (u >= weights[c]!) u -= weights[c++]!;
    out[c]++;
  }
  return out;
}

describe('scan', () => {
  it('gives roughly uniform p-values on windows from the reference distribution', () => {
    const random = rng(5);
    const ps: number[] = [];
    for (let w = 0; w < 200; w++) ps.push(scan(layout, reference, multinomial(200, new Array(8).fill(1), random), { permutations: 99, alpha: 0.05, seed: w }).pValue);
    const below = (x: number) => ps.filter((p) => p <= x).length / ps.length;
    assert.ok(below(0.05) <= 0.1, `P(p ≤ 0.05) = ${below(0.05)}`);
    // Discrete counts and the min-p step make it a little conservative, never liberal.
    assert.ok(below(0.5) > 0.25 && below(0.5) < 0.65, `P(p ≤ 0.5) = ${below(0.5)}`);
  });

  it('flags a doubled pair of neighbouring cells and puts their node above the threshold', () => {
    const r = scan(layout, reference, multinomial(400, [3, 3, 1, 1, 1, 1, 1, 1], rng(9)), { permutations: 199, alpha: 0.05, seed: 1 });
    assert.ok(r.pValue <= 0.01);
    const best = r.nodeStatistic.indexOf(Math.max(...r.nodeStatistic));
    assert.equal(best, 8);
    assert.ok(r.nodeStatistic[8]! > r.nodeThreshold);
    assert.equal(r.nodeCurrent[14], 400);
  });
});

describe('nearest-neighbour test', () => {
  const random = rng(3);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const point = (centre: number[], spread: number) => centre.map((c) => c + spread * gauss());
  const centre = () => Array.from({ length: 8 }, gauss);
  const topics = [centre(), centre(), centre()];
  const draw = (n: number) => Array.from({ length: n }, (_, i) => point(topics[i % 3]!, 0.8));

  it('finds the exact k nearest neighbours of the pooled inputs', () => {
    const a = draw(40);
    const b = draw(15);
    const g = pooledNeighbours(a, b, 4);
    const all = a.concat(b);
    for (let i = 0; i < all.length; i++) {
      const want = all
        .map((v, j) => [j, squaredDistance(all[i]!, v)] as const)
        .filter(([j]) => j !== i)
        .sort((x, y) => x[1] - y[1])
        .slice(0, 4)
        .map(([j]) => j);
      assert.deepEqual([...g.index.subarray(i * 4, i * 4 + 4)], want);
      want.forEach((j, r) => assert.ok(Math.abs(g.dist[i * 4 + r]! / squaredDistance(all[i]!, all[j]!) - 1) < 1e-5));
    }
  });

  it('the probed graph (searched in the nearest cells) keeps most exact neighbours and still flags a new group', () => {
    const many = Array.from({ length: 12 }, centre);
    const spread = (n: number) => Array.from({ length: n }, (_, i) => point(many[i % 12]!, 0.8));
    const baseline = spread(1500);
    const fresh = centre();
    const window = spread(280).concat(Array.from({ length: 20 }, () => point(fresh, 0.2)));
    const centroids = many.flatMap((c) => [0, 1, 2].map(() => point(c, 0.5)));
    const exact = pooledNeighbours(baseline, window, 10).index;
    const probed = probedNeighbours(baseline, window, centroids, 10, 6);
    let kept = 0;
    for (let i = 0; i < exact.length; i += 10) {
      const want = new Set(exact.subarray(i, i + 10));
      for (const j of probed.index.subarray(i, i + 10)) if (want.has(j)) kept++;
    }
    assert.ok(kept / exact.length >= 0.9, `recall ${kept / exact.length}`);
    assert.ok(probedNeighbours(baseline, window, centroids, 10, 36).index.every((j, i) => j === exact[i]), 'probing every cell is the exact search');
    const r = knnTest(probed, 10, 1500, 300, { permutations: 199, seed: 2 });
    assert.ok(r.pValue <= 0.01 && r.hot.filter((i) => i >= 280).length >= 15, `p = ${r.pValue}, hot ${r.hot.length}`);
  });

  it('weights an input by its gap to the baseline over the baseline spacing there, capped', () => {
    // On a line: baseline inputs every 1 from 0 to 9, current ones at 4.5 (among them) and at
    // 19.6, 19.8, 20 (a gap 10.6 wide, where the baseline spacing is 1).
    const line = (xs: number[]) => xs.map((x) => [x]);
    const baseline = line([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const g = pooledNeighbours(baseline, line([4.5, 19.6, 19.8, 20]), 6);
    const isCurrent = Uint8Array.from({ length: 14 }, (_, i) => (i >= 10 ? 1 : 0));
    assert.equal(novelty(g, isCurrent, 10), 0.5);
    assert.equal(novelty(g, isCurrent, 11), MAX_NOVELTY);
    // A lone current input at 11 is two baseline spacings out.
    const lone = pooledNeighbours(baseline, line([11]), 4);
    assert.ok(Math.abs(novelty(lone, Uint8Array.from({ length: 11 }, (_, i) => (i === 10 ? 1 : 0)), 10) - 2) < 1e-12);
  });

  it('counts each hot input of a new group far from the baseline at the full novelty weight', () => {
    // 20 tight inputs far from every topic: each has only group members among its 10 nearest
    // (count 10) and the baseline input next to the group has the group as its own neighbours, so
    // it says nothing about the spacing; each input weighs (10 − τ + 1) · MAX_NOVELTY².
    const baseline = draw(600);
    const far = centre().map((c) => 4 * c);
    const window = draw(130).concat(Array.from({ length: 20 }, () => point(far, 0.05)));
    const r = knnTest(pooledNeighbours(baseline, window, 20), 10, 600, 150, { permutations: 19, seed: 1 });
    assert.ok(r.statistic >= 20 * (11 - r.tau) * MAX_NOVELTY ** 2, `statistic ${r.statistic}, τ ${r.tau}`);
  });

  it('needs the hot count to fit in the listed neighbours', () => {
    assert.throws(() => knnTest(pooledNeighbours(draw(50), draw(10), 5), 10, 50, 10, { permutations: 9, seed: 1 }), /need 10 neighbours/);
  });

  it('sets the hot threshold so about one hot input is expected by chance', () => {
    // Binomial(10, 0.2): P(X ≥ 6) = 0.0064, P(X ≥ 7) = 0.00086; with 1,000 inputs τ = 7.
    assert.equal(hotThreshold(10, 0.2, 1000), 7);
    assert.equal(hotThreshold(10, 0.2, 100), 6);
  });

  it('is calibrated under no drift and fires on a tight new group', () => {
    const baseline = draw(600);
    let alarms = 0;
    for (let w = 0; w < 40; w++) {
      const g = pooledNeighbours(baseline, draw(150), 10);
      if (knnTest(g, 10, 600, 150, { permutations: 99, seed: w }).pValue <= 0.05) alarms++;
    }
    assert.ok(alarms <= 6, `${alarms} of 40 null windows at 0.05`);
    const fresh = centre();
    const window = draw(140).concat(Array.from({ length: 10 }, () => point(fresh, 0.2)));
    const r = knnTest(pooledNeighbours(baseline, window, 10), 10, 600, 150, { permutations: 199, seed: 1 });
    assert.ok(r.pValue <= 0.01, `p = ${r.pValue}`);
    assert.ok(r.hot.filter((i) => i >= 140).length >= 8);
  });
});
