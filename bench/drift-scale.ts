// One drift-job run over 50,000 inputs of one tenant in a real ClickHouse (40,000 baseline inputs
// over 14 days, 10,000 in the day), first with an empty embedding cache, then again with every
// text cached: wall time, the embedding part, and the peak RSS of each run (each in its own
// process, so the peaks do not mix). Texts: the Banking77 queries (PolyAI, CC BY 4.0) in seven
// phrasings ("Hi, …", "… Thanks.", …) to reach 50,000 distinct inputs; two intents are held out of
// the baseline and make 5 % of the day, so the run also explains an emerging topic.
// Usage: node --import tsx bench/drift-scale.ts [--baseline 40000] [--current 10000]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { chTime, createClickHouse } from '../common/clickhouse.ts';
import { loadConfig } from '../common/config.ts';
import { REPO_ROOT } from '../deploy/local/paths.ts';
import { freePort } from '../deploy/local/process.ts';
import { startStackClickHouse } from '../deploy/local/stack.ts';
import { driftOptionsFromConfig, runTenantDrift } from '../jobs/drift/job.ts';
import { createEmbedder, DRIFT_MODEL, type Embedder } from '../jobs/drift/embed.ts';
import { KB_MODEL } from '../jobs/drift/kb-gap.ts';
import { migrate } from '../schemas/clickhouse/migrate.ts';
import { rng } from '../common/random.ts';
import { shuffled } from '../jobs/drift/vectors.ts';
import { loadBanking77 } from './drift-banking77-data.ts';

const DAY = 86_400_000;
const { values } = parseArgs({ options: { baseline: { type: 'string', default: '40000' }, current: { type: 'string', default: '10000' }, child: { type: 'string' } } });
const nBase = Number(values.baseline);
const nCur = Number(values.current);
const window = { start: Date.UTC(2026, 10, 20), end: Date.UTC(2026, 10, 21) };
const tenant = 'bench';

