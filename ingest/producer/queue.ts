/**
 * Bounded FIFO of serialised events, capped by count and by bytes. Items taken for sending stay
 * "held" (counted against the caps) until released or put back, so a batch in flight cannot let
 * the buffer grow past its cap while the broker is away.
 */
export type FullPolicy = 'drop_newest' | 'drop_oldest';

export interface Sized {
  bytes: number;
}

export interface PushResult<T> {
  accepted: boolean;
  /** Items evicted to make room (drop_oldest), oldest first. */
  evicted: T[];
}

export class BoundedQueue<T extends Sized> {
  private items: T[] = [];
  private head = 0;
  private queuedBytes = 0;
  private heldCount = 0;
  private heldBytes = 0;

  constructor(
    readonly maxEvents: number,
    readonly maxBytes: number,
    readonly policy: FullPolicy,
  ) {
    if (!(maxEvents > 0) || !(maxBytes > 0)) throw new RangeError('queue caps must be positive');
  }

  /** Events waiting to be taken. */
  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Events and bytes counted against the caps: queued plus held. */
  get usedEvents(): number {
    return this.length + this.heldCount;
  }

  get usedBytes(): number {
    return this.queuedBytes + this.heldBytes;
  }

  /** Whether `events` more items totalling `bytes` fit without evicting anything. */
  fits(events: number, bytes: number): boolean {
    return this.usedEvents + events <= this.maxEvents && this.usedBytes + bytes <= this.maxBytes;
  }

  push(item: T): PushResult<T> {
    const evicted: T[] = [];
    if (item.bytes > this.maxBytes) return { accepted: false, evicted };
    if (!this.fits(1, item.bytes)) {
      if (this.policy === 'drop_newest') return { accepted: false, evicted };
      while (this.length > 0 && !this.fits(1, item.bytes)) evicted.push(this.shift()!);
      // Only held (in-flight) items are left: they cannot be evicted, so the newcomer goes.
      if (!this.fits(1, item.bytes)) return { accepted: false, evicted };
    }
    this.items.push(item);
    this.queuedBytes += item.bytes;
    return { accepted: true, evicted };
  }

  /** The oldest queued item, without taking it. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Takes up to `maxCount` items and `maxBytes` bytes (at least one item) and holds them. */
  take(maxCount: number, maxBytes: number): T[] {
    const out: T[] = [];
    let bytes = 0;
    while (this.length > 0 && out.length < maxCount) {
      const next = this.items[this.head]!;
      if (out.length > 0 && bytes + next.bytes > maxBytes) break;
      out.push(this.shift()!);
      bytes += next.bytes;
    }
    this.heldCount += out.length;
    this.heldBytes += bytes;
    return out;
  }

  /** The held items were delivered or given up: they stop counting against the caps. */
  release(items: readonly T[]): void {
    for (const it of items) this.heldBytes -= it.bytes;
    this.heldCount -= items.length;
  }

  /** Removes every queued (not held) item. */
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.queuedBytes = 0;
    return out;
  }

  private shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const it = this.items[this.head]!;
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    this.queuedBytes -= it.bytes;
    // Compact now and then so shifting stays O(1) amortised without keeping a dead prefix alive.
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return it;
  }
}
