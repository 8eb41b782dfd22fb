import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toAlert } from '../alerts/model.ts';
import { BudgetOptions, checkBudget, checkBudgets, periodBounds } from './budget.ts';

const opts = { timeZone: 'UTC', forecastMinElapsed: 0.2 };
const monthly = BudgetOptions.parse({ tenant: 'acme', feature: 'chat-bot', period: 'monthly', limit_usd: 1000 });
// 2026-11-13 00:00 UTC: 12 of 30 days elapsed = 40 %.
const NOW = Date.parse('2026-11-13T00:00:00Z');

test('period bounds follow the configured time zone, DST included', () => {
  assert.deepEqual(periodBounds(NOW, 'monthly', 'UTC'), { key: '2026-11', label: 'November 2026', start: Date.parse('2026-11-01T00:00:00Z'), end: Date.parse('2026-12-01T00:00:00Z') });
  // 2026-11-01 03:00 UTC is still October in New York (EDT until 2026-11-01 06:00 UTC).
  const ny = periodBounds(Date.parse('2026-11-01T03:00:00Z'), 'monthly', 'America/New_York');
  assert.deepEqual([ny.key, ny.start, ny.end], ['2026-10', Date.parse('2026-10-01T04:00:00Z'), Date.parse('2026-11-01T04:00:00Z')]);
  const day = periodBounds(Date.parse('2026-03-29T12:00:00Z'), 'daily', 'Europe/Paris');
  assert.deepEqual([day.key, day.start, day.end], ['2026-03-29', Date.parse('2026-03-28T23:00:00Z'), Date.parse('2026-03-29T22:00:00Z')]);
});

test('thresholds set the severity; below them and on track, nothing', () => {
  assert.equal(checkBudget(monthly, 300, NOW, opts), null);
  assert.equal(checkBudget(monthly, 500, Date.parse('2026-11-25T00:00:00Z'), opts)?.severity, 'info');
  assert.equal(checkBudget(monthly, 810, NOW, opts)?.severity, 'warning');
  assert.equal(checkBudget(monthly, 1000, NOW, opts)?.severity, 'critical');
  const custom = BudgetOptions.parse({ tenant: 'acme', period: 'daily', limit_usd: 50, thresholds: [{ pct: 90, severity: 'critical' }] });
  assert.equal(checkBudget(custom, 40, Date.parse('2026-11-13T23:00:00Z'), opts), null);
  assert.equal(checkBudget(custom, 46, Date.parse('2026-11-13T23:00:00Z'), opts)?.severity, 'critical');
});

test('the message explains usage and the month-end forecast', () => {
  const d = toAlert(checkBudget(monthly, 500, NOW, opts)!);
  assert.equal(d.kind, 'cost_budget');
  assert.equal(d.subject, 'monthly:2026-11:chat-bot');
  assert.equal(d.title, 'acme / chat-bot: 50% of the monthly budget used');
  assert.equal(
    d.summary,
    'acme / chat-bot has spent $500 of its $1,000 monthly budget (50%) with 40% of November 2026 elapsed. ' +
      'At the current rate it will reach $1,250 (125% of budget) by month end. Threshold crossed: 50%.',
  );
  // The forecast over budget lifts an info threshold to warning.
  assert.equal(d.severity, 'warning');
  assert.deepEqual(d.facts.find((f) => f.label === 'Forecast (month end)'), { label: 'Forecast (month end)', value: '$1,250 (125%)' });
});

test('forecast alone alerts only once enough of the period has passed', () => {
  const early = Date.parse('2026-11-03T00:00:00Z'); // 6.7 % elapsed
  assert.equal(checkBudget(monthly, 200, early, opts), null);
  const d = checkBudget(monthly, 450, NOW, opts)!;
  assert.equal(d.severity, 'warning');
  assert.equal(d.title, 'acme / chat-bot: on track to exceed the monthly budget');
  assert.match(d.summary, /No threshold crossed yet; the forecast exceeds the budget\.$/);
});

test('checkBudgets asks spend per budget and period', () => {
  const daily = BudgetOptions.parse({ tenant: 'globex', period: 'daily', limit_usd: 10 });
  const asked: string[] = [];
  const drafts = checkBudgets([monthly, daily], (b, p) => (asked.push(`${b.tenant}:${p.key}`), b === daily ? 12 : 100), NOW + 12 * 3_600_000, opts);
  assert.deepEqual(asked, ['acme:2026-11', 'globex:2026-11-13']);
  assert.deepEqual(drafts.map((d) => [d.tenant, d.subject, d.severity]), [['globex', 'daily:2026-11-13:*', 'critical']]);
});
