/**
 * The alert lifecycle as a pure state machine. Per fingerprint:
 *
 *   (none | resolved) --draft--> firing   [fired: notify]
 *   firing --draft, severity above the notified one--> firing   [escalated: notify]
 *   firing --draft, within cooldown--> firing                    [suppressed: no message]
 *   firing --draft, cooldown over--> firing                      [renotified: reminder]
 *   firing --no draft in the run's scope--> resolved             [resolved: notify]
 */
import { severityRank, type Alert, type Severity } from './model.ts';
import type { RouteOptions } from './options.ts';
import type { AlertScope, AlertState, Notice } from './store.ts';

export interface Notification {
  notification_id: string;
  notice: Notice;
  alert: Alert;
  first_fired_at: number;
  /** Severity used for routing (for a resolve: the severity last notified). */
  route_severity: Severity;
}

export interface Decision {
  rows: AlertState[];
  notifications: Notification[];
}

/** Keeps one alert per fingerprint (the most severe) from a run's drafts. */
export function dedupe(alerts: Alert[]): Alert[] {
  const byFp = new Map<string, Alert>();
  for (const a of alerts) {
    const seen = byFp.get(a.fingerprint);
    if (!seen || severityRank(a.severity) > severityRank(seen.severity)) byFp.set(a.fingerprint, a);
  }
  return [...byFp.values()];
}

export function inScope(scope: AlertScope, a: { kind: Alert['kind']; tenant: string }): boolean {
  return scope.kinds.includes(a.kind) && (!scope.tenants || scope.tenants.includes(a.tenant));
}

export function decide(
  alerts: Alert[],
  latest: Map<string, AlertState>,
  firingInScope: AlertState[],
  scope: AlertScope,
  now: number,
  cooldownMs: number,
): Decision {
  const rows: AlertState[] = [];
  const notifications: Notification[] = [];
  const current = dedupe(alerts.filter((a) => inScope(scope, a)));
  const notify = (row: AlertState, notice: Notice, routeSeverity: Severity) =>
    notifications.push({
      notification_id: `${row.fingerprint}@${now}`,
      notice,
      alert: pickAlert(row),
      first_fired_at: row.first_fired_at,
      route_severity: routeSeverity,
    });

  for (const alert of current) {
    const prev = latest.get(alert.fingerprint);
    if (!prev || prev.status === 'resolved') {
      const row: AlertState = { ...alert, status: 'firing', event: 'fired', at: now, first_fired_at: now, last_notified_at: now, notified_severity: alert.severity };
      rows.push(row);
      notify(row, 'firing', alert.severity);
      continue;
    }
    const base = { ...alert, status: 'firing' as const, at: now, first_fired_at: prev.first_fired_at };
    if (severityRank(alert.severity) > severityRank(prev.notified_severity)) {
      const row: AlertState = { ...base, event: 'escalated', last_notified_at: now, notified_severity: alert.severity };
      rows.push(row);
      notify(row, 'escalated', alert.severity);
    } else if (now - prev.last_notified_at < cooldownMs) {
      rows.push({ ...base, event: 'suppressed', last_notified_at: prev.last_notified_at, notified_severity: prev.notified_severity });
    } else {
      const row: AlertState = { ...base, event: 'renotified', last_notified_at: now, notified_severity: alert.severity };
      rows.push(row);
      notify(row, 'reminder', alert.severity);
    }
  }

  const active = new Set(current.map((a) => a.fingerprint));
  for (const prev of firingInScope) {
    if (active.has(prev.fingerprint) || !inScope(scope, prev)) continue;
    const row: AlertState = { ...prev, status: 'resolved', event: 'resolved', at: now };
    rows.push(row);
    notify(row, 'resolved', prev.notified_severity);
  }
  return { rows, notifications };
}

function pickAlert(s: AlertState): Alert {
  const { kind, severity, tenant, subject, title, summary, measure, facts, examples, links, fingerprint } = s;
  return { kind, severity, tenant, subject, title, summary, ...(measure ? { measure } : {}), facts, examples, links, fingerprint };
}

/** Channel names a notification goes to: the union over matching routes. */
export function route(routes: RouteOptions[], n: Pick<Notification, 'alert' | 'route_severity'>): string[] {
  const out = new Set<string>();
  for (const r of routes) {
    if (r.kinds && !r.kinds.includes(n.alert.kind)) continue;
    if (r.tenants && !r.tenants.includes(n.alert.tenant)) continue;
    if (severityRank(n.route_severity) < severityRank(r.min_severity)) continue;
    for (const c of r.channels) out.add(c);
  }
  return [...out];
}
