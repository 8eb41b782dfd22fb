import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MODELS } from '../../deploy/models/install.ts';
import { createEmbedder, DRIFT_MODEL, ModelMissingError, type Embedder } from './embed.ts';
import { dot } from './vectors.ts';

describe('createEmbedder', () => {
  it('fails with a message naming npm install when the model is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lookout-nomodel-'));
    try {
      await assert.rejects(createEmbedder({ cacheDir: empty }), (err: unknown) => {
        assert.ok(err instanceof ModelMissingError);
        assert.match(err.message, /npm install/);
        assert.match(err.message, new RegExp(DRIFT_MODEL.id));
        return true;
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

for (const model of MODELS) describe(`embeddings from the installed ${model.id}`, () => {
  let embedder: Embedder;
  before(async () => {
    embedder = await createEmbedder({ model, batchSize: 4 });
  });
  after(async () => {
    await embedder.dispose();
  });

  it('returns unit vectors of the model dimension in input order, with progress', async () => {
    const texts = ['short', 'a considerably longer sentence about a bank transfer that failed', 'mid length text', 'x', 'another one'];
    const progress: number[] = [];
    const vecs = await embedder.embed(texts, { onProgress: (done) => progress.push(done) });
    assert.equal(vecs.length, texts.length);
    assert.equal(embedder.modelId, model.id);
    for (const v of vecs) {
      assert.equal(v.length, model.dimensions);
      assert.ok(Math.abs(dot(v, v) - 1) < 1e-4);
    }
    assert.deepEqual(progress, [4, 5]);
    const [alone] = await embedder.embed([texts[1]!]);
    assert.ok(dot(alone!, vecs[1]!) > 0.999, 'batching and reordering must not change a vector');
  });

  it('scores paraphrases clearly above unrelated sentences', async () => {
    const pairs: Array<[string, string]> = [
      ['My card still has not arrived', 'I am still waiting for my card to be delivered'],
      ['How do I reset my password?', 'I forgot my password and need to change it'],
      ['Why was I charged twice for the same purchase?', 'There is a duplicate charge on my account'],
      ['Can I get a refund for my order?', 'I would like my money back for this purchase'],
    ];
    const flat = pairs.flat();
    const v = await embedder.embed(flat);
    const para: number[] = [];
    const unrelated: number[] = [];
    for (let i = 0; i < pairs.length; i++) {
      para.push(dot(v[2 * i]!, v[2 * i + 1]!));
      for (let j = 0; j < pairs.length; j++) if (j !== i) unrelated.push(dot(v[2 * i]!, v[2 * j + 1]!));
    }
    // Relative to the unrelated pairs, not absolute: bge's cosines sit much higher than MiniLM's.
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const seen = `paraphrases ${para.map((x) => x.toFixed(2))}, unrelated mean ${avg(unrelated).toFixed(2)}`;
    assert.ok(Math.min(...para) > avg(unrelated) + 0.1, seen);
    assert.ok(avg(para) - avg(unrelated) > 0.25, seen);
  });
});
