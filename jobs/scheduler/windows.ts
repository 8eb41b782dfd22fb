/** Job windows: the common shapes, and the `--window` / `--date` arguments of `lookout jobs run`. */
import { periodBounds } from '../cost/budget.ts';
import type { JobDefinition, JobWindow } from './job.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The last complete block of `minutes` (aligned to the epoch, so to the hour when it divides 60). */
export function lastMinutes(minutes: number): (now: number) => JobWindow {
  const size = minutes * MINUTE;
  return (now) => {
    const end = Math.floor(now / size) * size;
    return { start: end - size, end };
  };
}

/** The last complete hour, aligned to UTC (the local hour too in every whole-hour time zone). */
export const lastHour = lastMinutes(60);

/** The last complete local day in `timeZone` (23 or 25 hours across DST changes). */
export function lastDay(now: number, timeZone: string): JobWindow {
  const today = periodBounds(now, 'daily', timeZone);
  const yesterday = periodBounds(today.start - 1, 'daily', timeZone);
  return { start: yesterday.start, end: yesterday.end };
}

function parseInstant(s: string, what: string): number {
  const t = Date.parse(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(t)) throw new Error(`${what}: not an ISO date-time: "${s}" (e.g. 2026-11-02T10:00Z)`);
  return t;
}

/** `START/END` in ISO 8601 (a bare date-time without zone is read as UTC). */
export function parseWindowArg(arg: string): JobWindow {
  const parts = arg.split('/');
  if (parts.length !== 2) throw new Error(`--window: expected START/END, e.g. 2026-11-02T10:00Z/2026-11-02T11:00Z`);
  const utc = (s: string) => (/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || !s.includes('T') ? s : `${s}Z`);
  const start = parseInstant(utc(parts[0]!.trim()), '--window start');
  const end = parseInstant(utc(parts[1]!.trim()), '--window end');
  if (end <= start) throw new Error('--window: END must be after START');
  return { start, end };
}

/** `YYYY-MM-DD`: that local day in `timeZone`. */
export function parseDateArg(arg: string, timeZone: string): JobWindow {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(arg) || Number.isNaN(Date.parse(arg))) throw new Error(`--date: expected YYYY-MM-DD, got "${arg}"`);
  const [y, m, d] = arg.split('-').map(Number) as [number, number, number];
  // Noon UTC is within the local day for zones up to ±12 h; step a day for the few beyond.
  let t = Date.UTC(y, m - 1, d, 12);
  for (let i = 0; i < 2; i++) {
    const p = periodBounds(t, 'daily', timeZone);
    if (p.key === arg) return { start: p.start, end: p.end };
    t += p.key < arg ? 12 * HOUR : -12 * HOUR;
  }
  throw new Error(`--date: could not place ${arg} in ${timeZone}`);
}

/**
 * The job's own windows that lie within `range`, oldest first: a day of an hourly job is 24 runs,
 * each keyed (and deduplicated) like the scheduled run of that hour would be.
 */
export function windowsWithin(job: Pick<JobDefinition, 'window'>, range: JobWindow, timeZone: string, max = 10_000): JobWindow[] {
  const out: JobWindow[] = [];
  let w = job.window(range.end, timeZone);
  while (w.start >= range.start && w.end <= range.end) {
    out.push(w);
    if (out.length > max) throw new Error(`more than ${max} windows in the range; split the backfill`);
    const next = job.window(w.start, timeZone);
    if (next.end >= w.end) break;
    w = next;
  }
  return out.reverse();
}

export function fmtWindow(w: JobWindow): string {
  const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z');
  return `${iso(w.start)}/${iso(w.end)}`;
}
