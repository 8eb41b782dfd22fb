import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { createProducer, PermanentError, type LookoutProducer, type OutMessage, type ProducerError, type ProducerOptions, type Transport } from './index.ts';

/** A transport that records batches and fails while `down` is set. */
class FakeTransport implements Transport {
  batches: OutMessage[][] = [];
  down = false;
  attempts = 0;
  permanent = false;
  async send(batch: readonly OutMessage[]): Promise<void> {
    this.attempts++;
    if (this.permanent) throw new PermanentError('refused');
    if (this.down) throw new Error('broker unavailable');
    this.batches.push([...batch]);
  }
  async ping(): Promise<boolean> {
    return !this.down;
  }
  async close(): Promise<void> {}
  get events(): Record<string, unknown>[] {
    return this.batches.flat().map((m) => JSON.parse(m.value));
  }
}

const base = { service: 'svc', tenant: 'acme', logger: null } as const;
const open: LookoutProducer[] = [];
// Shut down even when an assertion failed, so no retry loop outlives its test.
afterEach(() => Promise.all(open.splice(0).map((p) => p.shutdown({ timeoutMs: 50 }))));
function producer(options: Partial<ProducerOptions>): LookoutProducer {
  const p = createProducer({ ...base, ...options });
  open.push(p);
  return p;
}
const tick = () => new Promise((r) => setImmediate(r));
const req = (conv: string, i = 0) => ({ conversation_id: conv, input_text: `q${i}`, turn: i });

test('record stamps defaults, ids and time; keys by conversation (kb_document: doc id)', async () => {
  const t = new FakeTransport();
  const p = producer({ transport: t, environment: 'staging' });
  const id = p.request(req('conv-1'));
  p.kbDocument({ document: { doc_id: 'doc-9', version: 'v3', updated_at: Date.now() } });
  const totals = await p.flush();
  assert.deepEqual(totals, { sent: 2, dropped: 0, failed: 0 });
  const [a, b] = t.batches.flat();
  assert.equal(a!.key, 'conv-1');
  assert.equal(b!.key, 'doc-9');
  const ev = JSON.parse(a!.value);
  assert.equal(ev.event_id, id);
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(ev.schema_version, 1);
  assert.equal(ev.tenant, 'acme');
  assert.equal(ev.environment, 'staging');
  assert.equal(ev.type, 'request');
  assert.ok(Math.abs(ev.ts - Date.now()) < 5000);
  await p.shutdown();
});

test('batches by count: 2500 events with batchMaxEvents 1000 go as 1000, 1000, 500', async () => {
  const t = new FakeTransport();
  const p = producer({ transport: t, batchMaxEvents: 1000, lingerMs: 10_000 });
  for (let i = 0; i < 2500; i++) p.request(req(`c${i}`, i));
  await p.flush();
  assert.deepEqual(t.batches.map((b) => b.length), [1000, 1000, 500]);
  assert.deepEqual(t.events.map((e) => e.turn), Array.from({ length: 2500 }, (_, i) => i), 'order kept');
  await p.shutdown();
});

test('batches by interval: a partial batch leaves after lingerMs without flush', async () => {
  const t = new FakeTransport();
  const p = producer({ transport: t, batchMaxEvents: 1000, lingerMs: 30 });
  for (let i = 0; i < 5; i++) p.request(req('c', i));
  await tick();
  assert.equal(t.batches.length, 0, 'waits for the linger');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(t.batches.map((b) => b.length), [5]);
  await p.shutdown();
});

test('invalid events are dropped with one onError per turn and one warning per condition', async () => {
  const t = new FakeTransport();
  const errors: ProducerError[] = [];
  const warnings: string[] = [];
  const p = producer({ transport: t, onError: (e) => errors.push(e), logger: { warn: (m) => warnings.push(m) } });
  for (let i = 0; i < 10; i++) p.record({ type: 'request', conversation_id: 'c' } as never);
  p.record({ type: 'bogus', conversation_id: 'c' } as never);
  p.request(req('ok'));
  const totals = await p.flush();
  assert.deepEqual(totals, { sent: 1, dropped: 11, failed: 0 });
  assert.equal(p.stats().droppedByReason.invalid_event, 11);
  assert.equal(errors.length, 1, 'aggregated per code');
  assert.equal(errors[0]!.count, 11);
  for (let i = 0; i < 5; i++) p.record({ type: 'request', conversation_id: 'c' } as never);
  await p.flush();
  assert.equal(warnings.filter((w) => w.includes('input_text')).length, 1, 'warned once for the same condition');
  await p.shutdown();
});

