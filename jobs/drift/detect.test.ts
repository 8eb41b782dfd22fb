import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBaseline, compareWindow, type BaselineModel } from './detect.ts';
import { cutTree, dendrogram, microK } from './cluster.ts';
import { rng } from '../../common/random.ts';
import type { Vec } from './vectors.ts';

// Synthetic topics: unit vectors scattered around well-separated centres in 24 dimensions, with
// texts whose distinctive word names the topic.
const DIM = 24;
const TOPIC_WORDS = ['refund', 'password', 'delivery', 'invoice', 'upgrade', 'cancellation', 'roaming'];
const random = rng(42);
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

function unit(v: number[]): Float32Array {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
}
const centres = TOPIC_WORDS.map(() => unit(Array.from({ length: DIM }, gauss)));

function sample(topic: number, count: number): { vectors: Float32Array[]; texts: string[] } {
  const vectors: Float32Array[] = [];
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    vectors.push(unit(Array.from(centres[topic]!, (c) => c + 0.12 * gauss())));
    texts.push(`question ${i % 7} about my ${TOPIC_WORDS[topic]} ${i % 2 ? 'today' : 'account'} ${TOPIC_WORDS[topic]} issue`);
  }
  return { vectors, texts };
}

/** A window drawing from topics 0..5 with the given weights (default equal). */
function mixture(n: number, weights = [1, 1, 1, 1, 1, 1]): { vectors: Float32Array[]; texts: string[] } {
  const total = weights.reduce((s, w) => s + w, 0);
  const out = { vectors: [] as Float32Array[], texts: [] as string[] };
  for (let i = 0; i < n; i++) {
    let u = random() * total;
    let t = 0;
    while (u >= weights[t]!) u -= weights[t++]!;
    const s = sample(t, 1);
    out.vectors.push(s.vectors[0]!);
    out.texts.push(s.texts[0]!);
  }
  return out;
}

const base = mixture(1200);
const opts = { seed: 3 };
const model: BaselineModel = buildBaseline(base.vectors, base.texts, opts);

/** A new intent inside topic 0's region: paraphrases close to each other, not far from topic 0. */
const nearCentre = unit(Array.from(centres[0]!, (c) => c + 0.06 * gauss()));
function nearIntent(count: number): { vectors: Float32Array[]; texts: string[] } {
  const vectors = Array.from({ length: count }, () => unit(Array.from(nearCentre, (c) => c + 0.025 * gauss())));
  return { vectors, texts: vectors.map((_, i) => `question ${i % 5} about my refund chargeback ${i % 2 ? 'today' : 'now'}`) };
}

describe('buildBaseline', () => {
  it('sizes the micro-cells from the baseline and labels each topic from its distinctive word', () => {
    // 840 held-out inputs at 20 a cell; the tree is cut at 4 cells a topic.
    const k = microK(840, 360, 20, 300);
    // Cells no held-out input fell in are dropped.
    assert.ok(model.centroids.length <= k && model.centroids.length >= k - 5, `${model.centroids.length} cells`);
    assert.ok(model.topics.length >= 6 && model.topics.length <= 12, `${model.topics.length} topics`);
    assert.equal(model.cellCounts.reduce((s, v) => s + v, 0), 840);
    for (const t of model.topics) {
      assert.ok(TOPIC_WORDS.slice(0, 6).includes(t.terms[0]!), t.label);
      assert.ok(t.examples.every((e) => e.includes(t.terms[0]!)));
    }
    assert.deepEqual([...new Set(model.topics.map((t) => t.terms[0]))].sort(), TOPIC_WORDS.slice(0, 6).sort());
  });

  it('refuses a baseline too small to calibrate', () => {
    assert.throws(() => buildBaseline(base.vectors.slice(0, 50), base.texts.slice(0, 50)), /at least 100/);
  });
});

