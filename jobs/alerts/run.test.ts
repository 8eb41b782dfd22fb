/** Delivery against a real local HTTP server that plays Slack and a generic webhook receiver. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { alertsList, alertsTest, formatAlertList } from './cli.ts';
import { slackMessage, webhookMessage } from './messages.ts';
import { toAlert, type AlertDraftInput, type Severity } from './model.ts';
import { AlertOptions, type AlertOptionsInput } from './options.ts';
import { deliverPending, processAlerts, type AlertRunDeps } from './run.ts';
import type { AlertScope } from './store.ts';
import { MemoryAlertStore } from './testing/memory-store.ts';
import { startFakeSlack } from './testing/slack-server.ts';

const slackServer = await startFakeSlack();
const { base, received } = slackServer;
after(() => slackServer.close());

const SECRET = 'XsEcReTtOkEnX';
const hook = (name: string) => `/services/T0/B0/${name}-${SECRET}`;
const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });

const H = 3_600_000;
const T0 = Date.parse('2026-11-02T10:00:00Z');
const scope: AlertScope = { kinds: ['cost_budget', 'cost_anomaly', 'runaway_conversation'] };
const draft = (severity: Severity, subject = 'spend:chat-bot', tenant = 'acme'): AlertDraftInput => ({
  kind: 'cost_anomaly',
  severity,
  tenant,
  subject,
  title: `Spend anomaly ${subject}`,
  summary: `Spend for ${subject} is far above its usual level.`,
  facts: [{ label: 'Value', value: '$41.60' }],
  examples: ['conv-1: 412 turns'],
  links: [{ label: 'Grafana', url: 'https://grafana.example.com/d/cost' }],
});

const stores: MemoryAlertStore[] = [];
function setup(options: AlertOptionsInput, clock: { t: number }) {
  const store = new MemoryAlertStore();
  stores.push(store);
  const deps: AlertRunDeps = { store, options: AlertOptions.parse(options), logger, now: () => clock.t, registry: new Registry() };
  return { store, deps };
}
const slack = (name: string, extra: object = {}) => ({ name, type: 'slack' as const, url: `${base}${hook(name)}`, ...extra });
const fast = { max_attempts: 3, base_delay_ms: 5, max_delay_ms: 20, max_retry_after_ms: 5_000 };
const bodiesFor = (name: string) => slackServer.bodiesFor(hook(name));

test('fire, dedup, cooldown, escalation and resolve reach Slack and the webhook with exact bodies', async () => {
  slackServer.script(hook('team'), [{ status: 200, body: 'ok' }]);
  slackServer.script(hook('pager'), [{ status: 204 }]);
  const clock = { t: T0 };
  const { store, deps } = setup(
    {
      channels: [slack('team'), { name: 'pager', type: 'webhook', url: `${base}${hook('pager')}`, headers: { authorization: `Bearer ${SECRET}` } }],
      routes: [{ channels: ['team'], min_severity: 'warning' }, { channels: ['pager'], min_severity: 'critical', kinds: ['cost_anomaly'] }],
      retry: fast,
    },
    clock,
  );
  const x = toAlert(draft('warning'));
  const r1 = await processAlerts([draft('warning'), draft('warning'), draft('info', 'spend:quiet')], scope, deps);
  assert.deepEqual([r1.fired, r1.sent], [2, 1]);
  assert.deepEqual(bodiesFor('team'), [slackMessage({ notice: 'firing', alert: x, first_fired_at: T0, at: T0 })]);

  clock.t = T0 + H;
  const r2 = await processAlerts([draft('warning'), draft('info', 'spend:quiet')], scope, deps);
  assert.deepEqual([r2.suppressed, r2.sent], [2, 0]);
  assert.equal(bodiesFor('team').length, 1);

  clock.t = T0 + 2 * H;
  const r3 = await processAlerts([draft('critical'), draft('info', 'spend:quiet')], scope, deps);
  assert.deepEqual([r3.escalated, r3.sent], [1, 2]);
  const critical = toAlert(draft('critical'));
  assert.deepEqual(bodiesFor('team')[1], slackMessage({ notice: 'escalated', alert: critical, first_fired_at: T0, at: T0 + 2 * H }));
  assert.deepEqual(bodiesFor('pager'), [JSON.parse(JSON.stringify(webhookMessage({ notice: 'escalated', alert: critical, first_fired_at: T0, at: T0 + 2 * H })))]);

  clock.t = T0 + 3 * H;
  const r4 = await processAlerts([], scope, deps);
  assert.deepEqual([r4.resolved, r4.sent], [2, 2]);
  assert.deepEqual(bodiesFor('team')[2], slackMessage({ notice: 'resolved', alert: critical, first_fired_at: T0, at: T0 + 3 * H }));
  assert.equal((bodiesFor('pager')[1] as { notice: string }).notice, 'resolved');

  const listed = await alertsList(store, { status: 'resolved' });
  assert.equal(listed.length, 2);
  assert.match(formatAlertList(listed), /^STATUS\s+SEVERITY.*\nresolved\s+/);
});

test('429 with Retry-After is honoured, then delivered', async () => {
  slackServer.script(hook('busy'), [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }, { status: 200, body: 'ok' }]);
  const { store, deps } = setup({ channels: [slack('busy')], routes: [{ channels: ['busy'] }], retry: fast }, { t: T0 });
  const r = await processAlerts([draft('warning')], scope, deps);
  assert.equal(r.sent, 1);
  const hits = received.filter((x) => x.path === hook('busy'));
  assert.equal(hits.length, 2);
  assert.ok(hits[1]!.at - hits[0]!.at >= 950, `waited ${hits[1]!.at - hits[0]!.at} ms`);
  assert.equal(store.deliveries.at(-1)!.status, 'sent');
});

test('500 then 200 is retried with backoff within the run', async () => {
  slackServer.script(hook('flaky'), [{ status: 500, body: 'internal_error' }, { status: 200, body: 'ok' }]);
  const { store, deps } = setup({ channels: [slack('flaky')], routes: [{ channels: ['flaky'] }], retry: fast }, { t: T0 });
  assert.equal((await processAlerts([draft('warning')], scope, deps)).sent, 1);
  assert.equal(received.filter((x) => x.path === hook('flaky')).length, 2);
  assert.deepEqual(store.deliveries.map((d) => d.status), ['pending', 'sent']);
});

test('a hanging endpoint times out; the delivery stays pending and goes out on the next run', async () => {
  slackServer.script(hook('slow'), ['hang']);
  slackServer.script(hook('broken'), [{ status: 400, body: 'invalid_blocks' }]);
  const clock = { t: T0 };
  const { store, deps } = setup(
    {
      channels: [slack('slow', { timeout_ms: 200 }), slack('broken')],
      routes: [{ channels: ['slow', 'broken'] }],
      retry: { ...fast, max_attempts: 2 },
      max_delivery_runs: 2,
    },
    clock,
  );
  const started = Date.now();
  const r1 = await processAlerts([draft('warning')], scope, deps);
  assert.ok(Date.now() - started < 2_000);
  assert.equal(r1.pending, 2);
  const pending = await store.pendingDeliveries();
  assert.deepEqual(pending.map((d) => [d.channel, d.attempts, d.last_error]), [['slow', 1, 'timeout'], ['broken', 1, 'http_400:invalid_blocks']]);
  // A 400 is not retried within the run.
  assert.equal(received.filter((x) => x.path === hook('broken')).length, 1);

  slackServer.script(hook('slow'), [{ status: 200, body: 'ok' }]);
  clock.t = T0 + 10 * 60_000;
  const r2 = await processAlerts([draft('warning')], scope, deps);
  assert.deepEqual([r2.suppressed, r2.sent, r2.failed], [1, 1, 1]);
  const slow = bodiesFor('slow');
  assert.deepEqual(slow.at(-1), slackMessage({ notice: 'firing', alert: toAlert(draft('warning')), first_fired_at: T0, at: T0 }));
  assert.equal((await store.pendingDeliveries()).length, 0);
  assert.ok(logLines.some((l) => l.includes('alert delivery failed for good') && l.includes('"channel":"broken"')));
});

test('per-channel rate limit holds messages back (critical excepted) and releases them later', async () => {
  slackServer.script(hook('small'), [{ status: 200, body: 'ok' }]);
  const clock = { t: T0 };
  const { store, deps } = setup(
    { channels: [slack('small', { rate_limit: { max: 2, window_ms: H } })], routes: [{ channels: ['small'] }], retry: fast },
    clock,
  );
  const drafts = ['a', 'b', 'c', 'd'].map((s) => draft('warning', `spend:${s}`));
  const r1 = await processAlerts([...drafts, draft('critical', 'spend:e')], scope, deps);
  assert.deepEqual([r1.sent, r1.pending], [3, 2]);
  assert.deepEqual((await store.pendingDeliveries()).map((d) => d.last_error), ['rate_limited', 'rate_limited']);
  clock.t = T0 + 30 * 60_000;
  assert.equal((await processAlerts([...drafts, draft('critical', 'spend:e')], scope, deps)).sent, 0);
  clock.t = T0 + H + 60_000;
  const r3 = await processAlerts([...drafts, draft('critical', 'spend:e')], scope, deps);
  assert.equal(r3.sent, 2);
  assert.equal(bodiesFor('small').length, 5);
});

test('a newer message supersedes a pending one for the same alert and channel', async () => {
  slackServer.script(hook('down'), [{ status: 503 }]);
  const clock = { t: T0 };
  const { store, deps } = setup({ channels: [slack('down')], routes: [{ channels: ['down'] }], retry: { ...fast, max_attempts: 1 } }, clock);
  await processAlerts([draft('warning')], scope, deps);
  slackServer.script(hook('down'), [{ status: 200, body: 'ok' }]);
  clock.t = T0 + H;
  const r = await processAlerts([], scope, deps);
  assert.deepEqual([r.superseded, r.sent], [1, 1]);
  assert.equal((bodiesFor('down').at(-1) as { text: string }).text, ':white_check_mark: RESOLVED: Spend anomaly spend:chat-bot');
  assert.equal((await store.pendingDeliveries()).length, 0);
});

test('lookout alerts test reaches every channel and reports hosts only', async () => {
  slackServer.script(hook('t1'), [{ status: 200, body: 'ok' }]);
  slackServer.script(hook('t2'), [{ status: 404, body: 'no_service' }]);
  const options = AlertOptions.parse({ channels: [slack('t1'), { name: 't2', type: 'webhook', url: `${base}${hook('t2')}` }], retry: fast });
  const results = await alertsTest(options, { now: () => T0 });
  const host = new URL(base).host;
  assert.deepEqual(results, [
    { channel: 't1', type: 'slack', host, ok: true, attempts: 1 },
    { channel: 't2', type: 'webhook', host, ok: false, attempts: 1, error: 'http_404:no_service' },
  ]);
  assert.equal((bodiesFor('t1')[0] as { text: string }).text, ':large_blue_circle: INFO: Lookout test alert');
});

test('webhook URLs and secrets never appear in logs or stored errors', () => {
  assert.ok(logLines.length > 10);
  const logs = logLines.join('');
  assert.ok(!logs.includes(SECRET), 'secret in logs');
  assert.ok(!logs.includes('/services/'), 'webhook path in logs');
  const stored = JSON.stringify(stores.map((s) => [s.rows, s.deliveries]));
  assert.ok(stored.includes('http_400:invalid_blocks'));
  assert.ok(!stored.includes(SECRET) && !stored.includes('/services/'), 'webhook URL stored');
});

test('two deliveries at the same moment (cost job and alert-delivery) send a pending message once', async () => {
  slackServer.script(hook('twice'), [{ status: 200, body: 'ok' }]);
  const { store, deps } = setup({ channels: [slack('twice')], routes: [{ channels: ['twice'] }], retry: fast }, { t: T0 });
  await store.appendDeliveries([
    { delivery_id: 'n1/twice', notification_id: 'n1', fingerprint: 'f1', channel: 'twice', notice: 'firing', status: 'pending', attempts: 0, last_error: null, at: T0, alert: toAlert(draft('warning')), first_fired_at: T0, notified_at: T0 },
  ]);
  const reports = await Promise.all([deliverPending(deps), deliverPending(deps)]);
  assert.deepEqual(reports.map((r) => r.sent), [1, 0]);
  assert.equal(bodiesFor('twice').length, 1);
});