test('full validation runs the zod contract', async () => {
  const t = new FakeTransport();
  const p = producer({ transport: t, validation: 'full' });
  p.response({ conversation_id: 'c', status: 'weird' as never });
  p.response({ conversation_id: 'c', status: 'ok' });
  assert.deepEqual(await p.flush(), { sent: 1, dropped: 1, failed: 0 });
  await p.shutdown();
});

test('oversized events are dropped as too_large', async () => {
  const t = new FakeTransport();
  const p = producer({ transport: t });
  p.request({ conversation_id: 'c', input_text: 'x'.repeat(300 * 1024) });
  await p.flush();
  assert.equal(p.stats().droppedByReason.too_large, 1);
  await p.shutdown();
});

test('broker down: buffers to the cap, drops newest beyond it, delivers the buffer when back', async () => {
  const t = new FakeTransport();
  t.down = true;
  const p = producer({ transport: t, maxQueueEvents: 100, batchMaxEvents: 30, retryInitialMs: 5, retryMaxMs: 20, lingerMs: 1 });
  for (let i = 0; i < 150; i++) p.request(req(`c${i % 7}`, i));
  await new Promise((r) => setTimeout(r, 60));
  const s = p.stats();
  assert.equal(s.droppedByReason.queue_full, 50);
  assert.ok(s.retries > 0);
  assert.equal(s.healthy, false);
  t.down = false;
  const totals = await p.flush({ timeoutMs: 2000 });
  assert.deepEqual(totals, { sent: 100, dropped: 50, failed: 0 });
  assert.deepEqual(t.events.map((e) => e.turn), Array.from({ length: 100 }, (_, i) => i), 'the oldest 100 kept, in order');
  assert.equal(p.stats().healthy, true);
  await p.shutdown();
});

test('drop_oldest keeps the newest events', async () => {
  const t = new FakeTransport();
  t.down = true;
  const p = producer({ transport: t, maxQueueEvents: 50, batchMaxEvents: 10, whenFull: 'drop_oldest', retryInitialMs: 5, retryMaxMs: 10 });
  for (let i = 0; i < 200; i++) p.request(req('c', i));
  await new Promise((r) => setTimeout(r, 30));
  t.down = false;
  const totals = await p.flush({ timeoutMs: 2000 });
  assert.equal(totals.sent, 50);
  assert.equal(totals.dropped, 150);
  const turns = t.events.map((e) => e.turn as number);
  assert.deepEqual(turns, Array.from({ length: 50 }, (_, i) => 150 + i));
});

test('the byte cap bounds the buffer', async () => {
  const t = new FakeTransport();
  t.down = true;
  const p = producer({ transport: t, maxQueueBytes: 20_000, retryInitialMs: 5, retryMaxMs: 10 });
  for (let i = 0; i < 100; i++) p.request({ conversation_id: 'c', input_text: 'y'.repeat(1000), turn: i });
  await tick();
  const s = p.stats();
  assert.ok(s.queuedBytes + 0 <= 20_000);
  assert.ok(s.droppedByReason.queue_full >= 80, `dropped ${s.droppedByReason.queue_full}`);
  await p.shutdown({ timeoutMs: 50 });
});

test('the byte cap counts what non-ASCII events take in memory (two bytes a character)', async () => {
  const t = new FakeTransport();
  t.down = true;
  const p = producer({ transport: t, maxQueueBytes: 100_000, retryInitialMs: 5, retryMaxMs: 10 });
  const ascii = { conversation_id: 'c', input_text: 'y'.repeat(1000), turn: 0 };
  p.request(ascii);
  await tick();
  const used = () => 100_000 - p.room().bytes;
  const one = used();
  // Same length, one character outside Latin-1: V8 stores the whole JSON string at two bytes each.
  p.request({ ...ascii, input_text: 'y'.repeat(999) + '\u{2603}' });
  await tick();
  const both = used();
  assert.ok(both - one >= 2 * (one - 2), `ASCII event ${one} B, the other counted ${both - one} B`);
  for (let i = 0; i < 200; i++) p.request({ ...ascii, input_text: 'y'.repeat(999) + '\u{2603}', turn: i });
  await tick();
  const s = p.stats();
  assert.ok(used() <= 100_000);
  assert.ok(s.queued + s.inFlight <= 100_000 / 2000 + 1, `held ${s.queued + s.inFlight} events of ~1 KB characters under a 100 KB cap`);
  await p.shutdown({ timeoutMs: 50 });
});

