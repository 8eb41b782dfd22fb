/**
 * The producer core: transport-agnostic queueing, batching, retries and accounting.
 *
 * `record()` only stamps the event (id, time, defaults) and stages it; validation, JSON
 * serialisation and the byte caps run once per event loop turn over everything staged
 * (setImmediate), so the host pays a few hundred nanoseconds per call and nothing it does can make
 * the producer throw or block.
 */
import { randomUUID } from 'node:crypto';
import { LIMITS, SCHEMA_VERSION, type EventType, type LookoutEventInput } from '../../schemas/events/index.ts';
import { backoffDelay } from './backoff.ts';
import { fullCheck, keyOf, lightCheck, type Problem } from './checks.ts';
import { packMessages, unpackMessages, type PackedMessages } from './packing.ts';
import { BoundedQueue, type FullPolicy } from './queue.ts';
import { inSample } from './sampling.ts';
import { PermanentError, RetryAfterError, type OutMessage, type Outcome, type Transport } from './transport.ts';

export type ErrorCode =
  | 'invalid_event'
  | 'too_large'
  | 'queue_full'
  | 'closed'
  | 'delivery_retrying'
  | 'delivery_failed'
  | 'rejected';

export interface ProducerError {
  code: ErrorCode;
  /** Never contains event text. */
  message: string;
  /** Events affected since the previous report of this code. */
  count: number;
  /** Offending field, for invalid events. */
  path?: string;
  cause?: unknown;
}

export interface ProducerLogger {
  warn(message: string): void;
}

export interface CoreOptions {
  service: string;
  tenant: string;
  environment?: string;
  /** Events held in memory at most (queued + in flight). Default 100 000. */
  maxQueueEvents?: number;
  /** Bytes of serialised events held at most. Default 64 MiB. */
  maxQueueBytes?: number;
  /** What to drop when the queue is full. Default 'drop_newest'. */
  whenFull?: FullPolicy;
  /** Events per batch at most. Default 1000. */
  batchMaxEvents?: number;
  /** Bytes per batch at most (before compression). Default 900 KiB, under Kafka's 1 MiB default. */
  batchMaxBytes?: number;
  /** How long a partial batch waits for company. Default 20 ms. */
  lingerMs?: number;
  /** Retry backoff (exponential with jitter). Defaults 100 ms to 30 s. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Fraction of conversations kept, decided by conversation id. Default 1. */
  sampleRate?: number;
  /** 'light' (default) checks structure and size; 'full' runs the zod contract on every event. */
  validation?: 'light' | 'full';
  onError?: (error: ProducerError) => void;
  /** One warning per condition goes here. Default: console.warn; pass null to silence. */
  logger?: ProducerLogger | null;
}

export interface Stats {
  recorded: number;
  sampledOut: number;
  queued: number;
  queuedBytes: number;
  /** Queued events held deflated, as they are while the broker is away (counted in `queued`). */
  packed: number;
  inFlight: number;
  sent: number;
  failed: number;
  dropped: number;
  droppedByReason: Record<'invalid_event' | 'too_large' | 'queue_full' | 'closed', number>;
  batches: number;
  retries: number;
  /** The last delivery attempt succeeded (or none was needed yet). */
  healthy: boolean;
}

export interface Totals {
  sent: number;
  dropped: number;
  failed: number;
}

/** Flat event fields the caller may give; common ones come from the producer's options. */
type Known<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
type Stamped = 'type' | 'schema_version' | 'event_id' | 'ts' | 'tenant' | 'service' | 'environment' | 'received_at';
export type FieldsOf<T extends EventType> = Omit<Known<Extract<LookoutEventInput, { type: T }>>, Stamped> & {
  event_id?: string;
  ts?: number;
  tenant?: string;
  service?: string;
  environment?: string;
  [extra: string]: unknown;
};
export type RecordInput = { type: EventType } & Record<string, unknown>;

const STAGE_MAX = 2048;
const DEFAULT_LOGGER: ProducerLogger = { warn: (m) => console.warn(`[lookout-producer] ${m}`) };

type Staged = Record<string, unknown>;
type Refusal = Problem & { reason: 'invalid_event' | 'too_large' };

