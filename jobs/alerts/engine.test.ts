import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, route } from './engine.ts';
import { fingerprint, toAlert, type AlertDraftInput, type Severity } from './model.ts';
import { RouteOptions } from './options.ts';
import type { AlertScope, AlertState } from './store.ts';
import { MemoryAlertStore } from './testing/memory-store.ts';

const H = 3_600_000;
const scope: AlertScope = { kinds: ['cost_budget', 'cost_anomaly'] };
const draft = (severity: Severity, subject = 'budget:monthly:chat', tenant = 'acme'): AlertDraftInput => ({
  kind: 'cost_budget',
  severity,
  tenant,
  subject,
  title: 'Monthly budget 80% used',
  summary: 'Spend is $800 of $1,000.',
});

/** Runs decide against the store like run.ts does, and appends the rows. */
async function step(store: MemoryAlertStore, drafts: AlertDraftInput[], now: number, s = scope) {
  const alerts = drafts.map(toAlert);
  const d = decide(alerts, await store.latest(alerts.map((a) => a.fingerprint)), await store.firing(s), s, now, 6 * H);
  await store.append(d.rows);
  return { events: d.rows.map((r) => r.event), notices: d.notifications.map((n) => n.notice), d };
}

test('fingerprint is stable and depends on kind, tenant and subject only', () => {
  const a = toAlert(draft('warning'));
  const b = toAlert({ ...draft('critical'), title: 'other', summary: 'other numbers' });
  assert.equal(a.fingerprint, b.fingerprint);
  assert.equal(a.fingerprint, fingerprint('cost_budget', 'acme', 'budget:monthly:chat'));
  assert.match(a.fingerprint, /^[0-9a-f]{16}$/);
  assert.notEqual(toAlert(draft('warning', 'budget:monthly:chat', 'globex')).fingerprint, a.fingerprint);
});

test('lifecycle: fire, suppress in cooldown, remind after it, escalate, resolve, fire again', async () => {
  const store = new MemoryAlertStore();
  const t0 = Date.parse('2026-11-02T10:00:00Z');
  assert.deepEqual((await step(store, [draft('warning'), draft('info')], t0)).notices, ['firing']);
  const again = await step(store, [draft('warning')], t0 + H);
  assert.deepEqual(again.events, ['suppressed']);
  assert.deepEqual(again.notices, []);
  assert.deepEqual((await step(store, [draft('info')], t0 + 2 * H)).events, ['suppressed']);
  const reminder = await step(store, [draft('warning')], t0 + 6 * H);
  assert.deepEqual([reminder.events, reminder.notices], [['renotified'], ['reminder']]);
  const up = await step(store, [draft('critical')], t0 + 7 * H);
  assert.deepEqual([up.events, up.notices], [['escalated'], ['escalated']]);
  // Escalation restarts the cooldown and keeps the episode start.
  const same = await step(store, [draft('critical')], t0 + 8 * H);
  assert.deepEqual(same.events, ['suppressed']);
  assert.equal(same.d.rows[0]!.first_fired_at, t0);
  const cleared = await step(store, [], t0 + 9 * H);
  assert.deepEqual([cleared.events, cleared.notices], [['resolved'], ['resolved']]);
  assert.equal(cleared.d.notifications[0]!.route_severity, 'critical');
  assert.deepEqual((await step(store, [], t0 + 10 * H)).events, []);
  const back = await step(store, [draft('warning')], t0 + 11 * H);
  assert.deepEqual(back.notices, ['firing']);
  assert.equal(back.d.rows[0]!.first_fired_at, t0 + 11 * H);
});

test('a run only resolves alerts in its own scope', async () => {
  const store = new MemoryAlertStore();
  const t0 = Date.parse('2026-11-02T10:00:00Z');
  const drift: AlertDraftInput = { ...draft('warning', 'topic:refunds'), kind: 'drift' };
  await step(store, [drift], t0, { kinds: ['drift'] });
  await step(store, [draft('warning')], t0, scope);
  // The cost job runs with nothing wrong: its alert resolves, the drift alert stays firing.
  assert.deepEqual((await step(store, [], t0 + H, scope)).events, ['resolved']);
  assert.equal((await store.firing({ kinds: ['drift'] })).length, 1);
  // Drafts outside the scope are ignored rather than fired by the wrong job.
  assert.deepEqual((await step(store, [drift], t0 + 2 * H, scope)).events, []);
  // A tenant-restricted run leaves other tenants alone.
  await step(store, [draft('warning', 's', 'globex')], t0 + 3 * H, scope);
  assert.deepEqual((await step(store, [], t0 + 4 * H, { ...scope, tenants: ['acme'] })).events, []);
});

test('routing by kind, tenant and minimum severity', () => {
  const routes = [
    { channels: ['cost'], kinds: ['cost_budget', 'cost_anomaly'], min_severity: 'info' },
    { channels: ['oncall'], min_severity: 'critical' },
    { channels: ['acme'], tenants: ['acme'] },
  ].map((r) => RouteOptions.parse(r));
  const n = (severity: Severity, tenant = 'acme', kind: AlertState['kind'] = 'cost_budget') => ({
    alert: toAlert({ ...draft(severity, 's', tenant), kind }),
    route_severity: severity,
  });
  assert.deepEqual(route(routes, n('info')), ['cost']);
  assert.deepEqual(route(routes, n('warning')), ['cost', 'acme']);
  assert.deepEqual(route(routes, n('critical', 'globex')), ['cost', 'oncall']);
  assert.deepEqual(route(routes, n('warning', 'globex', 'drift')), []);
});
