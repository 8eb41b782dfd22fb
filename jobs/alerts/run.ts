/**
 * One alert run: decide the lifecycle of a job's drafts, then deliver the messages.
 *
 * Deliveries use an outbox: a notification's deliveries are stored as pending before its
 * lifecycle rows and before any HTTP call, and each outcome is appended after it. A crash can
 * therefore repeat a message (at-least-once) but never lose one. Pending deliveries are retried
 * at the start of every run; a newer message for the same fingerprint and channel supersedes an
 * older pending one; after `max_delivery_runs` failed runs a delivery is marked failed and logged
 * as an error (still stored, so `lookout alerts list` shows it).
 */
import { Counter, register as defaultRegistry, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { decide, route } from './engine.ts';
import { postJson, type PostResult } from './http.ts';
import { slackMessage, webhookMessage, type MessageInput } from './messages.ts';
import { toAlert, type AlertDraftInput } from './model.ts';
import type { AlertOptions, ChannelOptions } from './options.ts';
import type { AlertScope, AlertStore, DeliveryRecord } from './store.ts';

export interface AlertRunDeps {
  store: AlertStore;
  options: AlertOptions;
  logger?: Logger;
  now?: () => number;
  registry?: Registry;
  /** Test seams for the HTTP backoff. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RunReport {
  fired: number;
  escalated: number;
  renotified: number;
  suppressed: number;
  resolved: number;
  sent: number;
  pending: number;
  failed: number;
  superseded: number;
}

interface Metrics {
  events: Counter<'kind' | 'event'>;
  deliveries: Counter<'channel' | 'status'>;
}
const metricsByRegistry = new WeakMap<Registry, Metrics>();

function metrics(registry: Registry): Metrics {
  let m = metricsByRegistry.get(registry);
  if (!m) {
    m = {
      events: new Counter({ name: 'lookout_alert_events_total', help: 'Alert lifecycle events', labelNames: ['kind', 'event'], registers: [registry] }),
      deliveries: new Counter({ name: 'lookout_alert_deliveries_total', help: 'Alert delivery outcomes per channel', labelNames: ['channel', 'status'], registers: [registry] }),
    };
    metricsByRegistry.set(registry, m);
  }
  return m;
}

/** Sends one message to one channel (no lifecycle, no rate limit). */
export function sendMessage(channel: ChannelOptions, message: MessageInput, deps: Pick<AlertRunDeps, 'options' | 'sleep' | 'random'>): Promise<PostResult> {
  const body = channel.type === 'slack' ? slackMessage(message) : webhookMessage(message);
  return postJson(channel.url, body, {
    timeoutMs: channel.timeout_ms,
    retry: deps.options.retry,
    headers: channel.headers,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
}

function emptyReport(): RunReport {
  return { fired: 0, escalated: 0, renotified: 0, suppressed: 0, resolved: 0, sent: 0, pending: 0, failed: 0, superseded: 0 };
}

/**
 * Runs the lifecycle for `drafts` (everything the job found wrong in `scope`) and delivers.
 * `resolve: false` is for backfills of past windows: they may fire alerts, but a quiet past
 * window says nothing about now, so it must not resolve what is firing.
 */
export async function processAlerts(drafts: AlertDraftInput[], scope: AlertScope, deps: AlertRunDeps, opts: { resolve?: boolean } = {}): Promise<RunReport> {
  const now = (deps.now ?? Date.now)();
  const report = emptyReport();
  const m = metrics(deps.registry ?? defaultRegistry);
  const alerts = drafts.map(toAlert);
  const latest = await deps.store.latest([...new Set(alerts.map((a) => a.fingerprint))]);
  const firing = opts.resolve === false ? [] : await deps.store.firing(scope);
  const decision = decide(alerts, latest, firing, scope, now, deps.options.cooldown_ms);

  const fresh: DeliveryRecord[] = [];
  for (const n of decision.notifications) {
    for (const channel of route(deps.options.routes, n)) {
      fresh.push({
        delivery_id: `${n.notification_id}/${channel}`,
        notification_id: n.notification_id,
        fingerprint: n.alert.fingerprint,
        channel,
        notice: n.notice,
        status: 'pending',
        attempts: 0,
        last_error: null,
        at: now,
        alert: n.alert,
        first_fired_at: n.first_fired_at,
        notified_at: now,
      });
    }
  }
  // Outbox first: if we crash after this, the next run still delivers.
  if (fresh.length > 0) await deps.store.appendDeliveries(fresh);
  await deps.store.append(decision.rows);
  for (const row of decision.rows) {
    m.events.inc({ kind: row.kind, event: row.event });
    report[row.event] += 1;
    deps.logger?.info({ fingerprint: row.fingerprint, kind: row.kind, tenant: row.tenant, severity: row.severity, event: row.event }, 'alert lifecycle');
  }

  return deliverPending(deps, now, report);
}

/** Delivers every pending delivery (retries and fresh ones); also usable on its own schedule. */
// Two jobs of one scheduler may deliver at the same moment (the cost job and alert-delivery both
// at :05); one at a time per store, or both would send the same pending message.
const deliveryQueues = new WeakMap<AlertStore, Promise<unknown>>();

export function deliverPending(deps: AlertRunDeps, runAt = (deps.now ?? Date.now)(), report = emptyReport()): Promise<RunReport> {
  const before = deliveryQueues.get(deps.store) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(() => deliverPendingNow(deps, runAt, report));
  deliveryQueues.set(deps.store, run);
  return run;
}

async function deliverPendingNow(deps: AlertRunDeps, runAt: number, report: RunReport): Promise<RunReport> {
  const clock = deps.now ?? Date.now;
  const m = metrics(deps.registry ?? defaultRegistry);
  const pending = await deps.store.pendingDeliveries();
  const newest = new Map<string, DeliveryRecord>();
  for (const d of pending) {
    const key = `${d.fingerprint}/${d.channel}`;
    const seen = newest.get(key);
    if (!seen || d.at >= seen.at) newest.set(key, d);
  }
  const channels = new Map(deps.options.channels.map((c) => [c.name, c]));
  const sentInWindow = new Map<string, number>();
  let lastAt = runAt;
  const stamp = (prev: DeliveryRecord) => (lastAt = Math.max(clock(), prev.at + 1, lastAt + 1));

  const record = async (prev: DeliveryRecord, patch: Pick<DeliveryRecord, 'status' | 'attempts' | 'last_error'>) => {
    const row: DeliveryRecord = { ...prev, ...patch, at: stamp(prev) };
    await deps.store.appendDeliveries([row]);
    report[row.status] += 1;
    m.deliveries.inc({ channel: row.channel, status: row.status });
    const log = { fingerprint: row.fingerprint, kind: row.alert.kind, tenant: row.alert.tenant, channel: row.channel, notice: row.notice, status: row.status, attempts: row.attempts, error: row.last_error };
    if (row.status === 'failed') deps.logger?.error(log, 'alert delivery failed for good');
    else if (row.status === 'pending') deps.logger?.warn(log, 'alert delivery pending');
    else deps.logger?.info(log, 'alert delivery');
  };

  for (const d of pending) {
    if (newest.get(`${d.fingerprint}/${d.channel}`) !== d) {
      await record(d, { status: 'superseded', attempts: d.attempts, last_error: d.last_error });
      continue;
    }
    const channel = channels.get(d.channel);
    if (!channel) {
      await record(d, { status: 'failed', attempts: d.attempts, last_error: 'unknown_channel' });
      continue;
    }
    if (!sentInWindow.has(channel.name)) {
      sentInWindow.set(channel.name, await deps.store.sentSince(channel.name, runAt - channel.rate_limit.window_ms));
    }
    const sent = sentInWindow.get(channel.name)!;
    if (d.alert.severity !== 'critical' && sent >= channel.rate_limit.max) {
      // Held back, not dropped: it stays pending and goes out when the window has room.
      await record(d, { status: 'pending', attempts: d.attempts, last_error: 'rate_limited' });
      continue;
    }
    const result = await sendMessage(channel, { notice: d.notice, alert: d.alert, first_fired_at: d.first_fired_at, at: d.notified_at }, deps);
    if (result.ok) {
      sentInWindow.set(channel.name, sent + 1);
      await record(d, { status: 'sent', attempts: d.attempts + 1, last_error: null });
    } else {
      const attempts = d.attempts + 1;
      await record(d, { status: attempts >= deps.options.max_delivery_runs ? 'failed' : 'pending', attempts, last_error: result.error });
    }
  }
  return report;
}
