// Embedding throughput on short support queries (target ≥ 150 sentences/s on this machine), for
// each installed model: the drift encoder (bge-small-en-v1.5) and the offline judge's (MiniLM).
// Usage: node --import tsx bench/drift-embed.ts [--n 2000] [--batch 64]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MODELS } from '../deploy/models/install.ts';
import { createEmbedder } from '../jobs/drift/embed.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' }, batch: { type: 'string', default: '64' } } });
const n = Number(values.n);

// Synthetic queries shaped like support traffic (5 to 20 words), so no data set is needed.
const subjects = ['my card', 'the transfer', 'my refund', 'the app', 'my account', 'a payment', 'the exchange rate', 'my pin', 'the top-up', 'my statement'];
const problems = ['has not arrived', 'failed again', 'is still pending', 'shows the wrong amount', 'was declined abroad', 'is blocked', 'charged me twice'];
const asks = ['what should I do', 'can you help', 'how long will it take', 'why is that', 'who do I contact', ''];
const texts = Array.from({ length: n }, (_, i) => {
  const s = subjects[i % subjects.length]!;
  const p = problems[Math.floor(i / subjects.length) % problems.length]!;
  const a = asks[Math.floor(i / 70) % asks.length]!;
  return `${s} ${p}${a ? `, ${a}?` : ''} (ref ${i})`;
});

const results: Array<{ model: string; batchSize: number; sentences: number; seconds: number; perSecond: number }> = [];
for (const model of MODELS) for (const batchSize of [...new Set([8, 32, Number(values.batch)])].sort((a, b) => a - b)) {
  const embedder = await createEmbedder({ model, batchSize });
  await embedder.embed(texts.slice(0, 64));
  const t0 = performance.now();
  await embedder.embed(texts);
  const seconds = (performance.now() - t0) / 1000;
  await embedder.dispose();
  results.push({ model: `${model.id} (q8)`, batchSize, sentences: n, seconds: +seconds.toFixed(2), perSecond: Math.round(n / seconds) });
}
const words = texts.reduce((s, t) => s + t.split(' ').length, 0) / n;
console.table(results);
const out = { bench: 'drift-embed', meanWords: +words.toFixed(1), cpus: cpus().length, target: 150, at: new Date().toISOString(), results };
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'drift-embed.json'), JSON.stringify(out, null, 2) + '\n');
for (const model of MODELS) {
  console.log(`${model.id}: best ${Math.max(...results.filter((r) => r.model.startsWith(model.id)).map((r) => r.perSecond))} sentences/s (target ${out.target})`);
}
console.log('saved bench/results/drift-embed.json');