test('while the broker is away the backlog is packed; back, it is delivered whole and in order', async () => {
  const t = new FakeTransport();
  t.down = true;
  const p = producer({ transport: t, batchMaxBytes: 20_000, retryInitialMs: 5, retryMaxMs: 10 });
  const text = (i: number) => `Where is my parcel? Order ${i}, ünïcödé ☃. `.repeat(20);
  const record = (from: number, to: number) => {
    for (let i = from; i < to; i++) p.request({ conversation_id: `c${i % 13}`, input_text: text(i), turn: i });
  };
  record(0, 100);
  await new Promise((r) => setTimeout(r, 30));
  record(100, 3000);
  await new Promise((r) => setTimeout(r, 50));
  const down = p.stats();
  assert.equal(down.queued + down.inFlight, 3000);
  assert.ok(down.packed >= 2000, `packed ${down.packed} of 3000`);
  t.down = false;
  assert.deepEqual(await p.flush({ timeoutMs: 10_000 }), { sent: 3000, dropped: 0, failed: 0 });
  const events = t.events;
  assert.deepEqual(events.map((e) => e.turn), Array.from({ length: 3000 }, (_, i) => i));
  assert.ok(events.every((e) => e.input_text === text(e.turn as number)));
  assert.ok(t.batches.flat().every((m) => m.key === `c${(JSON.parse(m.value).turn as number) % 13}`));
  assert.equal(p.stats().packed, 0);
});

test('a backlog is packed from the start until a delivery succeeds; then new backlog stays unpacked', async () => {
  class ColdStart extends FakeTransport {
    gate: Promise<void> = Promise.resolve();
    override async send(batch: readonly OutMessage[]): Promise<void> {
      await this.gate;
      return super.send(batch);
    }
  }
  const t = new ColdStart();
  let release = () => {};
  const hold = () => (t.gate = new Promise<void>((r) => (release = r)));
  hold();
  const p = producer({ transport: t, batchMaxBytes: 20_000 });
  await tick();
  const record = (from: number) => {
    for (let i = from; i < from + 2000; i++) p.request({ conversation_id: 'c', input_text: 'x'.repeat(500), turn: i });
  };
  record(0);
  await tick();
  await tick();
  assert.ok(p.stats().packed > 0, 'packed before any delivery');
  release();
  assert.equal((await p.flush({ timeoutMs: 5000 })).sent, 2000);
  hold();
  record(2000);
  await tick();
  await tick();
  assert.equal(p.stats().packed, 0, 'delivering again: no packing');
  release();
  assert.equal((await p.flush({ timeoutMs: 5000 })).sent, 4000);
});

test('once the byte cap is reached, new events are dropped without being serialised', async () => {
  const t = new FakeTransport();
  t.down = true;
  const p = producer({ transport: t, maxQueueBytes: 20_000, retryInitialMs: 5, retryMaxMs: 10 });
  let serialised = 0;
  // attributes.toJSON runs once per JSON.stringify of the event.
  const ev = (i: number) => ({ conversation_id: 'c', input_text: 'y'.repeat(1000), turn: i, attributes: { toJSON: () => (serialised++, {}) } as unknown as Record<string, string> });
  for (let i = 0; i < 40; i++) p.request(ev(i));
  await tick();
  const queued = p.stats().queued + p.stats().inFlight;
  assert.ok(queued >= 15 && queued <= 19, `queued ${queued}`);
  const before = serialised;
  for (let i = 0; i < 1000; i++) p.request(ev(i));
  await tick();
  assert.equal(serialised, before, 'a full queue does not serialise what it drops');
  assert.equal(p.stats().droppedByReason.queue_full, 1040 - queued);
  await p.shutdown({ timeoutMs: 50 });
});

