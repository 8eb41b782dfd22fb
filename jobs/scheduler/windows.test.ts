import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobRegistry } from './registry.ts';
import { fmtWindow, lastDay, lastHour, lastMinutes, parseDateArg, parseWindowArg, windowsWithin } from './windows.ts';

const t = (s: string) => Date.parse(s);

test('last hour, last five minutes, last local day (DST included)', () => {
  assert.deepEqual(lastHour(t('2026-11-02T10:05:30Z')), { start: t('2026-11-02T09:00Z'), end: t('2026-11-02T10:00Z') });
  assert.deepEqual(lastHour(t('2026-11-02T10:00:00Z')), { start: t('2026-11-02T09:00Z'), end: t('2026-11-02T10:00Z') });
  assert.deepEqual(lastMinutes(5)(t('2026-11-02T10:07:00Z')), { start: t('2026-11-02T10:00Z'), end: t('2026-11-02T10:05Z') });
  assert.deepEqual(lastDay(t('2026-11-02T01:00:00Z'), 'UTC'), { start: t('2026-11-01T00:00Z'), end: t('2026-11-02T00:00Z') });
  // New York falls back on 2026-11-01: that local day has 25 hours.
  const ny = lastDay(t('2026-11-02T12:00:00Z'), 'America/New_York');
  assert.deepEqual(ny, { start: t('2026-11-01T04:00Z'), end: t('2026-11-02T05:00Z') });
});

test('--window and --date arguments', () => {
  assert.deepEqual(parseWindowArg('2026-11-02T10:00Z/2026-11-02T11:00Z'), { start: t('2026-11-02T10:00Z'), end: t('2026-11-02T11:00Z') });
  assert.deepEqual(parseWindowArg('2026-11-02T10:00/2026-11-02T12:00'), { start: t('2026-11-02T10:00Z'), end: t('2026-11-02T12:00Z') });
  assert.deepEqual(parseWindowArg('2026-11-02T10:00+01:00/2026-11-02T11:00+01:00'), { start: t('2026-11-02T09:00Z'), end: t('2026-11-02T10:00Z') });
  assert.throws(() => parseWindowArg('2026-11-02T10:00Z'), /START\/END/);
  assert.throws(() => parseWindowArg('2026-11-02T11:00Z/2026-11-02T10:00Z'), /after START/);
  assert.throws(() => parseWindowArg('yesterday/today'), /ISO/);
  assert.deepEqual(parseDateArg('2026-11-02', 'UTC'), { start: t('2026-11-02T00:00Z'), end: t('2026-11-03T00:00Z') });
  assert.deepEqual(parseDateArg('2026-11-02', 'Europe/Paris'), { start: t('2026-11-01T23:00Z'), end: t('2026-11-02T23:00Z') });
  assert.deepEqual(parseDateArg('2026-11-02', 'Pacific/Kiritimati'), { start: t('2026-11-01T10:00Z'), end: t('2026-11-02T10:00Z') });
  assert.throws(() => parseDateArg('2026-13-02', 'UTC'), /YYYY-MM-DD/);
});

test('a backfill range splits into the job\'s own windows, oldest first', () => {
  const hourly = { window: (now: number) => lastHour(now) };
  const day = parseDateArg('2026-11-02', 'UTC');
  const ws = windowsWithin(hourly, day, 'UTC');
  assert.equal(ws.length, 24);
  assert.equal(fmtWindow(ws[0]!), '2026-11-02T00:00Z/2026-11-02T01:00Z');
  assert.equal(fmtWindow(ws[23]!), '2026-11-02T23:00Z/2026-11-03T00:00Z');
  // A range not on hour boundaries keeps only the whole hours inside it.
  assert.equal(windowsWithin(hourly, parseWindowArg('2026-11-02T10:30Z/2026-11-02T13:15Z'), 'UTC').map(fmtWindow).join(' '), '2026-11-02T11:00Z/2026-11-02T12:00Z 2026-11-02T12:00Z/2026-11-02T13:00Z');
  assert.deepEqual(windowsWithin(hourly, parseWindowArg('2026-11-02T10:10Z/2026-11-02T10:50Z'), 'UTC'), []);
  const daily = { window: lastDay };
  assert.deepEqual(windowsWithin(daily, parseWindowArg('2026-10-31T00:00Z/2026-11-02T00:00Z'), 'UTC').map(fmtWindow), ['2026-10-31T00:00Z/2026-11-01T00:00Z', '2026-11-01T00:00Z/2026-11-02T00:00Z']);
});

test('the registry rejects bad names, duplicates and invalid cron expressions', () => {
  const job = { name: 'cost', description: '', schedule: '5 * * * *', window: lastHour, run: async () => undefined };
  const r = new JobRegistry().register(job);
  assert.throws(() => r.register(job), /registered twice/);
  assert.throws(() => r.register({ ...job, name: 'Bad Name' }), /lower-case/);
  assert.throws(() => r.register({ ...job, name: 'x', schedule: '61 * * * *' }), /invalid cron/);
  assert.deepEqual(r.names(), ['cost']);
});