describe('compareWindow', () => {
  it('keeps the false-alarm rate at alpha under no drift, with p-values spread over [0, 1]', () => {
    const windows = 120;
    let alarms = 0;
    let belowHalf = 0;
    for (let w = 0; w < windows; w++) {
      const cur = mixture(200);
      const r = compareWindow(model, cur.vectors, cur.texts, { seed: 100 + w, alpha: 0.05, permutations: 199 });
      if (r.drift) alarms++;
      if (r.test.pValue <= 0.5) belowHalf++;
    }
    // Binomial(120, 0.05): mean 6, P(X > 14) < 0.3 %.
    assert.ok(alarms <= 14, `${alarms} alarms in ${windows} windows at alpha 0.05`);
    // A test that never fires would also pass the line above; the Bonferroni-combined p-value
    // should still fall below 0.5 in a fair share of null windows.
    assert.ok(belowHalf >= 20, `${belowHalf} of ${windows} p-values ≤ 0.5`);
  });

  it('detects a new intent at 3 % that sits inside an existing topic, and names it', () => {
    let detected = 0;
    let pure = 0;
    for (let w = 0; w < 10; w++) {
      const cur = mixture(582);
      const fresh = nearIntent(18);
      const r = compareWindow(model, cur.vectors.concat(fresh.vectors), cur.texts.concat(fresh.texts), { seed: 200 + w, permutations: 299 });
      if (!r.drift) continue;
      detected++;
      const top = r.emerging.topics[0];
      if (top && top.members.filter((i) => i >= 582).length / top.size >= 0.8 && top.terms[0] === 'chargeback') pure++;
    }
    assert.ok(detected >= 9, `detected in ${detected} of 10 windows`);
    assert.ok(pure >= 8, `top topic pure and labelled in ${pure} of 10 windows`);
  });

  it('finds a far new topic and gives examples from it', () => {
    const cur = mixture(950);
    const fresh = sample(6, 50);
    const r = compareWindow(model, cur.vectors.concat(fresh.vectors), cur.texts.concat(fresh.texts), opts);
    assert.equal(r.drift, true);
    assert.ok(r.test.pValue <= 0.002);
    const top = r.emerging.topics[0]!;
    assert.ok(top.members.filter((i) => i >= 950).length / top.size >= 0.9, `purity of ${top.size}`);
    assert.ok(top.size >= 40);
    assert.equal(top.terms[0], 'roaming');
    assert.ok(top.examples.every((e) => e.includes('roaming')));
  });

  it('names the topic that tripled as grown', () => {
    const cur = mixture(1000, [3, 1, 1, 1, 1, 1]);
    const r = compareWindow(model, cur.vectors, cur.texts, opts);
    assert.equal(r.drift, true);
    assert.ok(r.test.cells.pValue <= 0.005);
    const grew = r.mix.changed.filter((c) => c.direction === 'grew');
    assert.ok(grew.length >= 1 && grew.every((c) => c.terms[0] === TOPIC_WORDS[0]), JSON.stringify(grew.map((c) => c.label)));
    assert.ok(r.mix.changed.some((c) => c.direction === 'shrank'));
    assert.ok(r.reasons.some((s) => s.includes('grew')));
  });

  it('rejects mismatched inputs', () => {
    assert.throws(() => compareWindow(model, base.vectors.slice(0, 3), base.texts.slice(0, 2)), /3 vectors for 2 texts/);
  });
});

describe('cell tree', () => {
  it('merges the closest cells first and cuts into the asked number of groups', () => {
    const pts: Vec[] = [[0, 0], [0.1, 0], [5, 5], [5.3, 5], [10, 0]];
    const tree = dendrogram(pts, [1, 1, 1, 1, 1]);
    assert.equal(tree.merges.length, 4);
    assert.deepEqual(tree.merges[0], [0, 1]);
    assert.deepEqual(tree.merges[1], [2, 3]);
    assert.ok(tree.height.every((h, i) => i === 0 || h >= tree.height[i - 1]!));
    assert.deepEqual(cutTree(tree, 3), [0, 0, 1, 1, 2]);
    assert.deepEqual(cutTree(tree, 1), [0, 0, 0, 0, 0]);
  });

  it('ties the number of cells to the calibration size', () => {
    assert.equal(microK(2800, 1200, 20, 300), 140);
    assert.equal(microK(2800, 100, 20, 300), 50);
    assert.equal(microK(100_000, 50_000, 20, 300), 300);
  });
});
