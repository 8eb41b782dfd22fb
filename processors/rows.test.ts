import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chTime, RowLines } from './rows.ts';

test('chTime matches the ISO form for many instants, including day boundaries and old dates', () => {
  const samples = [0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000, 1_763_800_000_123, 4_102_444_799_999];
  for (let i = 0; i < 2_000; i++) samples.push(Math.floor(Math.random() * 4_102_444_800_000));
  for (const ms of samples) assert.equal(chTime(ms), new Date(ms).toISOString().replace('T', ' ').slice(0, 23), String(ms));
});

test('RowLines encodes each row as its JSON line in UTF-8, across chunk boundaries and for rows larger than a chunk', () => {
  const lines = new RowLines();
  const texts = ['plain', 'é € 😀', '\ud800 lone', 'quote " back \\ nl \n', 'y'.repeat(1_000)];
  const rows: { i: number; text: string; list: (number | null)[]; map: Record<string, string> }[] = Array.from({ length: 3_000 }, (_, i) => ({ i, text: texts[i % texts.length]!, list: [i, null], map: { k: 'v' } }));
  rows.splice(1_000, 0, { i: -1, text: 'x'.repeat(700_000), list: [], map: {} }, { i: -2, text: '€'.repeat(400_000), list: [], map: {} });
  const encoded = rows.map((r) => lines.encode(r));
  rows.forEach((r, i) => assert.equal(encoded[i]!.toString('utf8'), JSON.stringify(r) + '\n', `row ${i}`));
  assert.equal(Buffer.concat(encoded).toString('utf8'), rows.map((r) => JSON.stringify(r) + '\n').join(''));
});
