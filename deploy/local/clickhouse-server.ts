/** A ClickHouse server from chdb's libchdb.so, run by deploy/local/launcher.py. */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAUNCHER, libchdbPath } from './paths.ts';
import { stopProcess, waitReady, watchExit, type ManagedProcess } from './process.ts';

export interface ClickHouseServerOptions {
  dir: string;
  logFile: string;
  httpPort: number;
  tcpPort: number;
  python: string;
  readyTimeoutMs: number;
}

export async function startClickHouse(o: ClickHouseServerOptions): Promise<ManagedProcess> {
  const dataDir = join(o.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(dirname(o.logFile), { recursive: true });
  const logFd = openSync(o.logFile, 'a');
  const args = [
    LAUNCHER,
    'clickhouse',
    libchdbPath(),
    `--path=${dataDir}/`,
    `--http_port=${o.httpPort}`,
    `--tcp_port=${o.tcpPort}`,
    '--listen_host=127.0.0.1',
  ];
  // stdin stays a pipe we hold: the server lives until we close it (or die).
  const child = spawn(o.python, args, { stdio: ['pipe', logFd, logFd] });
  closeSync(logFd);
  const exited = watchExit(child);
  const ping = async () => {
    const res = await fetch(`http://127.0.0.1:${o.httpPort}/ping`, { signal: AbortSignal.timeout(1000) });
    return res.ok && (await res.text()).startsWith('Ok');
  };
  try {
    await waitReady({ name: `ClickHouse (127.0.0.1:${o.httpPort})`, check: ping, exited, timeoutMs: o.readyTimeoutMs, logFile: o.logFile });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    name: 'clickhouse',
    pid: child.pid!,
    exited,
    stop: (timeoutMs = 30_000) => stopProcess(child, exited, () => child.stdin?.end(), timeoutMs),
  };
}
