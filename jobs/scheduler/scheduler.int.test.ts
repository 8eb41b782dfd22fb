/** The scheduler and runner against the real ClickHouse: job_runs, re-runs, overlap guards, failures. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { migratedDatabase, testConfig } from '../../test/env.ts';
import { chTime } from '../../common/clickhouse.ts';
import type { JobDefinition, JobWindow } from './job.ts';
import { JobRegistry } from './registry.ts';
import { jobsEnvironment, startScheduler } from './scheduler.ts';
import { lastHour } from './windows.ts';

const config = testConfig();
const ch = await migratedDatabase(config);
const db = config.clickhouse.database;
const log = pino({ level: 'silent' });
after(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
});

const W: JobWindow = { start: Date.parse('2026-11-02T09:00Z'), end: Date.parse('2026-11-02T10:00Z') };
const next = (w: JobWindow, n = 1): JobWindow => ({ start: w.start + n * 3_600_000, end: w.end + n * 3_600_000 });

function job(name: string, run: JobDefinition['run'], schedule = '5 * * * *', window: JobDefinition['window'] = lastHour): JobDefinition {
  return { name, description: name, schedule, window, run };
}

async function runsOf(name: string): Promise<{ ws: string; status: string; error: string; stats: string }[]> {
  const rs = await ch.query({
    query: `SELECT toString(window_start) AS ws, status, error, stats FROM ${db}.job_runs FINAL WHERE job = {job:String} ORDER BY window_start, started_at`,
    query_params: { job: name },
    format: 'JSONEachRow',
  });
  return rs.json();
}

test('a window runs once: a re-run is skipped, --force runs it again, the stats are stored', async () => {
  let calls = 0;
  const def = job('once', async (ctx) => ({ calls: ++calls, token: ctx.dedupToken, current: ctx.current }));
  const env = jobsEnvironment(config, log, { registry: new JobRegistry().register(def) });
  const r1 = await env.runner.run(def, W, { trigger: 'manual' });
  assert.equal(r1.status, 'succeeded');
  assert.deepEqual(r1.status === 'succeeded' && r1.stats, { calls: 1, token: `once/${W.start}-${W.end}`, current: false });
  assert.deepEqual(await env.runner.run(def, W, { trigger: 'schedule' }), { status: 'skipped', reason: 'done', window: W });
  assert.equal(calls, 1);
  assert.equal((await env.runner.run(def, W, { trigger: 'manual', force: true })).status, 'succeeded');
  assert.equal((await env.runner.run(def, next(W), { trigger: 'manual' })).status, 'succeeded');
  const rows = await runsOf('once');
  assert.deepEqual(rows.map((r) => [r.ws, r.status]), [['2026-11-02 09:00:00.000', 'succeeded'], ['2026-11-02 09:00:00.000', 'succeeded'], ['2026-11-02 10:00:00.000', 'succeeded']]);
  assert.deepEqual(JSON.parse(rows[0]!.stats), { calls: 1, token: `once/${W.start}-${W.end}`, current: false });
  await env.close();
});

test('overlapping runs are prevented in-process and across replicas; a crashed run stops blocking', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let running = 0;
  let maxRunning = 0;
  const def = job('slow', async () => {
    maxRunning = Math.max(maxRunning, ++running);
    await gate;
    running--;
  });
  const opts = { registry: new JobRegistry().register(def), heartbeatMs: 100, staleMs: 1_000 };
  const a = jobsEnvironment(config, log, opts);
  const b = jobsEnvironment(config, log, opts);
  const first = a.runner.run(def, W, { trigger: 'schedule' });
  while (running === 0) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(await a.runner.run(def, next(W), { trigger: 'schedule' }), { status: 'skipped', reason: 'busy', window: next(W) });
  // Another process sees the fresh `running` row, even after several heartbeat periods.
  await new Promise((r) => setTimeout(r, 350));
  assert.deepEqual(await b.runner.run(def, next(W), { trigger: 'schedule' }), { status: 'skipped', reason: 'busy', window: next(W) });
  release();
  assert.equal((await first).status, 'succeeded');
  assert.equal((await b.runner.run(def, next(W), { trigger: 'schedule' })).status, 'succeeded');
  assert.equal(maxRunning, 1);

  // Two replicas racing for the same fresh window: never both run.
  for (let i = 2; i < 7; i++) {
    const outcomes = await Promise.all([a.runner.run(def, next(W, i), { trigger: 'schedule' }), b.runner.run(def, next(W, i), { trigger: 'schedule' })]);
    assert.ok(outcomes.filter((o) => o.status === 'succeeded').length <= 1, JSON.stringify(outcomes));
  }
  assert.equal(maxRunning, 1);

  // A process that died mid-run leaves a `running` row without heartbeats: it blocks only until stale.
  const crashed = next(W, 10);
  await ch.insert({
    table: `${db}.job_runs`,
    format: 'JSONEachRow',
    values: [{ job: 'slow', window_start: chTime(crashed.start), window_end: chTime(crashed.end), run_id: '00000000-0000-4000-8000-000000000001', status: 'running', started_at: chTime(Date.now() - 5_000), finished_at: null, updated_at: chTime(Date.now() - 5_000), host: 'dead:1', error: '', stats: '' }],
  });
  assert.equal((await a.runner.run(def, crashed, { trigger: 'catch-up' })).status, 'succeeded');
  await Promise.all([a.close(), b.close()]);
});

test('the scheduler runs jobs on their cron in its time zone; a failing job is logged, counted and does not stop the others', async () => {
  const perSecond = (now: number): JobWindow => {
    const end = Math.floor(now / 1000) * 1000;
    return { start: end - 1000, end };
  };
  let ticks = 0;
  const registry = new JobRegistry()
    .register(job('tick', async () => ({ tick: ++ticks }), '* * * * * *', perSecond))
    .register(job('boom', async () => { throw new Error('upstream exploded'); }, '* * * * * *', perSecond))
    .register(job('never', async () => assert.fail('disabled job ran'), '* * * * * *', perSecond));
  const lines: string[] = [];
  const capture = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const scheduler = await startScheduler(testConfig({ CLICKHOUSE_DATABASE: db, LOOKOUT_JOBS_TIMEZONE: 'Europe/Paris', LOOKOUT_JOBS_SCHEDULES: '{"never":"off"}' }), capture, { registry, catchUp: false, metricsPort: 0 });
  assert.deepEqual(scheduler.jobs.map((j) => `${j.job.name}@${j.schedule}`), ['tick@* * * * * *', 'boom@* * * * * *', 'never@off']);
  const t0 = Date.now();
  while ((await runsOf('tick')).filter((r) => r.status === 'succeeded').length < 2 && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 100));
  const metrics = await (await fetch(`http://127.0.0.1:${scheduler.metricsPort}/metrics`)).text();
  await scheduler.stop();

  assert.ok(ticks >= 2, `tick ran ${ticks} times`);
  const boom = await runsOf('boom');
  assert.ok(boom.length >= 1 && boom.every((r) => r.status === 'failed' && r.error === 'upstream exploded'), JSON.stringify(boom));
  assert.deepEqual(await runsOf('never'), []);
  assert.match(metrics, /lookout_job_runs_total\{job="boom",outcome="failed"\} [1-9]/);
  assert.match(metrics, /lookout_job_runs_total\{job="tick",outcome="succeeded"\} [1-9]/);
  assert.match(metrics, /lookout_job_last_success_timestamp_seconds\{job="tick"\} \d/);
  assert.ok(lines.some((l) => l.includes('"job":"boom"') && l.includes('job run failed') && l.includes('upstream exploded')));
});

test('invalid schedules and unknown jobs in jobs.schedules stop start-up naming the key', async () => {
  const registry = new JobRegistry().register(job('tick', async () => undefined));
  await assert.rejects(startScheduler(testConfig({ CLICKHOUSE_DATABASE: db, LOOKOUT_JOBS_SCHEDULES: '{"tock":"off"}' }), log, { registry, catchUp: false, metricsPort: 0 }), /jobs.schedules: unknown job "tock"/);
  await assert.rejects(startScheduler(testConfig({ CLICKHOUSE_DATABASE: db, LOOKOUT_JOBS_SCHEDULES: '{"tick":"every hour"}' }), log, { registry, catchUp: false, metricsPort: 0 }), /jobs.schedules.tick: expected a cron expression/);
});
