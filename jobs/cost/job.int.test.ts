/**
 * The cost job on data seeded into the real ClickHouse (rows into `events`; `events_hourly` fills
 * itself): each alert kind fires on the tenant built to trigger it and stays quiet on the normal
 * ones, messages reach a fake Slack, a re-run of the window is a no-op, and the next quiet hour
 * resolves what cleared.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { migratedDatabase, testConfig } from '../../test/env.ts';
import { chTime } from '../../common/clickhouse.ts';
import { startFakeSlack } from '../alerts/testing/slack-server.ts';
import type { JobWindow } from '../scheduler/job.ts';
import { JobRegistry } from '../scheduler/registry.ts';
import { jobsEnvironment } from '../scheduler/scheduler.ts';
import { costJob } from './job.ts';
import { normal, rng } from './testing/seeded.ts';

const H = 3_600_000;
const DAY = 24 * H;
const WEEK = 7 * DAY;

const slack = await startFakeSlack();
const hook = '/services/T2/B2/cost-oncall';
slack.script(hook, [{ status: 200, body: 'ok' }]);
const config = testConfig({
  LOOKOUT_ALERT_CHANNELS: JSON.stringify([{ name: 'oncall', type: 'slack', url: `${slack.base}${hook}` }]),
  LOOKOUT_ALERT_ROUTES: JSON.stringify([{ channels: ['oncall'], min_severity: 'info' }]),
  LOOKOUT_COST_BUDGETS: JSON.stringify([
    { tenant: 'overspent', period: 'daily', limit_usd: 100 },
    { tenant: 'frugal', feature: 'chat', period: 'daily', limit_usd: 100 },
  ]),
  LOOKOUT_COST_DASHBOARD_URL: 'https://grafana.example.com/d/cost',
});
const ch = await migratedDatabase(config);
const db = config.clickhouse.database;
after(async () => {
  slack.close();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
});

// A recent complete hour whose next hour is on the same UTC day (events have a 90-day TTL).
let start = Math.floor(Date.now() / H) * H - 2 * H;
if (new Date(start + H).getUTCHours() === 0) start -= 2 * H;
const W: JobWindow = { start, end: start + H };
const W2: JobWindow = { start: W.end, end: W.end + H };

const rows: Record<string, unknown>[] = [];
const r = rng(20261102);
function response(tenant: string, service: string, ts: number, tokens: number, cost: number, conversation: string = randomUUID()): void {
  const input = Math.round(tokens * 0.8);
  rows.push({
    event_id: randomUUID(), schema_version: 1, type: 'response', ts: chTime(ts), received_at: chTime(ts), tenant, service,
    environment: 'production', conversation_id: conversation, model: 'gpt-4o-mini', provider: 'openai',
    input_tokens: input, output_tokens: tokens - input, cost_usd: cost, status: 'ok',
  });
}
/** About 70 responses in the hour at ~1,800 tokens and ~$0.05 each, with per-hour and per-event noise. */
function normalHour(tenant: string, hour: number, scale: { cost?: number; tokens?: number } = {}): void {
  const n = Math.round(70 + 8 * normal(r));
  const hourly = Math.exp(0.08 * normal(r));
  for (let i = 0; i < n; i++) {
    const tokens = Math.round(1800 * hourly * Math.exp(0.1 * normal(r)) * (scale.tokens ?? 1));
    response(tenant, 'chat', hour + Math.floor(r() * H), tokens, 0.05 * (tokens / 1800) * Math.exp(0.05 * normal(r)) * (scale.cost ?? 1));
  }
}
// Anomalies: the same hour of week ±1 h over the previous 4 weeks, then the window's hour.
for (const tenant of ['steady', 'spiky', 'verbose']) {
  for (let w = 1; w <= 4; w++) for (let k = -1; k <= 1; k++) normalHour(tenant, W.start - w * WEEK + k * H);
}
normalHour('steady', W.start);
normalHour('spiky', W.start, { cost: 6 }); // e.g. traffic moved to a 6x pricier model
normalHour('verbose', W.start, { tokens: 5 }); // prompts grew fivefold (cost follows tokens)
// Runaways: 60 ordinary conversations a tenant over the previous days, then the window.
function conversation(tenant: string, at: number, turns: number, tokensPerTurn: number, id: string = randomUUID()): void {
  for (let t = 0; t < turns; t++) response(tenant, 'agent', at + t * 20_000, tokensPerTurn, tokensPerTurn * 3e-6, id);
}
for (const tenant of ['agents', 'calm']) {
  for (let i = 0; i < 60; i++) conversation(tenant, W.start - (1 + Math.floor(r() * 5)) * DAY - Math.floor(r() * 20) * H, 3 + Math.floor(r() * 6), Math.round(1500 * Math.exp(0.3 * normal(r))));
  for (let i = 0; i < 10; i++) conversation(tenant, W.start + i * 60_000, 3 + Math.floor(r() * 6), 1500);
}
conversation('agents', W.start + 5 * 60_000, 80, 5000, 'conv-loop'); // 80 turns, 400,000 tokens
// Budgets: $90 of a $100 daily budget (crosses 80 %), and $1 of one.
for (let i = 0; i < 30; i++) response('overspent', 'chat', W.start + i * 60_000, 1000, 3);
for (let i = 0; i < 10; i++) response('frugal', 'chat', W.start + i * 60_000, 1000, 0.1);