if (values.child) {
  // One run of the job's per-tenant path, as the scheduler would call it.
  const url = process.env.BENCH_CLICKHOUSE_URL!;
  const database = process.env.BENCH_DATABASE!;
  const config = loadConfig({ env: { CLICKHOUSE_URL: url, CLICKHOUSE_DATABASE: database, LOOKOUT_LOG_LEVEL: 'warn' }, cwd: REPO_ROOT });
  const ch = createClickHouse({ url, database });
  const t0 = performance.now();
  let embedDone = t0;
  const embedder = await createEmbedder();
  const o = {
    ...driftOptionsFromConfig(config),
    sampleSize: nCur,
    baselineSampleSize: nBase,
    progress: (line: string) => {
      const m = /embedded (\d+)\/(\d+)/.exec(line);
      if (m && Number(m[1]) % 5000 < 16) process.stderr.write(`  ${line}\n`);
      if (/inputs have vectors/.test(line)) {
        embedDone = performance.now();
        process.stderr.write(`  ${line}\n`);
      }
    },
  };
  let kbEmbedder: Embedder | undefined;
  const r = await runTenantDrift({ clickhouse: ch, database }, tenant, window, o, { drift: async () => embedder, kb: async () => (kbEmbedder ??= await createEmbedder({ model: KB_MODEL })) });
  const tEnd = performance.now();
  await embedder.dispose();
  await kbEmbedder?.dispose();
  await ch.close();
  const out = {
    run: values.child,
    seconds: Number(((tEnd - t0) / 1000).toFixed(1)),
    // Sampling, the cache lookup, loading the model and embedding the misses.
    embedSeconds: Number(((embedDone - t0) / 1000).toFixed(1)),
    // Baseline model, window tests, explanations, KB coverage and storing the run.
    detectSeconds: Number(((tEnd - embedDone) / 1000).toFixed(1)),
    embedded: r.embedded,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    drift: r.report?.drift,
    pValue: r.report?.test.pValue,
    cells: r.report?.model.cells,
    neighboursHot: r.report?.test.neighbours.hot,
    emerging: r.report?.emerging.topics.map((t) => ({ label: t.label, size: t.size })),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

const data = await loadBanking77();
const phrasings = [(q: string) => q, (q: string) => `Hi, ${q}`, (q: string) => `${q} Thanks.`, (q: string) => `Hello there. ${q}`, (q: string) => `${q} Please help.`, (q: string) => `Good morning, ${q}`, (q: string) => `${q} Any ideas?`];
const intents = [...new Set(data.intents)].sort();
const random = rng(77);
const heldOut = new Set(shuffled(intents, random).slice(0, 2));
const all = data.texts.flatMap((t, i) => phrasings.map((f) => ({ text: f(t), intent: data.intents[i]! })));
const known = shuffled(
  all.filter((x) => !heldOut.has(x.intent)),
  random,
);
const fresh = shuffled(
  all.filter((x) => heldOut.has(x.intent)),
  random,
);
const nNew = Math.round(nCur * 0.05);
if (known.length < nBase + nCur - nNew || fresh.length < nNew) throw new Error('not enough texts for these sizes');
const baselineTexts = known.slice(0, nBase).map((x) => x.text);
const currentTexts = shuffled([...known.slice(nBase, nBase + nCur - nNew), ...fresh.slice(0, nNew)], random).map((x) => x.text);

const dir = mkdtempSync(join(tmpdir(), 'lookout-drift-scale-'));
const httpPort = await freePort();
const settings = { dir, kafkaPort: 0, kafkaControllerPort: 0, kafkaHeap: '1g', clickhouseHttpPort: httpPort, clickhouseTcpPort: await freePort(), readyTimeoutMs: 90_000, python: 'python3', java: 'java' };
console.error(`starting ClickHouse in ${dir}`);
const clickhouse = await startStackClickHouse(settings);
const url = `http://127.0.0.1:${httpPort}`;
const database = 'lookout_drift_scale';
try {
  await migrate({ target: { url }, database, eventsTtlDays: 3650 });
  const ch = createClickHouse({ url, database });
  const rows = (texts: string[], from: number, span: number) =>
    texts.map((input_text, i) => ({ event_id: randomUUID(), type: 'request', tenant, service: 'bench', ts: chTime(from + Math.floor((i / texts.length) * span)), received_at: chTime(Date.now()), input_text }));
  await ch.insert({ table: 'events', format: 'JSONEachRow', values: rows(baselineTexts, window.start - 14 * DAY, 14 * DAY) });
  await ch.insert({ table: 'events', format: 'JSONEachRow', values: rows(currentTexts, window.start, DAY) });
  await ch.close();
  console.error(`stored ${baselineTexts.length} baseline and ${currentTexts.length} current inputs (held-out intents: ${[...heldOut].join(', ')})`);

  const runs = [];
  for (const run of ['uncached', 'cached']) {
    console.error(`run ${run}`);
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', run, '--baseline', String(nBase), '--current', String(nCur)], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_CLICKHOUSE_URL: url, BENCH_DATABASE: database },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((res) => child.on('exit', res));
    if (code !== 0) throw new Error(`run ${run} exited with ${code}`);
    const r = JSON.parse(out.trim().split('\n').pop()!);
    console.error(`  ${JSON.stringify(r)}`);
    runs.push(r);
  }
  const result = {
    bench: 'drift-scale',
    data: 'Banking77 training split in seven phrasings (PolyAI, Casanueva et al. 2020, CC BY 4.0)',
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    settings: { baseline: nBase, current: nCur, injected: nNew, heldOutIntents: [...heldOut], model: `${DRIFT_MODEL.id} (q8)`, path: 'runTenantDrift (sample, embed through the cache, detect, KB coverage, store)' },
    runs,
    at: new Date().toISOString(),
  };
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'drift-scale.json'), JSON.stringify(result, null, 1) + '\n');
  console.log(JSON.stringify(result, null, 1));
} finally {
  await clickhouse.stop();
  rmSync(dir, { recursive: true, force: true });
}