export class ProducerCore {
  private readonly queue: BoundedQueue<OutMessage, PackedMessages>;
  private readonly defaults: Record<string, unknown>;
  private readonly check: (e: Record<string, unknown>) => Problem | undefined;
  private readonly batchMaxEvents: number;
  private readonly batchMaxBytes: number;
  private readonly lingerMs: number;
  private readonly sampleRate: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly logger: ProducerLogger | null;

  private staging: Staged[] = [];
  private drainScheduled = false;
  /** Smallest serialised event so far (0 before the first): a lower bound on what a new event needs. */
  private minEventBytes = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private pumping = false;
  private inflight: OutMessage[] | undefined;
  private attempt = 0;
  private wake: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private abandonAt = Infinity;
  private seq = 0;
  private waiters: { target: number; resolve: () => void }[] = [];
  private readonly warned = new Set<string>();
  private readonly pendingNotes = new Map<ErrorCode, ProducerError>();
  private shutdownPromise: Promise<Totals> | undefined;

  private readonly counters = {
    recorded: 0,
    sampledOut: 0,
    sent: 0,
    failed: 0,
    batches: 0,
    retries: 0,
    healthy: true,
    dropped: { invalid_event: 0, too_large: 0, queue_full: 0, closed: 0 },
  };

  constructor(
    private readonly transport: Transport,
    private readonly options: CoreOptions,
  ) {
    this.batchMaxBytes = options.batchMaxBytes ?? 900 * 1024;
    // While the broker is away the backlog is packed in blocks of 256 events, past the next two batches.
    this.queue = new BoundedQueue<OutMessage, PackedMessages>(
      options.maxQueueEvents ?? 100_000,
      options.maxQueueBytes ?? 64 * 1024 * 1024,
      options.whenFull ?? 'drop_newest',
      { pack: packMessages, unpack: unpackMessages, run: 256, after: 2 * this.batchMaxBytes },
    );
    this.defaults = {
      schema_version: SCHEMA_VERSION,
      tenant: options.tenant,
      service: options.service,
      environment: options.environment ?? 'production',
    };
    this.check = options.validation === 'full' ? fullCheck : lightCheck;
    this.batchMaxEvents = options.batchMaxEvents ?? 1000;
    this.lingerMs = options.lingerMs ?? 20;
    this.sampleRate = options.sampleRate ?? 1;
    this.backoff = { initialMs: options.retryInitialMs ?? 100, maxMs: options.retryMaxMs ?? 30_000 };
    this.logger = options.logger === undefined ? DEFAULT_LOGGER : options.logger;
    // Until a first delivery proves the broker there, a backlog is packed: a burst at start-up
    // against an absent broker fills the cap before any connection attempt has failed.
    this.queue.setPacking(true);
    transport.warmUp?.().catch(() => {});
  }

  /** Stamps and stages one event; returns its event_id ('' when it could not be taken at all). */
  record(event: RecordInput): string {
    try {
      if (this.closed) {
        this.drop('closed', 'producer is shut down');
        return '';
      }
      const e: Staged = Object.assign({}, this.defaults, event);
      if (typeof e.event_id !== 'string') e.event_id = randomUUID();
      if (e.ts === undefined) e.ts = Date.now();
      this.counters.recorded++;
      if (this.sampleRate < 1 && e.type !== 'kb_document' && !inSample(String(e.conversation_id), this.sampleRate)) {
        this.counters.sampledOut++;
        return e.event_id as string;
      }
      // A full queue refuses the event before it is serialised: with the broker away, serialising
      // events only to drop them filled the old heap with dead strings (V8 pretenures the
      // allocation site once the queued ones survive), +200 MB of RSS at a 50 MB cap.
      const staged = this.staging.length + 1;
      if (this.queue.policy === 'drop_newest' && !this.queue.fits(staged, staged * this.minEventBytes)) {
        this.drop('queue_full', 'queue is full: dropping new events');
        return e.event_id as string;
      }
      this.staging.push(e);
      if (this.staging.length >= STAGE_MAX) this.drainStaging();
      else if (!this.drainScheduled) {
        this.drainScheduled = true;
        setImmediate(this.drainStaging);
      }
      return e.event_id as string;
    } catch (err) {
      this.drop('invalid_event', 'event could not be recorded', undefined, err);
      return '';
    }
  }

