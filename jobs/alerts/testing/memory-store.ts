/** In-memory AlertStore for unit tests of the lifecycle logic only (production uses ClickHouse). */
import type { AlertListFilter, AlertScope, AlertState, AlertStore, DeliveryRecord } from '../store.ts';

function latestBy<T>(rows: T[], key: (r: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  for (const r of rows) out.set(key(r), r);
  return out;
}

export class MemoryAlertStore implements AlertStore {
  readonly rows: AlertState[] = [];
  readonly deliveries: DeliveryRecord[] = [];

  async latest(fingerprints: string[]): Promise<Map<string, AlertState>> {
    const all = latestBy(this.rows, (r) => r.fingerprint);
    return new Map(fingerprints.filter((f) => all.has(f)).map((f) => [f, all.get(f)!]));
  }

  async firing(scope: AlertScope): Promise<AlertState[]> {
    return [...latestBy(this.rows, (r) => r.fingerprint).values()].filter(
      (r) => r.status === 'firing' && scope.kinds.includes(r.kind) && (!scope.tenants || scope.tenants.includes(r.tenant)),
    );
  }

  async append(rows: AlertState[]): Promise<void> {
    this.rows.push(...structuredClone(rows));
  }

  async pendingDeliveries(): Promise<DeliveryRecord[]> {
    return [...latestBy(this.deliveries, (d) => d.delivery_id).values()].filter((d) => d.status === 'pending');
  }

  async appendDeliveries(rows: DeliveryRecord[]): Promise<void> {
    this.deliveries.push(...structuredClone(rows));
  }

  async sentSince(channel: string, sinceMs: number): Promise<number> {
    return this.deliveries.filter((d) => d.channel === channel && d.status === 'sent' && d.at >= sinceMs).length;
  }

  async list(filter: AlertListFilter): Promise<AlertState[]> {
    return [...latestBy(this.rows, (r) => r.fingerprint).values()]
      .filter(
        (r) =>
          (!filter.status || r.status === filter.status) &&
          (!filter.kinds || filter.kinds.includes(r.kind)) &&
          (!filter.tenant || r.tenant === filter.tenant),
      )
      .sort((a, b) => b.at - a.at)
      .slice(0, filter.limit ?? 50);
  }
}
