/** Child-process plumbing shared by the local servers: readiness waits, log tails, stopping. */
import { type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ManagedProcess {
  name: string;
  pid: number;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  stop(timeoutMs?: number): Promise<void>;
}

export function watchExit(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log yet)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Polls `check` until it returns true. Fails early if the process exits, and after the timeout
 * with a message that names the server, the timeout and where its log is.
 */
export async function waitReady(opts: {
  name: string;
  check: () => Promise<boolean>;
  exited: Promise<number | string>;
  timeoutMs: number;
  logFile: string;
}): Promise<void> {
  let exitedWith: number | string | undefined;
  void opts.exited.then((c) => (exitedWith = c));
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new Error(`${opts.name} exited (${exitedWith}) while starting. Last lines of ${opts.logFile}:\n${tail(opts.logFile)}`);
    }
    if (await opts.check().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(
    `${opts.name} did not become ready within ${opts.timeoutMs} ms (raise LOOKOUT_STACK_READY_TIMEOUT_MS if this machine is slow). ` +
      `Last lines of ${opts.logFile}:\n${tail(opts.logFile)}`,
  );
}

/** True when something already listens on 127.0.0.1:port (we try to bind it ourselves). */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(true));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(false)));
  });
}

/** A free loopback port chosen by the kernel, for test stacks. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1' }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Asks politely (the given action), then SIGKILL after the timeout. */
export async function stopProcess(
  child: ChildProcess,
  exited: Promise<number | string>,
  polite: () => void,
  timeoutMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  polite();
  const timer = sleep(timeoutMs).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
