/**
 * What the alert lifecycle needs from storage: ClickHouse in production (clickhouse-store.ts, tables
 * `alerts` and `alert_deliveries`); unit tests use testing/memory-store.ts.
 *
 * Both tables are append-only: every row is a full snapshot, and "the state" of a fingerprint
 * (or of a delivery) is its latest row by `at`, then by insertion order.
 */
import type { Alert, AlertKind, Severity } from './model.ts';

export type AlertEvent = 'fired' | 'renotified' | 'escalated' | 'suppressed' | 'resolved';
export type AlertStatus = 'firing' | 'resolved';

/** One lifecycle row of one fingerprint. */
export interface AlertState extends Alert {
  status: AlertStatus;
  event: AlertEvent;
  /** When this row was written (run time, epoch ms). */
  at: number;
  /** When the current firing episode started. */
  first_fired_at: number;
  /** Last time a notification (fired, renotified, escalated) was decided. */
  last_notified_at: number;
  /** Severity of that notification: re-notify only when it rises above it. */
  notified_severity: Severity;
}

/** What a message announces. */
export type Notice = 'firing' | 'escalated' | 'reminder' | 'resolved';

export type DeliveryStatus = 'sent' | 'pending' | 'failed' | 'superseded';

/** One attempt-state row of one message to one channel. */
export interface DeliveryRecord {
  /** `${notification_id}/${channel}` */
  delivery_id: string;
  /** `${fingerprint}@${at of the lifecycle row}` */
  notification_id: string;
  fingerprint: string;
  channel: string;
  notice: Notice;
  status: DeliveryStatus;
  /** Failed runs so far (a run retries in itself before counting one). */
  attempts: number;
  /** Redacted error code (`http_500`, `timeout`, `rate_limited`...), never a URL. */
  last_error: string | null;
  at: number;
  /** Snapshot to (re)send. */
  alert: Alert;
  first_fired_at: number;
  /** When the notification was decided (the resolve time for a resolve). */
  notified_at: number;
}

/** Which alerts one job run is responsible for: firing alerts in scope with no draft resolve. */
export interface AlertScope {
  kinds: AlertKind[];
  /** Restrict to these tenants (e.g. a job run for one tenant); default all. */
  tenants?: string[];
}

export interface AlertListFilter {
  status?: AlertStatus;
  kinds?: AlertKind[];
  tenant?: string;
  limit?: number;
}

export interface AlertStore {
  /** Latest row per fingerprint, for those that have one. */
  latest(fingerprints: string[]): Promise<Map<string, AlertState>>;
  /** Fingerprints whose latest row is firing, within the scope. */
  firing(scope: AlertScope): Promise<AlertState[]>;
  append(rows: AlertState[]): Promise<void>;
  /** Deliveries whose latest row is pending, oldest first. */
  pendingDeliveries(): Promise<DeliveryRecord[]>;
  appendDeliveries(rows: DeliveryRecord[]): Promise<void>;
  /** Deliveries to `channel` that reached status sent at or after `sinceMs`. */
  sentSince(channel: string, sinceMs: number): Promise<number>;
  /** Latest row per fingerprint matching the filter, most recent first. */
  list(filter: AlertListFilter): Promise<AlertState[]>;
}