test('a retried batch is resent unchanged (same messages, same order)', async () => {
  const t = new FakeTransport();
  let fails = 2;
  const seen: string[][] = [];
  t.send = async (batch) => {
    seen.push(batch.map((m) => m.value));
    if (fails-- > 0) throw new Error('flaky');
    t.batches.push([...batch]);
  };
  const p = producer({ transport: t, batchMaxEvents: 5, retryInitialMs: 1, retryMaxMs: 2 });
  for (let i = 0; i < 12; i++) p.request(req('c', i));
  await p.flush({ timeoutMs: 2000 });
  assert.deepEqual(seen[0], seen[1]);
  assert.deepEqual(seen[1], seen[2]);
  assert.equal(p.stats().retries, 2);
  assert.equal(p.stats().sent, 12);
});

test('a permanent refusal counts the batch as failed and moves on', async () => {
  const t = new FakeTransport();
  t.permanent = true;
  const p = producer({ transport: t });
  p.request(req('c'));
  assert.deepEqual(await p.flush(), { sent: 0, dropped: 0, failed: 1 });
  await p.shutdown();
});

test('shutdown delivers what was queued, then refuses new events without throwing', async () => {
  const t = new FakeTransport();
  const p = producer({ transport: t, lingerMs: 10_000, batchMaxEvents: 10_000 });
  for (let i = 0; i < 42; i++) p.request(req('c', i));
  const totals = await p.shutdown({ timeoutMs: 1000 });
  assert.deepEqual(totals, { sent: 42, dropped: 0, failed: 0 });
  assert.equal(p.request(req('late')), '');
  assert.deepEqual(await p.shutdown(), totals, 'idempotent');
  assert.equal(p.stats().droppedByReason.closed, 1);
});

test('shutdown with the broker gone resolves at the timeout and counts the rest as failed', async () => {
  const t = new FakeTransport();
  t.down = true;
  const p = producer({ transport: t, retryInitialMs: 5, retryMaxMs: 10 });
  for (let i = 0; i < 7; i++) p.request(req('c', i));
  const started = Date.now();
  const totals = await p.shutdown({ timeoutMs: 100 });
  assert.ok(Date.now() - started < 1500);
  assert.deepEqual(totals, { sent: 0, dropped: 0, failed: 7 });
});

test('sampling drops whole conversations deterministically but never kb_document events', async () => {
  const t = new FakeTransport();
  const p = producer({ transport: t, sampleRate: 0.3 });
  for (let c = 0; c < 300; c++) for (let turn = 0; turn < 3; turn++) p.request(req(`conv-${c}`, turn));
  for (let d = 0; d < 10; d++) p.kbDocument({ document: { doc_id: `d${d}`, version: '1', updated_at: Date.now() } });
  await p.flush();
  const byConv = new Map<string, number>();
  for (const e of t.events) if (e.type === 'request') byConv.set(e.conversation_id as string, (byConv.get(e.conversation_id as string) ?? 0) + 1);
  assert.ok([...byConv.values()].every((n) => n === 3), 'kept conversations are complete');
  assert.ok(byConv.size > 60 && byConv.size < 120, `kept ${byConv.size} of 300`);
  assert.equal(t.events.filter((e) => e.type === 'kb_document').length, 10);
  assert.equal(p.stats().sampledOut, 900 - byConv.size * 3);
  await p.shutdown();
});

test('an onError hook that throws does not reach the host', async () => {
  const t = new FakeTransport();
  const p = producer({ transport: t, onError: () => { throw new Error('hook'); } });
  assert.doesNotThrow(() => p.record({ type: 'nope' } as never));
  await p.flush();
  assert.equal(p.stats().dropped, 1);
  await p.shutdown();
});

test('recordAndWait resolves after delivery and refuses all-or-nothing when there is no room', async () => {
  const t = new FakeTransport();
  const p = producer({ transport: t, maxQueueEvents: 5 });
  const ev = (i: number) => ({ schema_version: 1, event_id: crypto.randomUUID(), type: 'request', ts: Date.now(), tenant: 'a', service: 's', conversation_id: 'c', input_text: `x${i}` });
  assert.deepEqual(await p.recordAndWait([ev(1), ev(2), { ...ev(3), input_text: 5 }]), ['sent', 'sent', 'dropped']);
  assert.equal(await p.recordAndWait([ev(1), ev(2), ev(3), ev(4), ev(5), ev(6)], { requireRoom: true }), 'queue_full');
  assert.equal(t.events.length, 2);
  await p.shutdown();
});
