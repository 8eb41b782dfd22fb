/**
 * Runs the pipeline (processors/pipeline.ts) over chunks of Kafka messages on worker threads, so
 * that validation, redaction and row encoding use more than one core while the main thread fetches
 * from Kafka and writes to ClickHouse. With no workers the chunks run inline, with the same results.
 *
 * A chunk crosses the thread boundary as two transferred buffers each way (message bytes in,
 * encoded rows out) plus small per-message fields, so nothing is copied per event but the bytes.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PriceTable, type PriceFamilyInput } from './enrich/prices.ts';
import { processMessage, warmUp, type DeadLetter, type PipelineContext } from './pipeline.ts';
import { createRedactor } from './redaction/redactor.ts';
import type { RedactionOptions } from './redaction/types.ts';
import { RowBinaryEncoder, type ColumnType } from './rowbinary.ts';

/** Everything a worker needs to build its own pipeline: plain data, so it can be sent to a thread. */
export interface PipelineSettings {
  redaction: RedactionOptions;
  priceOverrides: PriceFamilyInput[];
  retentionDays: number;
  /** The `events` columns the server reported (see ClickHouseWriter.columns). */
  columns: ColumnType[];
}

export interface ChunkMessage {
  value: Buffer | null;
  offset: string;
}

/** One message's result: an encoded row, or a dead letter. */
export interface ChunkOutcome {
  line?: Buffer;
  type?: string;
  redactions?: Record<string, number>;
  unpriced?: boolean;
  dead?: DeadLetter;
}

interface ChunkRequest {
  id: number;
  partition: number;
  offsets: string[];
  /** Byte length of each message value, -1 for a null value. */
  sizes: Int32Array;
  data: ArrayBuffer;
}

interface ChunkReply {
  id: number;
  /** Byte length of each message's encoded row, -1 for a dead letter. */
  lineSizes: Int32Array;
  lines: ArrayBuffer;
  types: (string | undefined)[];
  unpriced: Uint8Array;
  redactions: [number, Record<string, number>][];
  dead: [number, DeadLetter][];
  unknownModels: string[];
}

export function pipelineContext(s: PipelineSettings, prices: PriceTable): PipelineContext {
  return {
    redactor: createRedactor(s.redaction),
    prices,
    now: Date.now,
    retentionDays: s.retentionDays,
    encoder: new RowBinaryEncoder(s.columns),
  };
}

export function processChunk(ctx: PipelineContext, partition: number, messages: ChunkMessage[]): ChunkOutcome[] {
  const out: ChunkOutcome[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const r = processMessage({ value: m.value, partition, offset: m.offset }, ctx);
    out[i] =
      r.kind === 'row'
        ? { line: r.line, type: r.event.type, redactions: r.redactions, unpriced: r.event.type === 'response' && !r.priced }
        : { dead: r.dead };
  }
  return out;
}

function packRequest(id: number, partition: number, messages: ChunkMessage[]): ChunkRequest {
  const sizes = new Int32Array(messages.length);
  let total = 0;
  for (let i = 0; i < messages.length; i++) {
    const v = messages[i]!.value;
    sizes[i] = v === null ? -1 : v.byteLength;
    total += v?.byteLength ?? 0;
  }
  const data = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const m of messages) if (m.value) at += m.value.copy(data, at);
  return { id, partition, offsets: messages.map((m) => m.offset), sizes, data: data.buffer as ArrayBuffer };
}

function unpackRequest(req: ChunkRequest): ChunkMessage[] {
  const data = Buffer.from(req.data);
  let at = 0;
  return req.offsets.map((offset, i) => {
    const size = req.sizes[i]!;
    if (size < 0) return { value: null, offset };
    const value = data.subarray(at, at + size);
    at += size;
    return { value, offset };
  });
}

function packReply(id: number, outcomes: ChunkOutcome[], unknownModels: string[]): ChunkReply {
  const lineSizes = new Int32Array(outcomes.length);
  const unpriced = new Uint8Array(outcomes.length);
  const types: (string | undefined)[] = new Array(outcomes.length);
  const redactions: [number, Record<string, number>][] = [];
  const dead: [number, DeadLetter][] = [];
  let total = 0;
  for (const o of outcomes) total += o.line?.byteLength ?? 0;
  const lines = Buffer.allocUnsafeSlow(total);
  let at = 0;
  outcomes.forEach((o, i) => {
    types[i] = o.type;
    if (o.dead) {
      lineSizes[i] = -1;
      dead.push([i, o.dead]);
      return;
    }
    lineSizes[i] = o.line!.byteLength;
    at += o.line!.copy(lines, at);
    if (o.unpriced) unpriced[i] = 1;
    if (o.redactions && Object.keys(o.redactions).length > 0) redactions.push([i, o.redactions]);
  });
  return { id, lineSizes, lines: lines.buffer as ArrayBuffer, types, unpriced, redactions, dead, unknownModels };
}

