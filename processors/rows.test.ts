import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chTime } from './rows.ts';

test('chTime matches the ISO form for many instants, including day boundaries and old dates', () => {
  const samples = [0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000, 1_763_800_000_123, 4_102_444_799_999];
  for (let i = 0; i < 2_000; i++) samples.push(Math.floor(Math.random() * 4_102_444_800_000));
  for (const ms of samples) assert.equal(chTime(ms), new Date(ms).toISOString().replace('T', ' ').slice(0, 23), String(ms));
});
