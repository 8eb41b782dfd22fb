/**
 * The local real stack: Kafka + ClickHouse on loopback, for `npm start`, tests and CI.
 *
 * `startStack` runs both servers as children of the calling process (tests use it directly).
 * `stackUp` starts a detached supervisor process (`lookout stack supervise`) that calls
 * `startStack` and holds the servers; `stackDown` asks it to stop. The servers die with the
 * supervisor even when it is SIGKILLed (see launcher.py), so nothing is ever left behind.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../common/config.ts';
import { startClickHouse } from './clickhouse-server.ts';
import { startKafka } from './kafka-server.ts';
import { CLI_ENTRY, REPO_ROOT } from './paths.ts';
import { pidAlive, portTaken, sleep, tail, type ManagedProcess } from './process.ts';

export interface StackSettings {
  dir: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  kafkaHeap: string;
  clickhouseHttpPort: number;
  clickhouseTcpPort: number;
  readyTimeoutMs: number;
  python: string;
  java: string;
}

export interface RunningStack {
  settings: StackSettings;
  kafka: ManagedProcess;
  clickhouse: ManagedProcess;
  /** Milliseconds from start to both servers answering. */
  startupMs: number;
  stop(): Promise<void>;
}

export interface StackState {
  supervisorPid: number;
  status: 'starting' | 'ready' | 'failed';
  error?: string;
  startupMs?: number;
  kafkaPid?: number;
  clickhousePid?: number;
  settings: StackSettings;
}

export function stackSettings(config: Config): StackSettings {
  return { ...config.stack };
}

export const logFiles = (dir: string) => ({
  kafka: join(dir, 'logs', 'kafka.log'),
  clickhouse: join(dir, 'logs', 'clickhouse.log'),
  supervisor: join(dir, 'logs', 'supervisor.log'),
});

const stateFile = (dir: string) => join(dir, 'state.json');

function portsOf(s: StackSettings): [string, number][] {
  return [
    ['LOOKOUT_KAFKA_PORT', s.kafkaPort],
    ['LOOKOUT_KAFKA_CONTROLLER_PORT', s.kafkaControllerPort],
    ['LOOKOUT_CLICKHOUSE_HTTP_PORT', s.clickhouseHttpPort],
    ['LOOKOUT_CLICKHOUSE_TCP_PORT', s.clickhouseTcpPort],
  ];
}

/** Throws naming the first port that something else already listens on. */
export async function assertPortsFree(s: StackSettings): Promise<void> {
  for (const [key, port] of portsOf(s)) {
    if (await portTaken(port)) {
      throw new Error(`port ${port} (${key}) on 127.0.0.1 is already in use by another program; stop it or choose another port with ${key}=...`);
    }
  }
}

/** Starts (or restarts, after a stop) the stack's Kafka broker on its ports and data folder. */
export function startStackKafka(s: StackSettings): Promise<ManagedProcess> {
  return startKafka({
    dir: join(s.dir, 'kafka'),
    logFile: logFiles(s.dir).kafka,
    port: s.kafkaPort,
    controllerPort: s.kafkaControllerPort,
    heap: s.kafkaHeap,
    java: s.java,
    python: s.python,
    readyTimeoutMs: s.readyTimeoutMs,
  });
}

/** Starts (or restarts) the stack's ClickHouse server on its ports and data folder. */
export function startStackClickHouse(s: StackSettings): Promise<ManagedProcess> {
  return startClickHouse({
    dir: join(s.dir, 'clickhouse'),
    logFile: logFiles(s.dir).clickhouse,
    httpPort: s.clickhouseHttpPort,
    tcpPort: s.clickhouseTcpPort,
    python: s.python,
    readyTimeoutMs: s.readyTimeoutMs,
  });
}

/** Starts Kafka and ClickHouse (in parallel) as children of this process. */
export async function startStack(s: StackSettings): Promise<RunningStack> {
  await assertPortsFree(s);
  const t0 = Date.now();
  const [kafka, clickhouse] = await Promise.allSettled([
    startStackKafka(s),
    startStackClickHouse(s),
  ]);
  if (kafka.status === 'rejected' || clickhouse.status === 'rejected') {
    if (kafka.status === 'fulfilled') await kafka.value.stop();
    if (clickhouse.status === 'fulfilled') await clickhouse.value.stop();
    const reasons = [kafka, clickhouse].filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason?.message ?? r));
    throw new Error(reasons.join('\n\n'));
  }
  return {
    settings: s,
    kafka: kafka.value,
    clickhouse: clickhouse.value,
    startupMs: Date.now() - t0,
    stop: async () => {
      await Promise.all([kafka.value.stop(), clickhouse.value.stop()]);
    },
  };
}

