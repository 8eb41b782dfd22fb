/**
 * The stream processor's consumer runtime: exactly-once from Kafka into ClickHouse.
 *
 * Fetched messages go to a per-partition inbox and the fetch returns at once, so kafkajs fetches
 * the next batch while a single pump sends chunks of the inboxes to the pipeline pool (validate,
 * redact, enrich, encode; on worker threads) and appends the results, in offset order, to per-
 * partition buffers.
 * A buffer is flushed when it reaches maxRows/maxBytes or maxWaitMs. A flush of offsets [from, to]:
 *   1. commits offset `from` with the metadata `lookout:v1:pending:<from>-<to>` (the intent),
 *   2. inserts the rows (and dead letters) with the deduplication token `<topic>/<p>/<from>-<to>`,
 *   3. sends dead letters to the DLQ topic,
 *   4. commits offset `to + 1` with no metadata.
 * A processor killed anywhere in between restarts from `from`, reads the intent, and re-forms
 * exactly the same batch: ClickHouse drops the repeated insert by its token (the rollup views too),
 * so nothing is lost and nothing is counted twice. Rebalances take the same path.
 */
import { promisify } from 'node:util';
import { gzip, unzipSync } from 'node:zlib';
import kafkajs, { CompressionTypes, Partitioners, type Admin, type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { chTime, type ClickHouseClient } from '../common/clickhouse.ts';
import type { Logger } from '../common/logger.ts';
import type { ProcessorMetrics } from './metrics.ts';
import type { DeadLetter } from './pipeline.ts';
import type { ChunkMessage, ChunkOutcome, PipelinePool } from './pipeline-pool.ts';
import { ClickHouseWriter, GaveUp } from './writer.ts';

export interface BatchOptions {
  maxRows: number;
  maxBytes: number;
  maxWaitMs: number;
}

export interface ConsumerOptions {
  kafka: Kafka;
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  clickhouse: ClickHouseClient;
  database: string;
  pipeline: PipelinePool;
  /** The `(a, b, ...)` column list of the `events` insert, in the rows' encoding order (insertColumnList). */
  eventColumns: string;
  batch: BatchOptions;
  log: Logger;
  metrics: ProcessorMetrics;
}

const MARKER = 'lookout:v1:pending:';

/**
 * Message bytes fetched but not processed yet, over all partitions, past which the fetch waits:
 * enough to keep the next fetch in flight while this one is processed, small enough for memory.
 */
const INBOX_MAX_BYTES = 48 * 1024 * 1024;

interface Item {
  offset: bigint;
  bytes: number;
  /** The events row, encoded at once: a buffered batch is then a few buffers, not object graphs for the GC to trace. */
  line?: Buffer;
  dead?: DeadLetter;
  type?: string;
  redactions?: Record<string, number>;
  unpriced?: boolean;
}

interface PartitionBuffer {
  items: Item[];
  bytes: number;
  firstAt: number;
  /**
   * A batch that was started but may not have finished (by a previous owner, or by us before an
   * error): re-form exactly this one. `committed` says whether its intent is already in Kafka.
   */
  pending?: { from: bigint; to: bigint; committed: boolean };
  generation: number;
  /** Fetched, not yet processed, in offset order: kafkajs batches, and the position in the first. */
  inbox: KafkaMessage[][];
  inboxAt: number;
  /** Messages in the inbox. */
  waiting: number;
}

const gzipAsync = promisify(gzip);

/**
 * kafkajs inflates a fetch one record batch after another, each in the thread pool and awaited, so
 * every batch waits for its turn on a busy event loop: fetches took seconds (~20 ms a batch) and
 * the inbox ran dry. Inflating in place makes a fetch take only as long as its work. Compression
 * (the dead-letter producer) stays as kafkajs does it. Process-wide, as kafkajs codecs are.
 */
export function inflateInPlace(): void {
  // Not a named ESM export of kafkajs (CommonJS), so reached through the default export.
  kafkajs.CompressionCodecs[CompressionTypes.GZIP] = () => ({
    compress: async (encoder: { buffer: Buffer }) => gzipAsync(encoder.buffer),
    decompress: async (buffer: Buffer) => unzipSync(buffer),
  });
}

/** Removes up to `max` messages from the front of a partition's inbox. */
function takeFromInbox(buf: PartitionBuffer, max: number): KafkaMessage[] {
  const taken: KafkaMessage[] = [];
  while (taken.length < max && buf.inbox.length > 0) {
    const messages = buf.inbox[0]!;
    const n = Math.min(max - taken.length, messages.length - buf.inboxAt);
    for (let i = 0; i < n; i++) taken.push(messages[buf.inboxAt + i]!);
    buf.inboxAt += n;
    if (buf.inboxAt === messages.length) {
      buf.inbox.shift();
      buf.inboxAt = 0;
    }
  }
  return taken;
}

export function parseMarker(metadata: string | null | undefined): { from: bigint; to: bigint } | undefined {
  if (!metadata?.startsWith(MARKER)) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(metadata.slice(MARKER.length));
  return m ? { from: BigInt(m[1]!), to: BigInt(m[2]!) } : undefined;
}

export function markerFor(from: bigint, to: bigint): string {
  return `${MARKER}${from}-${to}`;
}

function deadLetterRow(d: DeadLetter, topic: string): Record<string, unknown> {
  return { ...d, received_at: chTime(d.received_at), source_topic: topic };
}

export class EventConsumer {
  private consumer: Consumer;
  private producer: Producer;
  private admin: Admin;
  private writer: ClickHouseWriter;
  private generation = 0;
  private buffers = new Map<number, PartitionBuffer>();
  /** Serialises flushes per partition, across generations. */
  private locks = new Map<number, Promise<void>>();
  /** Partitions with a background flush queued and not yet finished. */
  private queued = new Set<number>();
  private markers: Promise<Map<number, { offset: bigint; metadata: string | null }>> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private crashed: Error | undefined;
  /** kafkajs crashed on a retriable error and restarts the consumer: unhealthy until it rejoins. */
  private restarting = false;
  private inboxBytes = 0;
  private pumping = false;
  /** Woken when the pump makes progress, a flush ends, or the generation changes. */
  private waiters: (() => void)[] = [];

  constructor(private readonly o: ConsumerOptions) {
    inflateInPlace();
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // Compressed sizes: gzip'd events inflate about tenfold, so one fetch brings up to ~80 MB of
      // events, and the next one is fetched while those are processed (see INBOX_MAX_BYTES).
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 4 * 1024 * 1024,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    this.producer = o.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    this.admin = o.kafka.admin();
    this.writer = new ClickHouseWriter(o.clickhouse, o.database, o.log, (table, rows, seconds, ok) => {
      o.metrics.insertSeconds.observe({ table, outcome: ok ? 'ok' : 'error' }, seconds);
      if (ok && table === 'events') o.metrics.batchRows.observe(rows);
    });
  }

  get healthy(): boolean {
    return !this.crashed && !this.restarting;
  }

  async start(): Promise<void> {
    await Promise.all([this.consumer.connect(), this.producer.connect(), this.admin.connect()]);
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      // A new generation: buffered items may now belong to another replica. Drop them; every
      // partition restarts from its committed offset (and intent marker).
      this.generation++;
      if (this.restarting) {
        this.restarting = false;
        this.o.log.info({ generation: this.generation }, 'consumer recovered');
      }
      this.buffers.clear();
      this.inboxBytes = 0;
      // Fetched now, while the first fetch is in flight, rather than by that fetch's first batch.
      this.markers = undefined;
      this.committedMarkers().catch(() => undefined);
      this.wake();
      this.o.log.info({ generation: this.generation, assigned: e.payload.memberAssignment }, 'partitions assigned');
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      // A retriable crash (broker away, coordinator still loading after a broker start) is followed
      // by kafkajs's own restart; only one it will not restart from leaves the processor dead.
      if (e.payload.restart) {
        this.restarting = true;
        this.o.log.warn({ err: e.payload.error.message }, 'consumer restarting after a retriable error');
      } else {
        this.crashed = e.payload.error;
        this.o.log.error({ err: e.payload.error.message }, 'consumer crashed and will not restart');
      }
    });
    await this.consumer.subscribe({ topic: this.o.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.timer = setInterval(() => this.flushExpired(), Math.max(20, Math.min(100, this.o.batch.maxWaitMs / 4)));
  }

  /** Graceful stop: flush what is buffered, commit, leave the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.timer);
    this.wake();
    const generation = this.generation;
    await Promise.all([...this.buffers.keys()].map((p) => this.flush(p, generation, true).catch(() => undefined)));
    await this.consumer.disconnect();
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private committedMarkers(): Promise<Map<number, { offset: bigint; metadata: string | null }>> {
    if (!this.markers) {
      const fetching = this.admin.fetchOffsets({ groupId: this.o.groupId, topics: [this.o.topic] }).then((res) => {
        const map = new Map<number, { offset: bigint; metadata: string | null }>();
        for (const p of res[0]?.partitions ?? []) map.set(p.partition, { offset: BigInt(p.offset), metadata: p.metadata });
        return map;
      });
      this.markers = fetching;
      // A failed lookup is made again by the next batch, not remembered.
      fetching.catch(() => {
        if (this.markers === fetching) this.markers = undefined;
      });
    }
    return this.markers;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isStale, isRunning }: EachBatchPayload): Promise<void> {
    if (this.stopping || isStale() || !isRunning() || batch.messages.length === 0) return;
    const generation = this.generation;
    const p = batch.partition;
    let buf = this.buffers.get(p);
    if (!buf || buf.generation !== generation) {
      const committed = (await this.committedMarkers()).get(p);
      if (generation !== this.generation) return;
      const pending = parseMarker(committed?.metadata);
      // The intent applies only if consumption resumes exactly where it was written.
      const resumes = pending && committed?.offset === pending.from;
      buf = { items: [], bytes: 0, firstAt: 0, generation, pending: resumes ? { ...pending, committed: true } : undefined, inbox: [], inboxAt: 0, waiting: 0 };
      if (buf.pending) this.o.metrics.replays.inc();
      this.buffers.set(p, buf);
    }
    // Resolving only moves kafkajs's fetch position: offsets are committed by flushes alone, so
    // messages still in the inbox when the process stops are read again by the next owner.
    buf.inbox.push(batch.messages);
    buf.waiting += batch.messages.length;
    for (const m of batch.messages) this.inboxBytes += m.value?.byteLength ?? 0;
    resolveOffset(batch.messages.at(-1)!.offset);
    this.o.metrics.lag.set({ partition: String(p) }, Number(batch.offsetLag()));
    this.pump();
    // The pump may be waiting on other partitions' inserts while this one can go on.
    this.wake();
    while (this.inboxBytes > INBOX_MAX_BYTES && !this.stopping && generation === this.generation && isRunning() && !isStale()) {
      await this.withHeartbeat(this.progress(), heartbeat);
    }
    await heartbeat();
  }

  private progress(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** A partition holding two batches (one being written, one full behind it) takes no more rows. */
  private backedUp(buf: PartitionBuffer): boolean {
    // A batch being re-formed must reach its end first, whatever its size.
    if (buf.pending && !this.isFull(buf)) return false;
    return buf.items.length >= 2 * this.o.batch.maxRows || buf.bytes >= 2 * this.o.batch.maxBytes;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.drainInboxes()
      .catch((err: Error) => {
        this.crashed = err;
        this.o.log.error({ err: err.message }, 'processing loop failed');
      })
      .finally(() => {
        this.pumping = false;
        this.wake();
      });
  }

  /**
   * Sends chunks of the inboxes to the pipeline pool, one partition at a time so each fills whole
   * batches, moving on when a partition's inbox is empty or its buffer is backed up behind a slow
   * insert. Up to the pool's capacity of chunks are in flight; their results are appended in the
   * order the chunks were sent, so each partition's rows stay in offset order.
   */
  private async drainInboxes(): Promise<void> {
    const pool = this.o.pipeline;
    const inFlight: { partition: number; buf: PartitionBuffer; messages: KafkaMessage[]; outcomes: Promise<ChunkOutcome[]> }[] = [];
    let current: number | undefined;
    while (!this.stopping) {
      let blocked = false;
      while (inFlight.length < pool.capacity) {
        const pick = this.pickPartition(current);
        blocked ||= pick.blocked;
        if (pick.next === undefined) break;
        current = pick.next;
        const buf = this.buffers.get(current)!;
        const messages = takeFromInbox(buf, pool.chunkSize);
        const chunk: ChunkMessage[] = messages.map((m) => ({ value: m.value, offset: m.offset }));
        const outcomes = pool.run(current, chunk);
        // Chunks still in flight when the loop ends are dropped; their failure is not an error.
        outcomes.catch(() => undefined);
        inFlight.push({ partition: current, buf, messages, outcomes });
      }
      const head = inFlight.shift();
      if (!head) {
        if (!blocked) return;
        await this.progress();
        continue;
      }
      let outcomes: ChunkOutcome[];
      try {
        outcomes = await head.outcomes;
      } catch (err) {
        // The pool stops with the processor; a chunk cut short then is read again by the next owner.
        if (this.stopping) return;
        throw err;
      }
      this.append(head.partition, head.buf, head.messages, outcomes);
      this.wake();
      // Inline chunks resolve at once: let fetches, inserts and commits run between them.
      await new Promise(setImmediate);
    }
  }

  /** The partition to take the next chunk from: the current one while it has messages and room. */
  private pickPartition(current: number | undefined): { next?: number; blocked: boolean } {
    const cur = current === undefined ? undefined : this.buffers.get(current);
    if (cur && cur.inbox.length > 0 && !this.backedUp(cur)) return { next: current, blocked: false };
    let blocked = false;
    for (const [p, buf] of this.buffers) {
      if (buf.inbox.length === 0) continue;
      if (this.backedUp(buf)) blocked = true;
      else return { next: p, blocked };
    }
    return { blocked };
  }

  private append(partition: number, buf: PartitionBuffer, messages: KafkaMessage[], outcomes: ChunkOutcome[]): void {
    // A rebalance while the chunk was processed: its messages go to the partition's next owner.
    if (this.buffers.get(partition) !== buf) return;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const out = outcomes[i]!;
      const bytes = message.value?.byteLength ?? 0;
      this.inboxBytes -= bytes;
      buf.waiting--;
      const item: Item = { offset: BigInt(message.offset), bytes, line: out.line, dead: out.dead, type: out.type, redactions: out.redactions, unpriced: out.unpriced };
      if (buf.items.length === 0) buf.firstAt = Date.now();
      buf.items.push(item);
      buf.bytes += bytes;
      // Insert in the background while the next rows are processed.
      if (this.isFull(buf)) void this.kick(partition, buf.generation);
    }
    this.o.metrics.eventsIn.inc(messages.length);
  }

  private isFull(buf: PartitionBuffer): boolean {
    if (buf.pending) return buf.items.length > 0 && buf.items.at(-1)!.offset >= buf.pending.to;
    return buf.items.length >= this.o.batch.maxRows || buf.bytes >= this.o.batch.maxBytes;
  }

  private flushExpired(): void {
    const now = Date.now();
    for (const [p, buf] of this.buffers) {
      // A partition whose inbox holds the rest of a full batch fills it first: flushing early
      // would only make more, smaller inserts while catching up.
      const filling = buf.items.length + buf.waiting >= this.o.batch.maxRows && !this.backedUp(buf);
      if (buf.items.length > 0 && !filling && now - buf.firstAt >= this.o.batch.maxWaitMs) void this.kick(p, buf.generation);
    }
  }

  /** To the DLQ topic in requests well under the broker's 1 MiB batch limit (payloads reach 256 KiB). */
  private async sendDeadLetters(dead: DeadLetter[], partition: number): Promise<void> {
    let batch: { key: string; value: string }[] = [];
    let bytes = 0;
    const send = async () => {
      if (batch.length === 0) return;
      await this.producer.send({ topic: this.o.deadLetterTopic, acks: -1, compression: CompressionTypes.GZIP, messages: batch });
      batch = [];
      bytes = 0;
    };
    for (const d of dead) {
      const value = JSON.stringify({ ...d, source_topic: this.o.topic });
      if (bytes + value.length > 512 * 1024) await send();
      batch.push({ key: `${partition}:${d.source_offset}`, value });
      bytes += value.length;
    }
    await send();
  }

  /** Waits for a long flush while keeping the group membership alive. */
  private async withHeartbeat(work: Promise<void>, heartbeat: () => Promise<void>): Promise<void> {
    let done = false;
    const finished = work.finally(() => (done = true));
    while (!done) {
      await Promise.race([finished, new Promise((r) => setTimeout(r, 1_000))]);
      if (!done) await heartbeat().catch(() => undefined);
    }
    await finished;
  }

  /** Starts a flush unless one is already queued for the partition; returns the chain's tail. */
  private kick(partition: number, generation: number): Promise<void> {
    if (!this.queued.has(partition)) {
      this.queued.add(partition);
      const run = this.flush(partition, generation, false).finally(() => {
        this.queued.delete(partition);
        const buf = this.buffers.get(partition);
        // Another full batch piled up while this one was written: keep the pipeline going.
        if (buf && buf.generation === generation && !this.stopping && this.isFull(buf)) void this.kick(partition, generation);
        this.wake();
      });
      run.catch((err) => this.o.log.error({ partition, err: (err as Error).message }, 'flush failed; retrying'));
    }
    return this.locks.get(partition) ?? Promise.resolve();
  }

  private flush(partition: number, generation: number, final: boolean): Promise<void> {
    const previous = this.locks.get(partition) ?? Promise.resolve();
    const next = previous.then(() => this.flushNow(partition, generation, final));
    this.locks.set(partition, next.catch(() => undefined));
    return next;
  }

  /** Metrics of a committed batch, summed first: a labelled counter update costs more than a row's addition. */
  private countWritten(chunk: Item[]): void {
    const written = new Map<string, number>();
    const redactions = new Map<string, number>();
    let unpriced = 0;
    for (const i of chunk) {
      if (i.type) written.set(i.type, (written.get(i.type) ?? 0) + 1);
      if (i.dead) this.o.metrics.deadLetters.inc({ reason: i.dead.reason });
      if (i.redactions) for (const entity in i.redactions) redactions.set(entity, (redactions.get(entity) ?? 0) + i.redactions[entity]!);
      if (i.unpriced) unpriced++;
    }
    for (const [type, n] of written) this.o.metrics.eventsWritten.inc({ type }, n);
    for (const [entity, n] of redactions) this.o.metrics.redactions.inc({ entity }, n);
    if (unpriced > 0) this.o.metrics.unpriced.inc(unpriced);
  }

  private async flushNow(partition: number, generation: number, final: boolean): Promise<void> {
    const buf = this.buffers.get(partition);
    if (!buf || buf.generation !== generation || generation !== this.generation || buf.items.length === 0) return;
    let count: number;
    if (buf.pending) {
      // Re-form the interrupted batch exactly; if not all of it has arrived yet, wait for it.
      if (buf.items.at(-1)!.offset < buf.pending.to) return;
      const to = buf.pending.to;
      count = buf.items.findIndex((i) => i.offset > to);
      if (count === -1) count = buf.items.length;
    } else {
      count = Math.min(buf.items.length, this.o.batch.maxRows);
      let bytes = 0;
      for (let i = 0; i < count; i++) {
        bytes += buf.items[i]!.bytes;
        if (bytes > this.o.batch.maxBytes && i > 0) {
          count = i;
          break;
        }
      }
    }
    const chunk = buf.items.slice(0, count);
    const from = chunk[0]!.offset;
    const to = chunk.at(-1)!.offset;
    const { topic } = this.o;
    const stillOurs = () => (final ? true : !this.stopping) && generation === this.generation;
    let intentCommitted = buf.pending?.committed ?? false;
    try {
      if (!intentCommitted) {
        await this.consumer.commitOffsets([{ topic, partition, offset: String(from), metadata: markerFor(from, to) }]);
        intentCommitted = true;
      }
      const token = `${topic}/${partition}/${from}-${to}`;
      const lines: Buffer[] = [];
      const dead: DeadLetter[] = [];
      for (const i of chunk) {
        if (i.line) lines.push(i.line);
        else if (i.dead) dead.push(i.dead);
      }
      const control = { keepTrying: stillOurs };
      await this.writer.insertRowBinary('events', this.o.eventColumns, lines, `${token}/events`, control);
      await this.writer.insert('dead_letters', dead.map((d) => deadLetterRow(d, topic)), `${token}/dead_letters`, control);
      await this.sendDeadLetters(dead, partition);
      await this.consumer.commitOffsets([{ topic, partition, offset: String(to + 1n), metadata: null }]);
      buf.items.splice(0, count);
      buf.bytes -= chunk.reduce((s, i) => s + i.bytes, 0);
      buf.pending = undefined;
      if (buf.items.length > 0) buf.firstAt = Date.now();
      this.countWritten(chunk);
    } catch (err) {
      if (err instanceof GaveUp) {
        this.o.log.info({ partition, from: String(from), to: String(to) }, 'batch left for the next owner of the partition');
        return;
      }
      // The batch stays buffered; the next attempt (after maxWaitMs) re-forms the same range.
      buf.pending = { from, to, committed: intentCommitted };
      buf.firstAt = Date.now();
      throw err;
    }
  }
}
