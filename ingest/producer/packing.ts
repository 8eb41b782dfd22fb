/**
 * Compact blocks of queued messages, for a backlog that waits while the broker is away: the
 * serialised events of a block are framed into one buffer and deflated, so a full 64 MB buffer of
 * JSON takes a fraction of that in memory. Unpacked when the block reaches the head of the queue.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { OutMessage } from './transport.ts';

export interface PackedMessages {
  /** Messages in the block. */
  readonly packedCount: number;
  /** Sum of the messages' `bytes`: a block counts against the caps as its messages did. */
  readonly bytes: number;
  /** Deflated frames: per message a 4-byte key length, the key, a 4-byte value length, the value (UTF-8). */
  readonly data: Buffer;
  /** Per message its seq and bytes. */
  readonly meta: Float64Array;
  /** Per message its completion callback, when any message has one. */
  readonly done?: (OutMessage['done'] | undefined)[];
}

/** Fastest deflate: the point is memory while the broker is away, not the last few percent. */
const LEVEL = 1;

export function packMessages(items: readonly OutMessage[]): PackedMessages {
  let size = 0;
  for (const m of items) size += 8 + 3 * (m.key.length + m.value.length);
  const frames = Buffer.allocUnsafe(size);
  const meta = new Float64Array(2 * items.length);
  let at = 0;
  let bytes = 0;
  let withDone = false;
  items.forEach((m, i) => {
    const keyLength = frames.write(m.key, at + 4, 'utf8');
    frames.writeUInt32LE(keyLength, at);
    at += 4 + keyLength;
    const valueLength = frames.write(m.value, at + 4, 'utf8');
    frames.writeUInt32LE(valueLength, at);
    at += 4 + valueLength;
    meta[2 * i] = m.seq;
    meta[2 * i + 1] = m.bytes;
    bytes += m.bytes;
    if (m.done) withDone = true;
  });
  return {
    packedCount: items.length,
    bytes,
    data: deflateRawSync(frames.subarray(0, at), { level: LEVEL }),
    meta,
    ...(withDone ? { done: items.map((m) => m.done) } : {}),
  };
}

export function unpackMessages(block: PackedMessages): OutMessage[] {
  const frames = inflateRawSync(block.data);
  const out: OutMessage[] = [];
  let at = 0;
  for (let i = 0; i < block.packedCount; i++) {
    const keyLength = frames.readUInt32LE(at);
    const key = frames.toString('utf8', at + 4, at + 4 + keyLength);
    at += 4 + keyLength;
    const valueLength = frames.readUInt32LE(at);
    const value = frames.toString('utf8', at + 4, at + 4 + valueLength);
    at += 4 + valueLength;
    const m: OutMessage = { key, value, bytes: block.meta[2 * i + 1]!, seq: block.meta[2 * i]! };
    const done = block.done?.[i];
    if (done) m.done = done;
    out.push(m);
  }
  return out;
}