function unpackReply(reply: ChunkReply): ChunkOutcome[] {
  const lines = Buffer.from(reply.lines);
  const out: ChunkOutcome[] = new Array(reply.lineSizes.length);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    const size = reply.lineSizes[i]!;
    if (size < 0) continue;
    out[i] = { line: lines.subarray(at, at + size), type: reply.types[i], unpriced: reply.unpriced[i] === 1 };
    at += size;
  }
  for (const [i, counts] of reply.redactions) out[i]!.redactions = counts;
  for (const [i, dead] of reply.dead) out[i] = { dead };
  return out;
}

/** The worker thread's side: build the pipeline, warm it up, then answer chunk requests. */
export function serveChunks(settings: PipelineSettings, port: { postMessage(m: unknown, transfer?: ArrayBuffer[]): void; on(e: 'message', f: (m: ChunkRequest) => void): void }): void {
  const unknown: string[] = [];
  const ctx = pipelineContext(settings, new PriceTable({ overrides: settings.priceOverrides, onUnknownModel: (label) => unknown.push(label) }));
  const warmed = warmUp(ctx);
  port.on('message', (req) => {
    const reply = packReply(req.id, processChunk(ctx, req.partition, unpackRequest(req)), unknown.splice(0));
    port.postMessage(reply, [reply.lines]);
  });
  port.postMessage({ ready: warmed });
}

/**
 * Worker threads for this machine: one per core, 2 to 8. The main thread mostly waits (it was 75 %
 * idle beside one worker), and on the project's 2-core VM two workers beat one and none in each of
 * three back-to-back rounds of bench/processor-e2e.ts, with ClickHouse and Kafka on the same cores.
 */
export function defaultWorkers(): number {
  return Math.max(2, Math.min(8, availableParallelism()));
}

interface Job {
  resolve: (outcomes: ChunkOutcome[]) => void;
  reject: (err: Error) => void;
}

interface WorkerState {
  worker: Worker;
  /** In the order sent: a worker runs its chunks one at a time, so the first is the one in hand. */
  jobs: Map<number, Job>;
}

/** A worker thread died (out of memory, a native crash) before answering a chunk. */
export class WorkerCrashed extends Error {
  constructor(
    /** The worker had this chunk in hand; the other chunks queued behind it are innocent. */
    readonly inHand: boolean,
    readonly exitCode: number | undefined,
  ) {
    super(`a pipeline worker thread died (exit code ${exitCode ?? 'none'})`);
  }
}

export interface PoolOptions {
  /** Told of each worker that died and is being replaced, with its exit code. */
  onCrash?: (exitCode: number | undefined) => void;
  /** The worker's entry module (tests substitute one that can be made to crash). */
  workerUrl?: URL;
}

/** A message that killed a worker twice, once in its chunk and once alone: dead-lettered, not retried again. */
function crashedDeadLetter(partition: number, m: ChunkMessage): DeadLetter {
  return {
    received_at: Date.now(),
    source_partition: partition,
    source_offset: m.offset,
    reason: 'worker_crashed',
    field_path: '',
    message: 'a pipeline worker thread died processing this message, again when it was sent alone; it was not stored',
    event_id: '',
    tenant: '',
    type: '',
    payload_bytes: m.value?.byteLength ?? 0,
    payload_redacted: '',
  };
}

export class PipelinePool {
  /** Live workers, ready to take chunks. */
  private workers: WorkerState[] = [];
  /** Every worker not yet exited, ready or still warming up. */
  private readonly threads = new Set<Worker>();
  private nextId = 0;
  private broken: Error | undefined;
  private stopped = false;
  /** Callers of run() waiting for a live worker while all are being replaced. */
  private waiting: (() => void)[] = [];
  /** The pipeline of the calling thread, built only when there are no workers. */
  private readonly inline: PipelineContext | undefined;

  /**
   * `size` 0 runs chunks on the calling thread; otherwise each worker builds its own pipeline from
   * `settings`. Either way unknown models are counted on `prices`, where /metrics is served.
   */
  constructor(
    private readonly settings: PipelineSettings,
    private readonly prices: PriceTable,
    readonly size: number,
    private readonly options: PoolOptions = {},
  ) {
    if (size === 0) this.inline = pipelineContext(settings, prices);
  }