const seeded = Date.now();
await ch.insert({ table: `${db}.events`, format: 'JSONEachRow', values: rows });
const seedMs = Date.now() - seeded;

const clock = { t: W.end + 5 * 60_000 };
const env = jobsEnvironment(config, pino({ level: 'silent' }), { registry: new JobRegistry().register(costJob), now: () => clock.t });
after(() => env.close());

interface Stored { tenant: string; kind: string; subject: string; severity: string; state: string; summary: string }
async function alerts(): Promise<Stored[]> {
  const rs = await ch.query({ query: `SELECT tenant, kind, subject, severity, state, summary FROM ${db}.alerts ORDER BY created_at, tenant, subject`, format: 'JSONEachRow' });
  return rs.json();
}
const headers = () => slack.bodiesFor(hook).map((b) => (b as { text: string }).text);

test('each cost alert kind fires on its seeded tenant and stays quiet on the normal ones', async () => {
  const t0 = Date.now();
  const out = await env.runner.run(costJob, W, { trigger: 'schedule' });
  const runMs = Date.now() - t0;
  console.log(`seeded ${rows.length} events in ${seedMs} ms; cost job run ${runMs} ms`);
  assert.equal(out.status, 'succeeded', JSON.stringify(out));
  const fired = (await alerts()).filter((a) => a.state === 'fired');
  assert.deepEqual(fired.map((a) => `${a.kind} ${a.tenant} ${a.subject}`).sort(), [
    'cost_anomaly spiky spend:chat',
    'cost_anomaly verbose spend:chat',
    'cost_anomaly verbose tokens_per_request:chat',
    `cost_budget overspent daily:${new Date(W.start).toISOString().slice(0, 10)}:*`,
    'runaway_conversation agents runaway:agent',
  ]);
  const by = (tenant: string, subject: string) => fired.find((a) => a.tenant === tenant && a.subject.startsWith(subject))!;
  assert.match(by('spiky', 'spend').summary, /^Spend for spiky \/ chat was \$[\d.]+ in the hour from .* UTC, [\d.]+x the usual \$[\d.]+ \(median of the same hour ±1 h over the previous 4 weeks, 12 points; robust z/);
  assert.match(by('verbose', 'tokens_per_request').summary, /^Tokens per request for verbose \/ chat was [\d,]+ tokens .* [4-6](\.\d)?x the usual 1,[\d]{3} tokens/);
  assert.match(by('overspent', 'daily').summary, /^overspent has spent \$90(\.00)? of its \$100(\.00)? daily budget \(90%\)/);
  assert.equal(by('overspent', 'daily').severity, 'warning');
  assert.match(by('agents', 'runaway').summary, /the largest used 400,000 tokens in 80 turns/);
  assert.ok(out.status === 'succeeded' && (out.stats.conversations as number) >= 21);

  const sent = headers();
  assert.equal(sent.length, 5);
  assert.ok(sent.some((h) => h.startsWith(':large_orange_circle: WARNING: overspent: 90% of the daily budget used')), sent.join('\n'));
  const runaway = slack.bodiesFor(hook).find((b) => JSON.stringify(b).includes('conv-loop')) as { blocks: { type: string; elements?: { url?: string }[] }[] };
  assert.ok(runaway);
  assert.equal(runaway.blocks.at(-1)!.elements![0]!.url, 'https://grafana.example.com/d/cost?var-tenant=agents&var-service=agent');
});

test('re-running the window is a no-op; the next quiet hour resolves what cleared', async () => {
  assert.deepEqual(await env.runner.run(costJob, W, { trigger: 'catch-up' }), { status: 'skipped', reason: 'done', window: W });
  assert.equal(headers().length, 5);

  clock.t = W2.end + 5 * 60_000;
  const out = await env.runner.run(costJob, W2, { trigger: 'schedule' });
  assert.equal(out.status, 'succeeded');
  const latest = (await alerts()).filter((a) => a.state !== 'fired');
  assert.deepEqual(latest.map((a) => `${a.state} ${a.tenant} ${a.subject.split(':')[0]}`).sort(), [
    'resolved agents runaway',
    'resolved spiky spend',
    'resolved verbose spend',
    'resolved verbose tokens_per_request',
    'suppressed overspent daily',
  ]);
  const resolved = headers().slice(5);
  assert.equal(resolved.length, 4);
  assert.ok(resolved.every((h) => h.startsWith(':white_check_mark: RESOLVED: ')));
});

test('a backfill of a past quiet window fires nothing and resolves nothing', async () => {
  const before = (await alerts()).length;
  const past = { start: W.start - 2 * DAY, end: W.start - 2 * DAY + H };
  const out = await env.runner.run(costJob, past, { trigger: 'manual' });
  assert.equal(out.status, 'succeeded');
  // Without resolve, the budget alert still firing now is left alone by the old, quiet window.
  const added = (await alerts()).slice(before);
  assert.deepEqual(added.map((a) => a.state), []);
});