  /**
   * Admits complete events now and resolves with each one's outcome once delivered, given up or
   * dropped. With `requireRoom`, admits nothing and answers 'queue_full' unless all of them fit.
   */
  recordAndWait(events: readonly Record<string, unknown>[], opts: { requireRoom?: boolean } = {}): Promise<Outcome[] | 'queue_full'> {
    if (this.closed) {
      for (let i = 0; i < events.length; i++) this.drop('closed', 'producer is shut down');
      return Promise.resolve(events.map(() => 'dropped' as const));
    }
    const prepared: (OutMessage | Refusal)[] = [];
    let bytes = 0;
    for (const ev of events) {
      const p = this.prepare(ev);
      prepared.push(p);
      if ('seq' in p) bytes += p.bytes;
    }
    if (opts.requireRoom && !this.queue.fits(prepared.filter((p) => 'seq' in p).length, bytes)) {
      return Promise.resolve('queue_full');
    }
    this.counters.recorded += events.length;
    const outcomes = prepared.map(
      (p) =>
        new Promise<Outcome>((resolve) => {
          if (!('seq' in p)) {
            this.drop(p.reason, p.message, p.path);
            resolve('dropped');
            return;
          }
          p.seq = ++this.seq;
          p.done = resolve;
          this.enqueue(p);
        }),
    );
    // Someone is waiting for the ack: no linger. Concurrent callers still share batches while a
    // send is in flight.
    this.kick();
    this.emitNotes();
    return Promise.all(outcomes);
  }

  /** Free room, for callers that prefer refusing work to dropping it. */
  room(): { events: number; bytes: number } {
    return {
      events: this.queue.maxEvents - this.queue.usedEvents - this.staging.length,
      bytes: this.queue.maxBytes - this.queue.usedBytes,
    };
  }

  stats(): Stats {
    const d = this.counters.dropped;
    return {
      recorded: this.counters.recorded,
      sampledOut: this.counters.sampledOut,
      queued: this.queue.length + this.staging.length,
      queuedBytes: this.queue.bytes,
      packed: this.queue.packedCount,
      inFlight: this.inflight?.length ?? 0,
      sent: this.counters.sent,
      failed: this.counters.failed,
      dropped: d.invalid_event + d.too_large + d.queue_full + d.closed,
      droppedByReason: { ...d },
      batches: this.counters.batches,
      retries: this.counters.retries,
      healthy: this.counters.healthy,
    };
  }

