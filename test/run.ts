/**
 * `npm test`: runs every unit test, and every integration test against a real Kafka + ClickHouse
 * started once for the run on free loopback ports with temporary data directories (so it never
 * touches a developer's running stack). The stack is stopped even when tests fail or the run is
 * interrupted; if this process is killed outright the servers die with it (deploy/local/launcher.py).
 *
 *   npm test                      everything
 *   npm test -- --unit            unit tests only (no stack)
 *   npm test -- --only ingest/    only files whose path contains "ingest/"
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../deploy/local/paths.ts';
import { freePort } from '../deploy/local/process.ts';
import { startStack, startStackClickHouse, startStackKafka, type RunningStack, type StackSettings } from '../deploy/local/stack.ts';

const SEARCH = ['common', 'cli', 'schemas', 'ingest', 'processors', 'jobs', 'dashboards', 'deploy', 'bench', 'test'];

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;

const files = SEARCH.flatMap((d) => {
  try {
    return findTests(join(REPO_ROOT, d));
  } catch {
    return [];
  }
})
  .map((f) => relative(REPO_ROOT, f))
  .filter((f) => !only || f.includes(only))
  .filter((f) => !unitOnly || !f.endsWith('.int.test.ts'))
  .sort((a, b) => Number(a.endsWith('.int.test.ts')) - Number(b.endsWith('.int.test.ts')) || a.localeCompare(b));

if (files.length === 0) {
  console.error(`no test files matched${only ? ` "${only}"` : ''}`);
  process.exit(1);
}

const needsStack = files.some((f) => f.endsWith('.int.test.ts'));
let stack: RunningStack | undefined;
let stackDir: string | undefined;
const env: NodeJS.ProcessEnv = { ...process.env, LOOKOUT_LOG_LEVEL: process.env.LOOKOUT_LOG_LEVEL ?? 'warn' };

/**
 * Integration tests that must stop and restart a server (broker outage, ClickHouse outage) ask
 * this runner, which owns the processes, over a loopback control endpoint (test/stack-control.ts).
 */
async function startControl(settings: StackSettings): Promise<string> {
  const restart = { kafka: () => startStackKafka(settings), clickhouse: () => startStackClickHouse(settings) };
  const server = createServer(async (req, res) => {
    const m = /^\/(kafka|clickhouse)\/(stop|start)$/.exec(req.url ?? '');
    if (!m || req.method !== 'POST' || !stack) {
      res.writeHead(404).end();
      return;
    }
    const which = m[1] as 'kafka' | 'clickhouse';
    try {
      if (m[2] === 'stop') await stack[which].stop();
      else stack[which] = await restart[which]();
      res.writeHead(200).end('ok');
    } catch (err) {
      res.writeHead(500).end((err as Error).message);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  const addr = server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

async function stopStack(): Promise<void> {
  const s = stack;
  stack = undefined;
  if (s) await s.stop().catch((err) => console.error(`stopping the test stack: ${(err as Error).message}`));
  if (stackDir && !process.env.LOOKOUT_TEST_KEEP) rmSync(stackDir, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    void stopStack().then(() => process.exit(130));
  });
}

let code = 1;
try {
  if (needsStack) {
    stackDir = mkdtempSync(join(tmpdir(), 'lookout-test-'));
    const settings: StackSettings = {
      dir: stackDir,
      kafkaPort: await freePort(),
      kafkaControllerPort: await freePort(),
      kafkaHeap: '512m',
      clickhouseHttpPort: await freePort(),
      clickhouseTcpPort: await freePort(),
      readyTimeoutMs: 90_000,
      python: process.env.LOOKOUT_PYTHON ?? 'python3',
      java: process.env.LOOKOUT_JAVA ?? 'java',
    };
    console.log(`test stack: starting Kafka :${settings.kafkaPort} and ClickHouse :${settings.clickhouseHttpPort} in ${stackDir}`);
    stack = await startStack(settings);
    console.log(`test stack: ready in ${stack.startupMs} ms`);
    Object.assign(env, {
      LOOKOUT_TEST_KAFKA_BROKERS: `127.0.0.1:${settings.kafkaPort}`,
      LOOKOUT_TEST_CLICKHOUSE_URL: `http://127.0.0.1:${settings.clickhouseHttpPort}`,
      LOOKOUT_TEST_CLICKHOUSE_TCP_PORT: String(settings.clickhouseTcpPort),
      LOOKOUT_TEST_STACK_DIR: stackDir,
      LOOKOUT_TEST_CONTROL_URL: await startControl(settings),
    });
  }
  const t0 = Date.now();
  // One file at a time: integration tests share the stack, and the machine has 2 cores.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', '--test-reporter=spec', ...files],
    { cwd: REPO_ROOT, env, stdio: 'inherit' },
  );
  code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  console.log(`test files: ${files.length}, wall time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`test run failed before the tests ran: ${(err as Error).message}`);
  code = 1;
} finally {
  await stopStack();
}
process.exit(code);
