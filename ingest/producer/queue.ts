/**
 * Bounded FIFO of serialised events, capped by count and by bytes. Items taken for sending stay
 * "held" (counted against the caps) until released or put back, so a batch in flight cannot let
 * the buffer grow past its cap while the broker is away. With a packer and packing switched on
 * (the broker is away), runs of items far from the head are kept as packed blocks, unpacked when
 * they reach the head; the caps count a block as the items it holds.
 */
export type FullPolicy = 'drop_newest' | 'drop_oldest';

export interface Sized {
  bytes: number;
}

export interface Block {
  readonly packedCount: number;
  readonly bytes: number;
}

export interface Packer<T extends Sized, B extends Block> {
  pack(items: readonly T[]): B;
  unpack(block: B): T[];
  /** Items per block. */
  run: number;
  /** Bytes that must be queued ahead of a run before it is packed: the next batches stay as they are. */
  after: number;
}

export interface PushResult<T> {
  accepted: boolean;
  /** Items evicted to make room (drop_oldest), oldest first. */
  evicted: T[];
}

const isBlock = (x: unknown): x is Block => typeof (x as Block).packedCount === 'number';

export class BoundedQueue<T extends Sized, B extends Block = Block> {
  private items: (T | B)[] = [];
  private head = 0;
  private queuedCount = 0;
  private queuedBytes = 0;
  private heldCount = 0;
  private heldBytes = 0;
  /** The run being filled: the newest items, at most `packer.run`, and their bytes. */
  private tailCount = 0;
  private tailBytes = 0;
  private packing = false;
  private packedItems = 0;

  constructor(
    readonly maxEvents: number,
    readonly maxBytes: number,
    readonly policy: FullPolicy,
    private readonly packer?: Packer<T, B>,
  ) {
    if (!(maxEvents > 0) || !(maxBytes > 0)) throw new RangeError('queue caps must be positive');
  }

  /** Packs runs of new items from now on (or stops); blocks already made stay until taken. */
  setPacking(on: boolean): void {
    this.packing = on && this.packer !== undefined;
  }

  /** Queued items held in packed blocks. */
  get packedCount(): number {
    return this.packedItems;
  }

  /** Events waiting to be taken. */
  get length(): number {
    return this.queuedCount;
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
    this.queuedCount++;
    this.queuedBytes += item.bytes;
    this.tailCount++;
    this.tailBytes += item.bytes;
    if (this.packer && this.tailCount >= this.packer.run) this.closeRun();
    return { accepted: true, evicted };
  }

  /** A full run is packed if packing is on and enough is queued ahead of it; either way a new run starts. */
  private closeRun(): void {
    if (this.packing && this.queuedBytes - this.tailBytes >= this.packer!.after) {
      const run = this.items.splice(this.items.length - this.tailCount) as T[];
      this.items.push(this.packer!.pack(run));
      this.packedItems += run.length;
    }
    this.tailCount = 0;
    this.tailBytes = 0;
  }

  /** The head item is an item, not a block: a block there is unpacked in place. */
  private unpackHead(): void {
    const first = this.items[this.head];
    if (first === undefined || !isBlock(first)) return;
    this.items.splice(this.head, 1, ...this.packer!.unpack(first as B));
    this.packedItems -= first.packedCount;
  }

  /** The oldest queued item, without taking it. */
  peek(): T | undefined {
    this.unpackHead();
    return this.head < this.items.length ? (this.items[this.head] as T) : undefined;
  }

  /** Takes up to `maxCount` items and `maxBytes` bytes (at least one item) and holds them. */
  take(maxCount: number, maxBytes: number): T[] {
    const out: T[] = [];
    let bytes = 0;
    while (this.length > 0 && out.length < maxCount) {
      this.unpackHead();
      const next = this.items[this.head] as T;
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
    const out = this.items.slice(this.head).flatMap((x) => (isBlock(x) ? this.packer!.unpack(x as B) : [x]));
    this.items = [];
    this.head = 0;
    this.queuedCount = 0;
    this.queuedBytes = 0;
    this.packedItems = 0;
    this.tailCount = 0;
    this.tailBytes = 0;
    return out;
  }

  private shift(): T | undefined {
    this.unpackHead();
    if (this.head >= this.items.length) return undefined;
    const it = this.items[this.head] as T;
    (this.items as (T | B | undefined)[])[this.head] = undefined;
    this.head++;
    this.queuedCount--;
    this.queuedBytes -= it.bytes;
    // Taken from the unpacked tail itself (nothing else was left ahead of it).
    if (this.items.length - this.head < this.tailCount) {
      this.tailCount--;
      this.tailBytes -= it.bytes;
    }
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