  /** Sends everything recorded so far; resolves when it is delivered or given up, or at the timeout. */
  async flush(opts: { timeoutMs?: number } = {}): Promise<Totals> {
    try {
      this.drainStaging();
      const target = this.seq;
      if (this.settledThrough() < target) {
        this.kick();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, opts.timeoutMs ?? 30_000);
          timer.unref();
          this.waiters.push({ target, resolve: () => (clearTimeout(timer), resolve()) });
          // The host now waits for delivery: a retry already waiting must keep the process alive.
          this.retryTimer?.ref();
          this.resolveWaiters();
        });
      }
    } catch (err) {
      this.note('delivery_failed', 'flush failed', undefined, err);
    }
    return this.totals();
  }

  /**
   * Stops taking events, delivers what is queued until `timeoutMs`, counts the rest as failed and
   * closes the transport. Idempotent; never rejects.
   */
  shutdown(opts: { timeoutMs?: number } = {}): Promise<Totals> {
    this.shutdownPromise ??= this.doShutdown(opts.timeoutMs ?? 10_000);
    return this.shutdownPromise;
  }

  /** Whether the far side answers now. */
  ping(timeoutMs = 2000): Promise<boolean> {
    return this.transport.ping(timeoutMs).catch(() => false);
  }

  private async doShutdown(timeoutMs: number): Promise<Totals> {
    try {
      this.drainStaging();
      this.closed = true;
      // Retry now rather than at the end of a long backoff: the caller is waiting.
      this.wake?.();
      const started = Date.now();
      await this.flush({ timeoutMs });
      this.abandonAt = 0;
      this.wake?.();
      const leftover = [...(this.inflight ?? []), ...this.queue.drain()];
      if (this.inflight) this.queue.release(this.inflight);
      this.inflight = undefined;
      if (leftover.length > 0) {
        this.settle(leftover, 'failed');
        this.note('delivery_failed', `shutdown timed out with ${leftover.length} events undelivered`);
        this.emitNotes();
      }
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      const closeBudget = Math.max(500, timeoutMs - (Date.now() - started));
      await Promise.race([this.transport.close().catch(() => undefined), sleep(closeBudget)]);
    } catch (err) {
      this.note('delivery_failed', 'shutdown failed', undefined, err);
      this.emitNotes();
    }
    return this.totals();
  }

  private totals(): Totals {
    const s = this.stats();
    return { sent: s.sent, dropped: s.dropped, failed: s.failed };
  }

  private readonly drainStaging = (): void => {
    this.drainScheduled = false;
    if (this.staging.length === 0) {
      this.emitNotes();
      return;
    }
    const batch = this.staging;
    this.staging = [];
    for (const e of batch) {
      const p = this.prepare(e);
      if ('seq' in p) {
        p.seq = ++this.seq;
        this.enqueue(p);
      } else this.drop(p.reason, p.message, p.path);
    }
    this.afterAdmit();
    this.emitNotes();
  };

  /** Validates and serialises. */
  private prepare(e: Record<string, unknown>): OutMessage | Refusal {
    const problem = this.check(e);
    if (problem) return { ...problem, reason: 'invalid_event' };
    let value: string;
    try {
      value = JSON.stringify(e);
    } catch {
      return { path: 'event', message: 'event is not serialisable as JSON', reason: 'invalid_event' };
    }
    const utf8 = Buffer.byteLength(value, 'utf8');
    if (utf8 > LIMITS.eventBytes) {
      return { path: '', message: `event is ${utf8} bytes, the limit is ${LIMITS.eventBytes}`, reason: 'too_large' };
    }
    // One character outside ASCII makes V8 keep the whole string at two bytes a character: the
    // caps count what the queued value takes in memory, or on the wire if that is more.
    const bytes = utf8 === value.length ? utf8 : Math.max(utf8, 2 * value.length);
    if (this.minEventBytes === 0 || bytes < this.minEventBytes) this.minEventBytes = bytes;
    return { key: keyOf(e), value, bytes, seq: 0 };
  }

  private enqueue(m: OutMessage): void {
    const { accepted, evicted } = this.queue.push(m);
    if (evicted.length > 0) {
      this.settle(evicted, 'dropped');
      this.counters.dropped.queue_full += evicted.length;
      this.note('queue_full', 'queue is full: dropping the oldest events', undefined, undefined, evicted.length);
    }
    if (!accepted) {
      this.settle([m], 'dropped');
      this.drop('queue_full', 'queue is full: dropping new events');
    }
  }

  private afterAdmit(): void {
    if (this.queue.usedEvents < this.queue.maxEvents / 2 && this.queue.usedBytes < this.queue.maxBytes / 2) {
      this.warned.delete('queue_full');
    }
    if (this.queue.length >= this.batchMaxEvents || this.queue.bytes >= this.batchMaxBytes) this.kick();
    else if (this.queue.length > 0 && !this.lingerTimer && !this.pumping) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.kick();
      }, this.lingerMs);
      this.lingerTimer.unref();
    }
  }

  private kick(): void {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    if (!this.pumping) void this.pump();
  }

  /** The single sender: one batch in flight, resent unchanged until it lands or is given up. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (Date.now() < this.abandonAt) {
        if (!this.inflight) {
          if (this.queue.length === 0) break;
          this.inflight = this.queue.take(this.batchMaxEvents, this.batchMaxBytes);
        }
        const batch = this.inflight;
        try {
          const result = await this.transport.send(batch);
          if (this.inflight !== batch) continue;
          this.finishBatch(batch, result?.rejected ?? []);
          this.attempt = 0;
          // Delivering again (also after a failed warm-up, which left `healthy` alone): stop packing.
          this.queue.setPacking(false);
          if (!this.counters.healthy) {
            this.counters.healthy = true;
            this.warned.delete('delivery_retrying');
            this.logger?.warn('delivery recovered');
          }
        } catch (err) {
          if (this.inflight !== batch) continue;
          if (err instanceof PermanentError) {
            this.queue.release(batch);
            this.inflight = undefined;
            this.settle(batch, 'failed');
            this.note('delivery_failed', `batch refused: ${err.message}`, undefined, err, batch.length);
            this.emitNotes();
            continue;
          }
          this.counters.healthy = false;
          this.queue.setPacking(true);
          this.counters.retries++;
          const delay = Math.min(
            Math.max(backoffDelay(this.attempt++, this.backoff), err instanceof RetryAfterError ? err.retryAfterMs : 0),
            this.closed ? 1000 : Infinity,
          );
          this.note('delivery_retrying', `delivery failed, retrying with backoff: ${describe(err)}`, undefined, err, batch.length);
          this.emitNotes();
          await this.sleep(delay);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private finishBatch(batch: OutMessage[], rejected: { index: number; reason: string }[]): void {
    this.queue.release(batch);
    this.inflight = undefined;
    this.counters.batches++;
    if (rejected.length === 0) {
      this.settle(batch, 'sent');
      return;
    }
    const refused = new Set(rejected.map((r) => r.index));
    this.settle(batch.filter((_, i) => !refused.has(i)), 'sent');
    this.settle(batch.filter((_, i) => refused.has(i)), 'failed');
    this.note('rejected', `${rejected.length} events refused: ${rejected[0]!.reason}`, undefined, undefined, rejected.length);
    this.emitNotes();
  }

  private settle(items: readonly OutMessage[], outcome: Outcome): void {
    if (outcome === 'sent') this.counters.sent += items.length;
    else if (outcome === 'failed') this.counters.failed += items.length;
    for (const m of items) {
      if (m.done) {
        const done = m.done;
        m.done = undefined;
        done(outcome);
      }
    }
    this.resolveWaiters();
  }

  /** Every admitted event up to this sequence number is settled: batches go out in order. */
  private settledThrough(): number {
    const oldest = this.inflight?.[0] ?? this.queue.peek();
    return oldest ? oldest.seq - 1 : this.seq;
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const through = this.settledThrough();
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.target <= through) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * The wait before a retry. Unless the host is waiting in flush() or shutdown(), it does not keep
   * the process alive: with the broker gone, a host that is otherwise done must still be able to
   * exit (what is buffered is lost then, as it would be at the shutdown timeout).
   */
  private sleep(ms: number): Promise<void> {
    const until = Math.min(ms, Math.max(0, this.abandonAt - Date.now()));
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.retryTimer === timer) this.retryTimer = undefined;
        resolve();
      };
      const timer = setTimeout(done, until);
      if (this.waiters.length === 0) timer.unref();
      this.retryTimer = timer;
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private drop(reason: keyof Stats['droppedByReason'], message: string, path?: string, cause?: unknown): void {
    this.counters.dropped[reason]++;
    this.note(reason, message, path, cause);
    // Reported on the next turn, once for the whole burst.
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(this.drainStaging);
    }
  }

  private note(code: ErrorCode, message: string, path?: string, cause?: unknown, count = 1): void {
    const prev = this.pendingNotes.get(code);
    if (prev) prev.count += count;
    else this.pendingNotes.set(code, { code, message, count, path, cause });
  }

  /** Reports accumulated problems: one onError call per code per turn, one warning per condition. */
  private emitNotes(): void {
    if (this.pendingNotes.size === 0) return;
    for (const n of this.pendingNotes.values()) {
      const condition = n.code === 'invalid_event' ? `${n.code}:${n.path ?? ''}` : n.code;
      if (!this.warned.has(condition)) {
        this.warned.add(condition);
        this.logger?.warn(`${n.code}: ${n.message}`);
      }
      if (this.options.onError) {
        try {
          this.options.onError(n);
        } catch {
          // The host's hook failing must not break delivery.
        }
      }
    }
    this.pendingNotes.clear();
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 200);
  return String(err).slice(0, 200);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
