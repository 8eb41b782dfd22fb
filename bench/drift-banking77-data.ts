// Banking77 queries (PolyAI, Casanueva et al. 2020, CC BY 4.0; see shared/data/banking77/README.md)
// with their embeddings, computed once and cached under .lookout/cache/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CACHE_DIR, type ModelSpec } from '../deploy/models/install.ts';
import { createEmbedder, DRIFT_MODEL } from '../jobs/drift/embed.ts';
import { parseCsv } from '../jobs/drift/evaluate.ts';

export const BANKING77_DIR = resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'banking77');

export const BANKING77_CACHE = join(DEFAULT_CACHE_DIR, 'cache');

export interface Banking77 {
  texts: string[];
  intents: string[];
  vectors: Float32Array[];
  /** The cached float32 matrix (row-major, one row a query), for tools outside Node. */
  file: string;
}

export async function loadBanking77(dir = BANKING77_DIR, cacheDir = DEFAULT_CACHE_DIR, model: ModelSpec = DRIFT_MODEL): Promise<Banking77> {
  const csv = readFileSync(join(dir, 'train.csv'), 'utf8');
  const rows = parseCsv(csv).slice(1);
  const texts = rows.map((r) => r[0]!);
  const intents = rows.map((r) => r[1]!);
  const key = createHash('sha256').update(model.maven).update(csv).digest('hex').slice(0, 16);
  const file = join(cacheDir, 'cache', `banking77-${model.id}-${key}.f32`);
  const dim = model.dimensions;
  if (existsSync(file)) {
    const buf = readFileSync(file);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    if (all.length === texts.length * dim) {
      return { texts, intents, vectors: texts.map((_, i) => all.slice(i * dim, (i + 1) * dim)), file };
    }
  }
  const embedder = await createEmbedder({ model });
  const t0 = performance.now();
  const vectors = await embedder.embed(texts, {
    onProgress: (done, total) => {
      if (done % 2048 === 0 || done === total) process.stderr.write(`embedding Banking77: ${done}/${total}\r`);
    },
  });
  await embedder.dispose();
  process.stderr.write(`\nembedded ${texts.length} queries in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const all = new Float32Array(texts.length * dim);
  vectors.forEach((v, i) => all.set(v, i * dim));
  mkdirSync(join(cacheDir, 'cache'), { recursive: true });
  writeFileSync(file, Buffer.from(all.buffer));
  return { texts, intents, vectors, file };
}
