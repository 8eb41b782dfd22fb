/**
 * The production AlertStore: lifecycle rows in `alerts` (0004 + 0031) and the delivery outbox in
 * `alert_deliveries` (0030). Both are append-only; the state of a fingerprint or a delivery is its
 * newest row (`LIMIT 1 BY`), so no UPDATE/mutation is ever needed and a crash between two appends
 * leaves a readable history. Global alerts (tenant `*` in the model) are stored with an empty
 * tenant, as the `alerts` column comment documents.
 */
import { createHash } from 'node:crypto';
import { chTime, type ClickHouseClient } from '../../common/clickhouse.ts';
import { ALL_TENANTS, type Alert, type AlertKind, type Severity } from './model.ts';
import type { AlertEvent, AlertListFilter, AlertScope, AlertState, AlertStatus, AlertStore, DeliveryRecord, DeliveryStatus, Notice } from './store.ts';

const toDbTenant = (t: string) => (t === ALL_TENANTS ? '' : t);
const fromDbTenant = (t: string) => (t === '' ? ALL_TENANTS : t);

/** One id per firing episode: the same fingerprint and first fire always give the same UUID. */
function episodeId(fingerprint: string, firstFiredAt: number): string {
  const h = createHash('sha256').update(`${fingerprint}@${firstFiredAt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const ALERT_COLUMNS = `
  toUnixTimestamp64Milli(created_at) AS at, fingerprint, kind, severity, state, tenant, subject, title, summary,
  mapKeys(facts) AS fact_labels, mapValues(facts) AS fact_values, examples,
  mapKeys(links) AS link_labels, mapValues(links) AS link_urls, measure, status,
  toUnixTimestamp64Milli(first_fired_at) AS first_fired, toUnixTimestamp64Milli(last_notified_at) AS last_notified, notified_severity`;

interface AlertRow {
  at: number;
  fingerprint: string;
  kind: string;
  severity: string;
  state: string;
  tenant: string;
  subject: string;
  title: string;
  summary: string;
  fact_labels: string[];
  fact_values: string[];
  examples: string[];
  link_labels: string[];
  link_urls: string[];
  measure: string;
  status: string;
  first_fired: number;
  last_notified: number;
  notified_severity: string;
}

function fromAlertRow(r: AlertRow): AlertState {
  return {
    kind: r.kind as AlertKind,
    severity: r.severity as Severity,
    tenant: fromDbTenant(r.tenant),
    subject: r.subject,
    title: r.title,
    summary: r.summary,
    ...(r.measure ? { measure: JSON.parse(r.measure) as NonNullable<Alert['measure']> } : {}),
    facts: r.fact_labels.map((label, i) => ({ label, value: r.fact_values[i]! })),
    examples: r.examples,
    links: r.link_labels.map((label, i) => ({ label, url: r.link_urls[i]! })),
    fingerprint: r.fingerprint,
    status: r.status as AlertStatus,
    event: r.state as AlertEvent,
    at: Number(r.at),
    first_fired_at: Number(r.first_fired),
    last_notified_at: Number(r.last_notified),
    notified_severity: r.notified_severity as Severity,
  };
}

function toAlertRow(s: AlertState): Record<string, unknown> {
  return {
    created_at: chTime(s.at),
    alert_id: episodeId(s.fingerprint, s.first_fired_at),
    fingerprint: s.fingerprint,
    kind: s.kind,
    severity: s.severity,
    state: s.event,
    tenant: toDbTenant(s.tenant),
    title: s.title,
    summary: s.summary,
    facts: Object.fromEntries(s.facts.map((f) => [f.label, f.value])),
    examples: s.examples,
    links: Object.fromEntries(s.links.map((l) => [l.label, l.url])),
    window_start: s.measure ? chTime(s.measure.window_start) : null,
    window_end: s.measure ? chTime(s.measure.window_end) : null,
    channel: '',
    details: '',
    subject: s.subject,
    status: s.status,
    first_fired_at: chTime(s.first_fired_at),
    last_notified_at: chTime(s.last_notified_at),
    notified_severity: s.notified_severity,
    measure: s.measure ? JSON.stringify(s.measure) : '',
  };
}

interface DeliveryRow {
  delivery_id: string;
  notification_id: string;
  fingerprint: string;
  channel: string;
  notice: string;
  status: string;
  attempts: number;
  last_error: string | null;
  at: number;
  notified: number;
  first_fired: number;
  alert: string;
}

const DELIVERY_COLUMNS = `delivery_id, notification_id, fingerprint, channel, notice, status, attempts, last_error,
  toUnixTimestamp64Milli(at) AS at, toUnixTimestamp64Milli(notified_at) AS notified, toUnixTimestamp64Milli(first_fired_at) AS first_fired, alert`;

function fromDeliveryRow(r: DeliveryRow): DeliveryRecord {
  return {
    delivery_id: r.delivery_id,
    notification_id: r.notification_id,
    fingerprint: r.fingerprint,
    channel: r.channel,
    notice: r.notice as Notice,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    last_error: r.last_error,
    at: Number(r.at),
    alert: JSON.parse(r.alert) as Alert,
    first_fired_at: Number(r.first_fired),
    notified_at: Number(r.notified),
  };
}

export class ClickHouseAlertStore implements AlertStore {
  constructor(
    private readonly ch: ClickHouseClient,
    private readonly database: string,
  ) {}

  private async rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const rs = await this.ch.query({ query, query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
  }

  /** Newest row per fingerprint among rows matching `where`. */
  private latestAlerts(where: string, params: Record<string, unknown>, outer = '1', tail = ''): Promise<AlertRow[]> {
    return this.rows<AlertRow>(
      `SELECT * FROM (SELECT ${ALERT_COLUMNS} FROM ${this.database}.alerts WHERE ${where}
         ORDER BY fingerprint, created_at DESC LIMIT 1 BY fingerprint) WHERE ${outer} ${tail}`,
      params,
    );
  }

  async latest(fingerprints: string[]): Promise<Map<string, AlertState>> {
    if (fingerprints.length === 0) return new Map();
    const rows = await this.latestAlerts('fingerprint IN {fps:Array(String)}', { fps: fingerprints });
    return new Map(rows.map((r) => [r.fingerprint, fromAlertRow(r)]));
  }

  async firing(scope: AlertScope): Promise<AlertState[]> {
    if (scope.kinds.length === 0 || scope.tenants?.length === 0) return [];
    const tenants = scope.tenants ? ' AND tenant IN {tenants:Array(String)}' : '';
    const rows = await this.latestAlerts(
      `kind IN {kinds:Array(String)}${tenants}`,
      { kinds: scope.kinds, tenants: scope.tenants?.map(toDbTenant) ?? [] },
      "status = 'firing'",
      'ORDER BY fingerprint',
    );
    return rows.map(fromAlertRow);
  }

  async append(rows: AlertState[]): Promise<void> {
    if (rows.length === 0) return;
    await this.ch.insert({ table: `${this.database}.alerts`, format: 'JSONEachRow', values: rows.map(toAlertRow) });
  }

  async pendingDeliveries(): Promise<DeliveryRecord[]> {
    const rows = await this.rows<DeliveryRow>(
      `SELECT * FROM (SELECT ${DELIVERY_COLUMNS} FROM ${this.database}.alert_deliveries
         ORDER BY delivery_id, at DESC LIMIT 1 BY delivery_id)
       WHERE status = 'pending' ORDER BY notified, delivery_id`,
    );
    return rows.map(fromDeliveryRow);
  }

  async appendDeliveries(rows: DeliveryRecord[]): Promise<void> {
    if (rows.length === 0) return;
    await this.ch.insert({
      table: `${this.database}.alert_deliveries`,
      format: 'JSONEachRow',
      values: rows.map((d) => ({
        delivery_id: d.delivery_id,
        notification_id: d.notification_id,
        fingerprint: d.fingerprint,
        channel: d.channel,
        notice: d.notice,
        status: d.status,
        attempts: d.attempts,
        last_error: d.last_error,
        at: chTime(d.at),
        notified_at: chTime(d.notified_at),
        first_fired_at: chTime(d.first_fired_at),
        alert: JSON.stringify(d.alert),
      })),
    });
  }

  async sentSince(channel: string, sinceMs: number): Promise<number> {
    const [r] = await this.rows<{ n: number }>(
      `SELECT count() AS n FROM ${this.database}.alert_deliveries
       WHERE channel = {channel:String} AND status = 'sent' AND at >= fromUnixTimestamp64Milli({since:Int64})`,
      { channel, since: sinceMs },
    );
    return Number(r?.n ?? 0);
  }

  async list(filter: AlertListFilter): Promise<AlertState[]> {
    const where: string[] = ['1'];
    if (filter.kinds) where.push('kind IN {kinds:Array(String)}');
    if (filter.tenant) where.push('tenant = {tenant:String}');
    const rows = await this.latestAlerts(
      where.join(' AND '),
      { kinds: filter.kinds ?? [], tenant: toDbTenant(filter.tenant ?? ''), status: filter.status ?? '', limit: filter.limit ?? 50 },
      filter.status ? 'status = {status:String}' : '1',
      'ORDER BY at DESC LIMIT {limit:UInt32}',
    );
    return rows.map(fromAlertRow);
  }

  /** Delivery history of the newest alerts, for `lookout alerts list --deliveries`. */
  async deliveriesFor(fingerprints: string[]): Promise<DeliveryRecord[]> {
    if (fingerprints.length === 0) return [];
    const rows = await this.rows<DeliveryRow>(
      `SELECT * FROM (SELECT ${DELIVERY_COLUMNS} FROM ${this.database}.alert_deliveries WHERE fingerprint IN {fps:Array(String)}
         ORDER BY delivery_id, at DESC LIMIT 1 BY delivery_id) ORDER BY at DESC`,
      { fps: fingerprints },
    );
    return rows.map(fromDeliveryRow);
  }
}
