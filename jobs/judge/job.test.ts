import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeJob, runStats } from './job.ts';
import type { JudgeRunResult } from './run.ts';

describe('judge job definition', () => {
  it('runs nightly over the previous day in the scheduler time zone', () => {
    assert.equal(judgeJob.name, 'judge');
    assert.match(judgeJob.schedule, /^\d+ \d+ \* \* \*$/);
    const now = Date.UTC(2026, 10, 21, 2, 30);
    assert.deepEqual(judgeJob.window(now, 'UTC'), { start: Date.UTC(2026, 10, 20), end: Date.UTC(2026, 10, 21) });
    // 02:30 UTC is 03:30 in Paris: the previous Paris day starts at 23:00 UTC.
    assert.deepEqual(judgeJob.window(now, 'Europe/Paris'), { start: Date.UTC(2026, 10, 19, 23), end: Date.UTC(2026, 10, 20, 23) });
  });

  it('keeps counts and alert titles in the run stats, not whole drafts', () => {
    const stats = runStats({ judged: 3, drafts: [{ kind: 'quality', severity: 'warning', tenant: 'acme', subject: 's', title: 'Quality drop', summary: 'x' }] } as unknown as JudgeRunResult);
    assert.deepEqual(stats, { judged: 3, alerts: ['Quality drop'] });
  });
});
