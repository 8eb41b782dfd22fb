/** The ClickHouse AlertStore against the real server, and the whole lifecycle through it to a fake Slack. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { migratedDatabase, testConfig } from '../../test/env.ts';
import { ClickHouseAlertStore } from './clickhouse-store.ts';
import { slackMessage } from './messages.ts';
import { toAlert, type AlertDraftInput, type Severity } from './model.ts';
import { AlertOptions } from './options.ts';
import { processAlerts, type AlertRunDeps } from './run.ts';
import type { AlertScope, AlertState } from './store.ts';
import { startFakeSlack } from './testing/slack-server.ts';

const config = testConfig();
const ch = await migratedDatabase(config);
const db = config.clickhouse.database;
const slack = await startFakeSlack();
after(async () => {
  slack.close();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
});

const H = 3_600_000;
const T0 = Date.parse('2026-11-02T10:00:00Z');
const scope: AlertScope = { kinds: ['cost_budget', 'cost_anomaly', 'runaway_conversation'] };
const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
const fast = { max_attempts: 2, base_delay_ms: 5, max_delay_ms: 20, max_retry_after_ms: 2_000 };
const SECRET = 'sEcReT9';
const hook = (name: string) => `/services/T1/B1/${name}-${SECRET}`;

const draft = (severity: Severity, subject: string, tenant = 'acme'): AlertDraftInput => ({
  kind: 'cost_anomaly',
  severity,
  tenant,
  subject,
  title: `Spend anomaly ${subject}`,
  summary: `Spend for ${subject} was $41.60 in the hour, 5.2x the usual $8.00.`,
  measure: { metric: 'spend per hour (USD)', value: 41.6, baseline: 8, change_pct: 420, window_start: T0 - H, window_end: T0 },
  facts: [
    { label: 'Spend', value: '$41.60' },
    { label: 'Usual (median)', value: '$8.00' },
  ],
  examples: ['conv-1: 412 turns'],
  links: [{ label: 'Grafana', url: 'https://grafana.example.com/d/cost?var-tenant=acme' }],
});

test('rows round-trip exactly: latest, firing by scope, list with filters', async () => {
  const store = new ClickHouseAlertStore(ch, db);
  const base = toAlert(draft('warning', 'rt:a', 'rt'));
  const global = toAlert({ kind: 'pipeline_health', severity: 'critical', tenant: '*', subject: 'rt:lag', title: 'Lag', summary: 'Consumer lag 1,200,000.' });
  const rows: AlertState[] = [
    { ...base, status: 'firing', event: 'fired', at: T0, first_fired_at: T0, last_notified_at: T0, notified_severity: 'warning' },
    { ...base, severity: 'critical', status: 'firing', event: 'escalated', at: T0 + H, first_fired_at: T0, last_notified_at: T0 + H, notified_severity: 'critical' },
    { ...global, status: 'firing', event: 'fired', at: T0 + 2 * H, first_fired_at: T0 + 2 * H, last_notified_at: T0 + 2 * H, notified_severity: 'critical' },
  ];
  await store.append(rows);
  const latest = await store.latest([base.fingerprint, global.fingerprint, 'nope']);
  assert.deepEqual(latest.get(base.fingerprint), rows[1]);
  assert.deepEqual(latest.get(global.fingerprint), rows[2]);
  assert.equal(latest.size, 2);

  assert.deepEqual((await store.firing({ kinds: ['cost_anomaly'], tenants: ['rt'] })).map((r) => r.event), ['escalated']);
  assert.deepEqual(await store.firing({ kinds: ['cost_anomaly'], tenants: ['other'] }), []);
  assert.deepEqual((await store.firing({ kinds: ['pipeline_health'], tenants: ['*'] })).map((r) => r.tenant), ['*']);

  await store.append([{ ...rows[1]!, status: 'resolved', event: 'resolved', at: T0 + 3 * H }]);
  assert.deepEqual(await store.firing({ kinds: ['cost_anomaly'], tenants: ['rt'] }), []);
  const listed = await store.list({ tenant: 'rt' });
  assert.deepEqual(listed.map((r) => [r.status, r.event, r.at]), [['resolved', 'resolved', T0 + 3 * H]]);
  assert.deepEqual((await store.list({ status: 'firing', kinds: ['pipeline_health'] })).map((r) => r.fingerprint), [global.fingerprint]);
  // The table's own columns are filled for analysts: alert_id per episode, window from the measure.
  const rs = await ch.query({ query: `SELECT uniqExact(alert_id) AS ids, any(toString(window_end)) AS we FROM ${db}.alerts WHERE tenant = 'rt'`, format: 'JSONEachRow' });
  assert.deepEqual(await rs.json(), [{ ids: 1, we: '2026-11-02 10:00:00.000' }]);
});

function deps(store: ClickHouseAlertStore, clock: { t: number }, channels: object[], routes: object[]): AlertRunDeps {
  return { store, options: AlertOptions.parse({ channels, routes, retry: fast }), logger, now: () => clock.t, registry: new Registry() };
}

test('dedup, cooldown, escalation and resolve through ClickHouse reach Slack with exact Block Kit', async () => {
  slack.script(hook('team'), [{ status: 200, body: 'ok' }]);
  const clock = { t: T0 };
  const d = deps(new ClickHouseAlertStore(ch, db), clock, [{ name: 'team', type: 'slack', url: `${slack.base}${hook('team')}` }], [{ channels: ['team'] }]);
  const s = (severity: Severity) => draft(severity, 'spend:chat-bot');

  const r1 = await processAlerts([s('warning'), s('warning'), draft('info', 'spend:quiet')], scope, d);
  assert.deepEqual([r1.fired, r1.sent], [2, 1]);
  assert.deepEqual(slack.bodiesFor(hook('team')), [slackMessage({ notice: 'firing', alert: toAlert(s('warning')), first_fired_at: T0, at: T0 })]);

  clock.t = T0 + H;
  const r2 = await processAlerts([s('warning'), draft('info', 'spend:quiet')], scope, d);
  assert.deepEqual([r2.suppressed, r2.sent], [2, 0]);

  clock.t = T0 + 2 * H;
  const r3 = await processAlerts([s('critical'), draft('info', 'spend:quiet')], scope, d);
  assert.deepEqual([r3.escalated, r3.suppressed, r3.sent], [1, 1, 1]);
  assert.deepEqual(slack.bodiesFor(hook('team'))[1], slackMessage({ notice: 'escalated', alert: toAlert(s('critical')), first_fired_at: T0, at: T0 + 2 * H }));

  // After the cooldown (6 h default) the same severity re-notifies as a reminder.
  clock.t = T0 + 9 * H;
  const r4 = await processAlerts([s('critical')], scope, d);
  assert.deepEqual([r4.renotified, r4.resolved, r4.sent], [1, 1, 1]);
  assert.equal((slack.bodiesFor(hook('team'))[2] as { text: string }).text, ':red_circle: CRITICAL (still firing): Spend anomaly spend:chat-bot');

  clock.t = T0 + 10 * H;
  const r5 = await processAlerts([], scope, d);
  assert.deepEqual([r5.resolved, r5.sent], [1, 1]);
  assert.deepEqual(slack.bodiesFor(hook('team'))[3], slackMessage({ notice: 'resolved', alert: toAlert(s('critical')), first_fired_at: T0, at: T0 + 10 * H }));

  const fp = toAlert(s('warning')).fingerprint;
  const hist = await ch.query({ query: `SELECT state, severity, status FROM ${db}.alerts WHERE fingerprint = {fp:String} ORDER BY created_at`, query_params: { fp }, format: 'JSONEachRow' });
  assert.deepEqual((await hist.json<{ state: string }>()).map((r) => r.state), ['fired', 'suppressed', 'escalated', 'renotified', 'resolved']);
  const sent = await ch.query({ query: `SELECT notice FROM ${db}.alert_deliveries WHERE fingerprint = {fp:String} AND status = 'sent' ORDER BY at`, query_params: { fp }, format: 'JSONEachRow' });
  assert.deepEqual((await sent.json<{ notice: string }>()).map((r) => r.notice), ['firing', 'escalated', 'reminder', 'resolved']);
});

test('a failed delivery is stored as pending and sent by the next run, even from a fresh process', async () => {
  slack.script(hook('flaky'), [{ status: 503, body: 'service_unavailable' }, { status: 503 }, { status: 429, headers: { 'retry-after': '3600' } }, { status: 200, body: 'ok' }]);
  const clock = { t: T0 };
  const channels = [{ name: 'flaky', type: 'slack', url: `${slack.base}${hook('flaky')}` }];
  const routes = [{ channels: ['flaky'], kinds: ['runaway_conversation'] }];
  const loop: AlertDraftInput = { ...draft('critical', 'runaway:agent', 'loops'), kind: 'runaway_conversation', title: 'loops / agent: 1 runaway conversation' };

  const r1 = await processAlerts([loop], scope, deps(new ClickHouseAlertStore(ch, db), clock, channels, routes));
  assert.deepEqual([r1.fired, r1.sent, r1.pending], [1, 0, 1]);
  const [p1] = await new ClickHouseAlertStore(ch, db).pendingDeliveries();
  assert.deepEqual([p1!.channel, p1!.attempts, p1!.last_error, p1!.notice], ['flaky', 1, 'http_503', 'firing']);

  // Next run: a 429 with a Retry-After beyond max_retry_after_ms ends this run's attempts at once.
  clock.t = T0 + 5 * 60_000;
  const started = Date.now();
  const r2 = await processAlerts([loop], scope, deps(new ClickHouseAlertStore(ch, db), clock, channels, routes));
  assert.ok(Date.now() - started < 1_500);
  assert.deepEqual([r2.suppressed, r2.sent, r2.pending], [1, 0, 1]);
  assert.equal((await new ClickHouseAlertStore(ch, db).pendingDeliveries())[0]!.last_error, 'http_429');

  clock.t = T0 + 10 * 60_000;
  const r3 = await processAlerts([loop], scope, deps(new ClickHouseAlertStore(ch, db), clock, channels, routes));
  assert.deepEqual([r3.sent, r3.pending], [1, 0]);
  const bodies = slack.bodiesFor(hook('flaky'));
  assert.equal(bodies.length, 4);
  // The retried message is the original one, rebuilt from the stored snapshot.
  assert.deepEqual(bodies[3], slackMessage({ notice: 'firing', alert: toAlert(loop), first_fired_at: T0, at: T0 }));
  const store = new ClickHouseAlertStore(ch, db);
  assert.equal((await store.pendingDeliveries()).length, 0);
  assert.equal(await store.sentSince('flaky', T0), 1);
  assert.equal(await store.sentSince('flaky', T0 + H), 0);
  const history = await store.deliveriesFor([toAlert(loop).fingerprint]);
  assert.deepEqual(history.map((h) => [h.status, h.attempts]), [['sent', 3]]);
});

test('webhook URLs never reach the logs or the tables', async () => {
  assert.ok(logLines.length > 5);
  assert.ok(!logLines.join('').includes(SECRET));
  const rs = await ch.query({ query: `SELECT count() AS n FROM ${db}.alert_deliveries WHERE position(alert, {s:String}) > 0 OR position(ifNull(last_error, ''), {s:String}) > 0`, query_params: { s: SECRET }, format: 'JSONEachRow' });
  assert.deepEqual(await rs.json(), [{ n: 0 }]);
});
