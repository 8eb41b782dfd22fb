/** Functions behind `lookout alerts test` and `lookout alerts list` (wired in cli/commands/alerts.ts). */
import { redactUrl } from './http.ts';
import { ALL_TENANTS, fmtTime, toAlert, type Alert } from './model.ts';
import type { AlertOptions } from './options.ts';
import { sendMessage } from './run.ts';
import type { AlertListFilter, AlertState, AlertStore } from './store.ts';

export function sampleAlert(now: number): Alert {
  return toAlert({
    kind: 'pipeline_health',
    severity: 'info',
    tenant: ALL_TENANTS,
    subject: 'lookout-alerts-test',
    title: 'Lookout test alert',
    summary: `This is a test message sent by \`lookout alerts test\` at ${fmtTime(now)}. If you can read it, this channel receives Lookout alerts. No action needed.`,
    facts: [
      { label: 'Value', value: '42' },
      { label: 'Baseline', value: '40 (median of 4 weeks)' },
    ],
    examples: ['An example (already redacted) query would appear here'],
  });
}

export interface ChannelTestResult {
  channel: string;
  type: 'slack' | 'webhook';
  /** Host only: the full URL is a secret. */
  host: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

/** Sends the sample alert to every configured channel, ignoring routes and rate limits. */
export async function alertsTest(
  options: AlertOptions,
  deps: { now?: () => number; sleep?: (ms: number) => Promise<void>; random?: () => number } = {},
): Promise<ChannelTestResult[]> {
  const now = (deps.now ?? Date.now)();
  const alert = sampleAlert(now);
  return Promise.all(
    options.channels.map(async (channel): Promise<ChannelTestResult> => {
      const r = await sendMessage(channel, { notice: 'firing', alert, first_fired_at: now, at: now }, { options, ...deps });
      return { channel: channel.name, type: channel.type, host: redactUrl(channel.url), ok: r.ok, attempts: r.attempts, ...(r.ok ? {} : { error: r.error }) };
    }),
  );
}

export function alertsList(store: AlertStore, filter: AlertListFilter = {}): Promise<AlertState[]> {
  return store.list(filter);
}

/** Plain-text table for the terminal. */
export function formatAlertList(rows: AlertState[]): string {
  const header = ['STATUS', 'SEVERITY', 'KIND', 'TENANT', 'SINCE', 'LAST EVENT', 'FINGERPRINT', 'TITLE'];
  const lines = rows.map((r) => [r.status, r.severity, r.kind, r.tenant, fmtTime(r.first_fired_at), `${r.event} ${fmtTime(r.at)}`, r.fingerprint, r.title]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n');
}