export function readState(dir: string): StackState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

function writeState(state: StackState): void {
  mkdirSync(state.settings.dir, { recursive: true });
  writeFileSync(stateFile(state.settings.dir), JSON.stringify(state, null, 2));
}

/** The supervisor's state if its process is alive; stale files are removed. */
export function liveState(dir: string): StackState | undefined {
  const state = readState(dir);
  if (!state) return undefined;
  if (pidAlive(state.supervisorPid)) return state;
  rmSync(stateFile(dir), { force: true });
  return undefined;
}

/** Body of `lookout stack supervise`: start, publish state, hold until told to stop. */
export async function supervise(s: StackSettings): Promise<void> {
  const base = { supervisorPid: process.pid, settings: s };
  writeState({ ...base, status: 'starting' });
  let stack: RunningStack;
  try {
    stack = await startStack(s);
  } catch (err) {
    writeState({ ...base, status: 'failed', error: (err as Error).message });
    process.exitCode = 1;
    return;
  }
  writeState({ ...base, status: 'ready', startupMs: stack.startupMs, kafkaPid: stack.kafka.pid, clickhousePid: stack.clickhouse.pid });
  console.log(`stack ready in ${stack.startupMs} ms`);
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`stopping stack (${why})`);
    await stack.stop();
    rmSync(stateFile(s.dir), { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // A server dying on its own takes the stack down so `status` never lies.
  void stack.kafka.exited.then((c) => stop(`kafka exited (${c})`));
  void stack.clickhouse.exited.then((c) => stop(`clickhouse exited (${c})`));
}

export type UpResult = { alreadyRunning: boolean; state: StackState };

/** Starts the detached supervisor unless one already runs; waits until the stack is ready. */
export async function stackUp(s: StackSettings, env: NodeJS.ProcessEnv = process.env): Promise<UpResult> {
  const existing = liveState(s.dir);
  if (existing?.status === 'ready') return { alreadyRunning: true, state: existing };
  if (existing) throw new Error(`a stack supervisor (pid ${existing.supervisorPid}) is still ${existing.status}; run \`lookout stack down\` first`);
  await assertPortsFree(s);
  const logs = logFiles(s.dir);
  mkdirSync(join(s.dir, 'logs'), { recursive: true });
  const out = openSync(logs.supervisor, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'stack', 'supervise'], {
    cwd: REPO_ROOT,
    env: { ...env, LOOKOUT_STACK_DIR: s.dir },
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  const deadline = Date.now() + s.readyTimeoutMs * 2 + 10_000;
  while (Date.now() < deadline) {
    await sleep(200);
    const state = readState(s.dir);
    if (state && state.supervisorPid === child.pid) {
      if (state.status === 'ready') return { alreadyRunning: false, state };
      if (state.status === 'failed') throw new Error(`the local stack failed to start:\n${state.error}`);
    }
    if (!pidAlive(child.pid!)) {
      throw new Error(`the stack supervisor exited early. Last lines of ${logs.supervisor}:\n${tail(logs.supervisor)}`);
    }
  }
  throw new Error(`the local stack did not become ready in time; see \`lookout stack logs\``);
}

/** Stops the supervisor (and so both servers); returns false when nothing was running. */
export async function stackDown(s: StackSettings, timeoutMs = 60_000): Promise<boolean> {
  const state = liveState(s.dir);
  if (!state) return false;
  process.kill(state.supervisorPid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  const pids = [state.supervisorPid, state.kafkaPid, state.clickhousePid].filter((p): p is number => !!p);
  while (Date.now() < deadline && pids.some(pidAlive)) await sleep(200);
  for (const pid of pids.filter(pidAlive)) process.kill(pid, 'SIGKILL');
  rmSync(stateFile(s.dir), { force: true });
  return true;
}

export function stackLogs(dir: string, which: 'kafka' | 'clickhouse' | 'supervisor', lines: number): string {
  const file = logFiles(dir)[which];
  return existsSync(file) ? `==> ${file} <==\n${tail(file, lines)}` : `==> ${file} <== (no log yet)`;
}
