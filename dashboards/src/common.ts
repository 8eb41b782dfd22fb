/**
 * What the four dashboards share: the template variables and the SQL fragments that apply them.
 * SQL reads `${database}.table`, filters multi-value variables with `IN (${var:singlequote})`
 * (Grafana expands "All" to every option), and takes the time range from the plugin's macros.
 *
 * How `events` is read: it is a ReplacingMergeTree on event_id. Replayed batches are dropped at
 * insert by their deduplication tokens, in `events` and in the `events_hourly` rollup alike, so
 * hourly panels read the rollup (README: "dashboards never scan raw events" for cost and
 * tokens). Panels that need raw rows (per-minute rates, p95, text examples) read `events FINAL`,
 * which also collapses a duplicate that slipped past the tokens.
 */
import { databaseVariable, datasourceVariable, queryVariable, type Variable } from './grafana.ts';

export const DB = '${database}';
export const EVENTS = `${DB}.events FINAL`;
export const HOURLY = `${DB}.events_hourly`;

export const TENANT = 'tenant IN (${tenant:singlequote})';
export const SERVICE = 'service IN (${service:singlequote})';
export const ENVIRONMENT = 'environment IN (${environment:singlequote})';
/** Tenant, service and environment: for `events` and `events_hourly`. */
export const SCOPE = `${TENANT} AND ${SERVICE} AND ${ENVIRONMENT}`;

/** The variables every dashboard has; their options come from the rollup (cheap) for the time range. */
export function scopeVariables(): Variable[] {
  return [
    datasourceVariable(),
    databaseVariable(),
    queryVariable('environment', 'Environment', `SELECT DISTINCT environment FROM ${HOURLY} WHERE $__timeFilter(hour) ORDER BY environment`, { multi: true }),
    queryVariable('tenant', 'Tenant', `SELECT DISTINCT tenant FROM ${HOURLY} WHERE $__timeFilter(hour) AND ${ENVIRONMENT} ORDER BY tenant`, { multi: true }),
    queryVariable(
      'service',
      'Service',
      `SELECT DISTINCT service FROM ${HOURLY} WHERE $__timeFilter(hour) AND ${ENVIRONMENT} AND ${TENANT} ORDER BY service`,
      { multi: true },
    ),
  ];
}

/** Latest state of each alert (its newest lifecycle row), for alert tables. */
export function latestAlerts(kinds: string[]): string {
  const list = kinds.map((k) => `'${k}'`).join(', ');
  return `
SELECT fingerprint, argMax(kind, created_at) AS alert_kind, argMax(tenant, created_at) AS alert_tenant,
       argMax(severity, created_at) AS alert_severity, argMax(status, created_at) AS alert_status, argMax(state, created_at) AS last_event,
       max(created_at) AS last_change, argMax(title, created_at) AS alert_title, argMax(summary, created_at) AS alert_summary,
       arrayStringConcat(argMax(examples, created_at), ' | ') AS alert_examples
FROM ${DB}.alerts
WHERE kind IN (${list}) AND $__timeFilter(created_at) AND (${TENANT} OR tenant = '')
GROUP BY fingerprint
ORDER BY alert_status = 'firing' DESC, last_change DESC
LIMIT 50`;
}
