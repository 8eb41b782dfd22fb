import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packMessages, unpackMessages } from './packing.ts';
import type { OutMessage } from './transport.ts';

const message = (i: number, text: string): OutMessage => {
  const value = JSON.stringify({ event_id: `id-${i}`, type: 'response', conversation_id: `conv-${i % 7}`, output_text: text });
  return { key: `conv-${i % 7}`, value, bytes: Buffer.byteLength(value), seq: 1000 + i };
};

test('a packed block unpacks to the same messages: keys, values, seq, bytes, callbacks', () => {
  const outcomes: string[] = [];
  const items = [
    message(0, 'Where is my parcel?'),
    { ...message(1, 'Ünïcödé ☃ and emoji 🚚 survive'), done: (o: string) => outcomes.push(`1:${o}`) },
    { ...message(2, ''), key: '' },
    message(3, 'x'.repeat(5000)),
  ];
  const block = packMessages(items);
  assert.equal(block.packedCount, 4);
  assert.equal(block.bytes, items.reduce((s, m) => s + m.bytes, 0));
  const back = unpackMessages(block);
  assert.deepEqual(back.map(({ done: _, ...m }) => m), items.map(({ done: _, ...m }) => m));
  back[1]!.done!('sent');
  assert.deepEqual(outcomes, ['1:sent']);
  assert.equal(back[0]!.done, undefined);
});

test('support events pack to a fraction of their size', () => {
  const replies = ['I have refunded the duplicate charge.', 'Your parcel left the depot this morning.', 'You can reset your password from the sign-in page.'];
  const items = Array.from({ length: 256 }, (_, i) => message(i, `${replies[i % 3]} Reference ${i * 7919}.`));
  const raw = items.reduce((s, m) => s + m.bytes, 0);
  const block = packMessages(items);
  assert.ok(block.data.length * 3 < raw, `${block.data.length} packed bytes for ${raw}`);
});
