/**
 * The Kafka transport on a worker thread. kafkajs spends 15-20 µs of CPU an event building
 * produce requests (a buffer per record, CRC32C in JavaScript, copies); here that work runs beside
 * the host instead of on its event loop, and delivery can use a second core. The core
 * (client.ts) is unchanged: it sees a Transport whose calls are answered by the thread.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { KafkaTransport, type KafkaTransportOptions } from './kafka-transport.ts';
import { PermanentError, type OutMessage, type Transport } from './transport.ts';

type Op = { op: 'warmUp' } | { op: 'send'; keys: string[]; values: string[] } | { op: 'ping'; timeoutMs: number } | { op: 'close' };
type Request = Op & { id: number };
type Reply = { id: number; ok: true; value?: boolean } | { id: number; ok: false; permanent: boolean; name: string; message: string } | { ready: true };

/**
 * Only what can cross to the thread: gzip or none (codecs a host registers live in its own thread's
 * kafkajs) and plain-data kafkajs settings (no functions such as a custom SASL provider).
 */
function checkThreadOptions(opts: KafkaTransportOptions): void {
  const compression = opts.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'none') {
    throw new TypeError(`kafkaThread supports compression 'gzip' or 'none', not '${compression}' (a codec registered in this thread is not registered in the worker)`);
  }
  try {
    structuredClone(opts);
  } catch {
    throw new TypeError('kafkaThread needs kafka settings that are plain data (no functions such as a custom SASL provider or socketFactory); leave kafkaThread off to use them');
  }
}

export class ThreadedKafkaTransport implements Transport {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: boolean | undefined) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    private readonly opts: KafkaTransportOptions,
    /** The thread's entry module (tests substitute ones that fail). */
    private readonly workerUrl = new URL('./kafka-thread-worker.mjs', import.meta.url),
  ) {
    checkThreadOptions(opts);
  }

  async warmUp(): Promise<void> {
    await this.call({ op: 'warmUp' });
  }

  async send(batch: readonly OutMessage[]): Promise<void> {
    await this.call({ op: 'send', keys: batch.map((m) => m.key), values: batch.map((m) => m.value) });
  }

  async ping(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    return (await this.call({ op: 'ping', timeoutMs }).catch(() => false)) === true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    if (worker) await this.call({ op: 'close' }).catch(() => undefined);
    this.closed = true;
    await worker?.terminate();
  }

  private call(op: Op): Promise<boolean | undefined> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The thread keeps the host alive only while it has work in hand, as open sockets would.
      worker.ref();
      worker.postMessage({ ...op, id } satisfies Request);
    });
  }

  /** The live thread, started on first use and again after one died. */
  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerUrl, { workerData: this.opts });
    worker.unref();
    let ready = false;
    worker.on('message', (r: Reply) => {
      if ('ready' in r) {
        ready = true;
        return;
      }
      const call = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      if (!call) return;
      if (r.ok) call.resolve(r.value);
      else call.reject(r.permanent ? new PermanentError(r.message) : named(r.name, r.message));
    });
    const died = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const calls = [...this.pending.values()];
      this.pending.clear();
      // A thread that died at work is retryable: the core sends the batch again, through a new
      // thread. One that could not start (its code does not load) would fail the same way again.
      const failure = ready ? new Error(`the Kafka thread stopped (${err.message})`) : new PermanentError(`the Kafka thread could not start (${err.message})`);
      for (const c of calls) c.reject(failure);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** An error with the thread's error name, so `onError` says "KafkaJSConnectionError: …" as the inline transport does. */
function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** The worker thread's side: one KafkaTransport, driven by the requests above. */
export function serveKafkaTransport(opts: KafkaTransportOptions, port: MessagePort): void {
  const transport = new KafkaTransport(opts);
  const answer = async (req: Request): Promise<Reply> => {
    try {
      switch (req.op) {
        case 'warmUp':
          await transport.warmUp();
          return { id: req.id, ok: true };
        case 'send':
          await transport.send(req.keys.map((key, i) => ({ key, value: req.values[i]!, bytes: 0, seq: 0 })));
          return { id: req.id, ok: true };
        case 'ping':
          return { id: req.id, ok: true, value: await transport.ping(req.timeoutMs) };
        case 'close':
          await transport.close();
          return { id: req.id, ok: true };
      }
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return { id: req.id, ok: false, permanent: err instanceof PermanentError, name: e.name, message: e.message };
    }
  };
  port.on('message', (req: Request) => void answer(req).then((reply) => port.postMessage(reply)));
  port.postMessage({ ready: true } satisfies Reply);
}
