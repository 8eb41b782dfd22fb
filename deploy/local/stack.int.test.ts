import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, pidAlive } from './process.ts';
import { readState } from './stack.ts';

/**
 * The `lookout stack` commands end to end, on their own ports and directory (a second stack
 * beside the one the test run uses).
 */
test('stack up is idempotent, status tells, a taken port is named, down leaves nothing behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-stack-cli-'));
  const env = {
    ...process.env,
    LOOKOUT_STACK_DIR: dir,
    LOOKOUT_KAFKA_PORT: String(await freePort()),
    LOOKOUT_KAFKA_CONTROLLER_PORT: String(await freePort()),
    LOOKOUT_CLICKHOUSE_HTTP_PORT: String(await freePort()),
    LOOKOUT_CLICKHOUSE_TCP_PORT: String(await freePort()),
  };
  const lookout = (...args: string[]) => spawnSync(process.execPath, ['cli/lookout.mjs', ...args], { env, encoding: 'utf8', timeout: 180_000 });
  try {
    const up = lookout('stack', 'up');
    assert.equal(up.status, 0, up.stderr + up.stdout);
    assert.match(up.stdout, /local stack up in [\d.]+ s/);
    assert.match(up.stdout, new RegExp(`127\\.0\\.0\\.1:${env.LOOKOUT_KAFKA_PORT}`));

    const again = lookout('stack', 'up');
    assert.equal(again.status, 0);
    assert.match(again.stdout, /already running/);

    const status = lookout('stack', 'status');
    assert.equal(status.status, 0);
    assert.match(status.stdout, /local stack: ready/);

    const migrate = lookout('migrate');
    assert.equal(migrate.status, 0, migrate.stderr);
    assert.match(migrate.stdout, /migrations: \d+ applied, 0 already applied/);

    const logs = lookout('stack', 'logs', 'kafka', '-n', '5');
    assert.equal(logs.status, 0);
    assert.match(logs.stdout, /kafka\.log/);

    const state = readState(dir)!;
    const pids = [state.supervisorPid, state.kafkaPid!, state.clickhousePid!];
    assert.ok(pids.every(pidAlive));

    const down = lookout('stack', 'down');
    assert.equal(down.status, 0, down.stderr);
    assert.match(down.stdout, /local stack stopped/);
    assert.deepEqual(pids.filter(pidAlive), [], 'processes left behind after stack down');
    assert.equal(lookout('stack', 'status').status, 3);

    // Something else on one of our ports: a clear error naming it.
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(Number(env.LOOKOUT_CLICKHOUSE_HTTP_PORT), '127.0.0.1', r));
    const blocked = lookout('stack', 'up');
    blocker.close();
    assert.equal(blocked.status, 1);
    assert.match(blocked.stderr, new RegExp(`port ${env.LOOKOUT_CLICKHOUSE_HTTP_PORT} \\(LOOKOUT_CLICKHOUSE_HTTP_PORT\\).*already in use`));
  } finally {
    lookout('stack', 'down');
    rmSync(dir, { recursive: true, force: true });
  }
});
