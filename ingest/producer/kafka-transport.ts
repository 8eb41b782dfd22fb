/**
 * Delivery to Kafka with kafkajs: idempotent producer, acks from all in-sync replicas, gzip by
 * default (snappy, lz4 and zstd once the host registers a codec in kafkajs's CompressionCodecs).
 * kafkajs retries a little on its own; the long waits (broker down for minutes) are the core's
 * backoff, so a batch is never lost to a retry budget running out.
 */
import kafkajs, { CompressionTypes, Kafka, Partitioners, logLevel, type Admin, type KafkaConfig, type Producer } from 'kafkajs';
import { PermanentError, type OutMessage, type Transport } from './transport.ts';

export interface KafkaTransportOptions {
  brokers: string[];
  topic: string;
  clientId?: string;
  compression?: Compression;
  /** Per-request broker timeout. Default 30 s. */
  requestTimeoutMs?: number;
  /** Extra kafkajs client settings for production clusters (ssl, sasl...). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

export type Compression = 'gzip' | 'snappy' | 'lz4' | 'zstd' | 'none';

const CODECS: Record<Compression, CompressionTypes> = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
  none: CompressionTypes.None,
};

/** kafkajs ships gzip only; the others must be registered by the host before the producer is made. */
function codecFor(name: Compression): CompressionTypes {
  const type = CODECS[name];
  if (type === undefined) throw new TypeError(`unknown compression '${String(name)}'`);
  if (type === CompressionTypes.None || type === CompressionTypes.GZIP) return type;
  try {
    // Not a named ESM export of kafkajs (CommonJS), so reached through the default export.
    kafkajs.CompressionCodecs[type as keyof typeof kafkajs.CompressionCodecs]();
  } catch {
    throw new TypeError(`compression '${name}' needs a codec registered first in kafkajs's CompressionCodecs`);
  }
  return type;
}

/** Broker answers that no amount of retrying changes. */
const PERMANENT = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TOPIC_EXCEPTION']);

function errorType(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const t = (e as { type?: unknown }).type;
    if (typeof t === 'string' && PERMANENT.has(t)) return t;
    e = (e as { cause?: unknown; originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export class KafkaTransport implements Transport {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private admin: Admin | undefined;
  private readonly compression: CompressionTypes;
  private closed = false;

  constructor(private readonly opts: KafkaTransportOptions) {
    this.kafka = new Kafka({
      connectionTimeout: 3000,
      ...opts.kafka,
      clientId: opts.clientId ?? 'lookout-producer',
      brokers: opts.brokers,
      // Failures surface through the producer's own counters and single warnings instead.
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    this.compression = codecFor(opts.compression ?? 'gzip');
  }

  async warmUp(): Promise<void> {
    await this.connect();
  }

  async send(batch: readonly OutMessage[]): Promise<void> {
    const producer = await this.connect();
    try {
      await producer.send({
        topic: this.opts.topic,
        acks: -1,
        compression: this.compression,
        timeout: this.opts.requestTimeoutMs ?? 30_000,
        messages: batch.map((m) => ({ key: m.key, value: m.value })),
      });
    } catch (err) {
      const permanent = errorType(err);
      if (permanent) throw new PermanentError(`broker refused the batch (${permanent})`, { cause: err });
      // A fresh producer after a failure: kafkajs can keep stale connections and sequence state
      // across a broker restart. A duplicate this may cause is removed downstream by event_id.
      await this.reset();
      throw err;
    }
  }

  async ping(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    try {
      this.admin ??= this.kafka.admin();
      const admin = this.admin;
      await withTimeout(
        (async () => {
          await admin.connect();
          await admin.describeCluster();
        })(),
        timeoutMs,
      );
      return true;
    } catch {
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.reset(), this.admin?.disconnect().catch(() => undefined)]);
    this.admin = undefined;
  }

  private connect(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (this.closed) return Promise.reject(new Error('transport closed'));
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // Java-compatible murmur2, so keys land where other-language producers put them.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      });
      try {
        await producer.connect();
        this.producer = producer;
        return producer;
      } catch (err) {
        await producer.disconnect().catch(() => undefined);
        throw err;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private async reset(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.disconnect().catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