  /**
   * Chunks that may be in flight at once. A worker's queue must outlast the main thread's longest
   * stretch of other work (decoding a large fetch takes tens of milliseconds) or the worker idles.
   */
  get capacity(): number {
    return this.size === 0 ? 1 : 8 * this.size;
  }

  /** Messages per chunk: small inline (the event loop waits for a chunk), larger across threads. */
  get chunkSize(): number {
    return this.size === 0 ? 48 : 256;
  }

  /** Starts the workers and waits until each has warmed up; rejects with the first worker's error. */
  async start(): Promise<{ rows: number; dead: number }> {
    if (this.inline) return warmUp(this.inline);
    const started = Array.from({ length: this.size }, () => this.spawn());
    const ready = await Promise.all(started);
    return ready.reduce((a, b) => ({ rows: a.rows + b.rows, dead: a.dead + b.dead }));
  }

  /**
   * A worker that dies after its start is replaced; its chunks fail with WorkerCrashed and run()
   * sends them again. One that fails to start is fatal: a replacement would fail the same way.
   */
  private spawn(): Promise<{ rows: number; dead: number }> {
    const worker = new Worker(this.options.workerUrl ?? new URL('./pipeline-worker.mjs', import.meta.url), { workerData: this.settings });
    const state: WorkerState = { worker, jobs: new Map() };
    this.threads.add(worker);
    if (this.stopped) void worker.terminate();
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: ChunkReply | { ready: { rows: number; dead: number } }) => {
        if ('ready' in m) {
          ready = true;
          this.workers.push(state);
          for (const wake of this.waiting.splice(0)) wake();
          resolve(m.ready);
          return;
        }
        const job = state.jobs.get(m.id);
        state.jobs.delete(m.id);
        for (const label of m.unknownModels) this.prices.countUnknownModel(label);
        job?.resolve(unpackReply(m));
      });
      const died = (err: Error, exitCode?: number) => {
        // 'error' is followed by 'exit': handle the first of them only.
        if (!this.threads.delete(worker)) return;
        this.workers = this.workers.filter((w) => w !== state);
        if (!ready || this.stopped) {
          this.broken ??= err;
          if (!ready) reject(err);
          for (const job of state.jobs.values()) job.reject(this.broken);
          for (const wake of this.waiting.splice(0)) wake();
          return;
        }
        let first = true;
        for (const job of state.jobs.values()) {
          job.reject(new WorkerCrashed(first, exitCode));
          first = false;
        }
        state.jobs.clear();
        this.options.onCrash?.(exitCode);
        this.spawn().catch(() => undefined);
      };
      worker.on('error', (err) => died(err));
      worker.on('exit', (code) => died(new Error(`a pipeline worker thread exited (code ${code})`), code));
    });
  }

  /**
   * Outcomes of one chunk, in message order. A chunk whose worker died with it in hand is run again
   * one message at a time, so that only a message that kills a worker on its own is lost, as a
   * dead letter; the chunks queued behind it are simply sent again.
   */
  async run(partition: number, messages: ChunkMessage[]): Promise<ChunkOutcome[]> {
    if (this.inline) return processChunk(this.inline, partition, messages);
    const outcome = await this.resend(partition, messages);
    if (outcome !== 'in hand') return outcome;
    const out: ChunkOutcome[] = [];
    for (const m of messages) {
      const one = await this.resend(partition, [m]);
      out.push(...(one === 'in hand' ? [{ dead: crashedDeadLetter(partition, m) }] : one));
    }
    return out;
  }

  /** Sends until no worker dies with the chunk queued; 'in hand' when one died processing it. */
  private async resend(partition: number, messages: ChunkMessage[]): Promise<ChunkOutcome[] | 'in hand'> {
    for (;;) {
      try {
        return await this.send(partition, messages);
      } catch (err) {
        if (!(err instanceof WorkerCrashed)) throw err;
        if (err.inHand) return 'in hand';
      }
    }
  }

  private async send(partition: number, messages: ChunkMessage[]): Promise<ChunkOutcome[]> {
    while (this.workers.length === 0 && !this.broken) await new Promise<void>((wake) => this.waiting.push(wake));
    if (this.broken) throw this.broken;
    let state = this.workers[0]!;
    for (const w of this.workers) if (w.jobs.size < state.jobs.size) state = w;
    const id = this.nextId++;
    const req = packRequest(id, partition, messages);
    return new Promise((resolve, reject) => {
      state.jobs.set(id, { resolve, reject });
      state.worker.postMessage(req, [req.data]);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.broken ??= new Error('the pipeline pool was stopped');
    for (const wake of this.waiting.splice(0)) wake();
    this.workers = [];
    await Promise.all([...this.threads].map((w) => w.terminate()));
  }
}
