/**
 * @lookout/producer: record support-assistant telemetry to Lookout without blocking the host.
 *
 *   const lookout = createProducer({ brokers: ['kafka:9092'], service: 'support-chat', tenant: 'acme' });
 *   const answer = await lookout.modelCall({ conversation_id, model: 'gpt-4o-mini', input_text }, () => openai.chat.completions.create(...));
 *   lookout.feedback({ conversation_id, feedback: { thumbs: 'up' } });
 *   await lookout.shutdown({ timeoutMs: 5000 });
 *
 * The event contract comes from the repository's schemas/events (relative import): this package
 * lives in the Lookout workspace and depends only on kafkajs and zod.
 */
import { ProducerCore, type CoreOptions, type FieldsOf, type RecordInput, type Stats, type Totals } from './client.ts';
import { HttpTransport, type HttpTransportOptions } from './http-transport.ts';
import { KafkaTransport, type Compression, type KafkaTransportOptions } from './kafka-transport.ts';
import { ThreadedKafkaTransport } from './kafka-thread.ts';
import { runModelCall, type ModelCallContext, type ModelCallExtractors, type ModelCallHandle } from './model-call.ts';
import type { Outcome, Transport } from './transport.ts';

export type { CoreOptions, ErrorCode, FieldsOf, ProducerError, ProducerLogger, RecordInput, Stats, Totals } from './client.ts';
export type { FullPolicy } from './queue.ts';
export type { ModelCallContext, ModelCallExtractors, ModelCallHandle } from './model-call.ts';
export { detectChunkText, detectOutput, detectUsage, runModelCall } from './model-call.ts';
export type { OutMessage, Outcome, SendResult, Transport } from './transport.ts';
export type { Compression } from './kafka-transport.ts';
export { PermanentError, RetryAfterError } from './transport.ts';
export { inSample } from './sampling.ts';

export const DEFAULT_TOPIC = 'lookout.events.v1';

export interface ProducerOptions extends CoreOptions {
  /** Kafka bootstrap brokers. Give this or `http`. */
  brokers?: string[];
  /** Topic. Default 'lookout.events.v1'. */
  topic?: string;
  clientId?: string;
  /**
   * Default 'gzip'. 'snappy', 'lz4' and 'zstd' need a codec registered in kafkajs's
   * CompressionCodecs first (Kafka only); the HTTP transport gzips unless this is 'none'.
   */
  compression?: Compression;
  /** Extra kafkajs client settings (ssl, sasl, timeouts). */
  kafka?: KafkaTransportOptions['kafka'];
  /**
   * Deliver to Kafka from a worker thread, so kafkajs's request building (15-20 µs of CPU an
   * event) leaves the host's event loop and can use another core. Default false. Needs compression
   * 'gzip' or 'none' and kafka settings that are plain data.
   */
  kafkaThread?: boolean;
  /** Send through the ingest gateway instead of Kafka. */
  http?: HttpTransportOptions;
  /** A custom delivery (tests, other brokers). Takes precedence over `brokers` and `http`. */
  transport?: Transport;
}

export class LookoutProducer {
  private readonly core: ProducerCore;

  constructor(options: ProducerOptions) {
    this.core = new ProducerCore(transportFor(options), options);
  }

  /** Records any event; fills schema_version, event_id, ts, tenant, service, environment. Returns the event_id. */
  record(event: RecordInput): string {
    return this.core.record(event);
  }

  request(fields: FieldsOf<'request'>): string {
    return this.core.record({ ...fields, type: 'request' });
  }

  response(fields: FieldsOf<'response'>): string {
    return this.core.record({ ...fields, type: 'response' });
  }

  feedback(fields: FieldsOf<'feedback'>): string {
    return this.core.record({ ...fields, type: 'feedback' });
  }

  escalation(fields: FieldsOf<'escalation'>): string {
    return this.core.record({ ...fields, type: 'escalation' });
  }

  toolCall(fields: FieldsOf<'tool_call'>): string {
    return this.core.record({ ...fields, type: 'tool_call' });
  }

  retrieval(fields: FieldsOf<'retrieval'>): string {
    return this.core.record({ ...fields, type: 'retrieval' });
  }

  kbDocument(fields: FieldsOf<'kb_document'>): string {
    return this.core.record({ ...fields, type: 'kb_document' });
  }

  /**
   * Runs one model call and records a `response` event with latency, ttft (streams), usage, status
   * and fallback. Resolves with the call's result (a stream comes back wrapped, as a plain async
   * iterable); the call's own errors are re-thrown after being recorded.
   */
  modelCall<R, C = unknown>(
    ctx: ModelCallContext,
    fn: (call: ModelCallHandle) => R | Promise<R>,
    extract?: ModelCallExtractors<R, C>,
  ): Promise<R> {
    return runModelCall((fields) => this.response(fields), ctx, fn, extract);
  }

  /** Admits complete events now and resolves with each outcome once acknowledged (gateway use). */
  recordAndWait(events: readonly Record<string, unknown>[], opts?: { requireRoom?: boolean }): Promise<Outcome[] | 'queue_full'> {
    return this.core.recordAndWait(events, opts);
  }

  room(): { events: number; bytes: number } {
    return this.core.room();
  }

  stats(): Stats {
    return this.core.stats();
  }

  ping(timeoutMs?: number): Promise<boolean> {
    return this.core.ping(timeoutMs);
  }

  flush(opts?: { timeoutMs?: number }): Promise<Totals> {
    return this.core.flush(opts);
  }

  shutdown(opts?: { timeoutMs?: number }): Promise<Totals> {
    return this.core.shutdown(opts);
  }
}

function transportFor(o: ProducerOptions): Transport {
  if (o.transport) return o.transport;
  if (o.http) return new HttpTransport({ compression: o.compression === 'none' ? 'none' : 'gzip', ...o.http });
  if (o.brokers && o.brokers.length > 0) {
    const kafka: KafkaTransportOptions = { brokers: o.brokers, topic: o.topic ?? DEFAULT_TOPIC, clientId: o.clientId, compression: o.compression, kafka: o.kafka };
    return o.kafkaThread ? new ThreadedKafkaTransport(kafka) : new KafkaTransport(kafka);
  }
  throw new TypeError('createProducer needs `brokers`, `http` or `transport`');
}

/** Creates the producer once per process and reuses it. Throws only on missing connection options or an unusable compression. */
export function createProducer(options: ProducerOptions): LookoutProducer {
  return new LookoutProducer(options);
}
