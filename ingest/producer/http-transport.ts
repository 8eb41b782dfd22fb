/**
 * Delivery to the Lookout ingest gateway over HTTP, for services that cannot reach Kafka: batches
 * go as gzipped NDJSON to POST /v1/events; the gateway answers after Kafka acknowledged them.
 */
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { PermanentError, RetryAfterError, type OutMessage, type SendResult, type Transport } from './transport.ts';

const gzip = promisify(gzipCb);

export interface HttpTransportOptions {
  /** Gateway base URL, e.g. https://lookout.example.com */
  url: string;
  apiKey: string;
  /** Per-request timeout. Default 30 s (the gateway waits for the Kafka ack). */
  timeoutMs?: number;
  compression?: 'gzip' | 'none';
}

interface GatewayAnswer {
  errors?: { index?: unknown; reason?: unknown }[];
}

/** Seconds or an HTTP date, as Retry-After allows; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (!header) return 1000;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : 1000;
}

export class HttpTransport implements Transport {
  private readonly base: string;

  constructor(private readonly opts: HttpTransportOptions) {
    this.base = opts.url.replace(/\/+$/, '');
  }

  async send(batch: readonly OutMessage[]): Promise<SendResult> {
    const ndjson = batch.map((m) => m.value).join('\n');
    const gz = this.opts.compression !== 'none';
    const body = gz ? await gzip(ndjson) : ndjson;
    const res = await fetch(`${this.base}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-ndjson',
        ...(gz ? { 'content-encoding': 'gzip' } : {}),
        authorization: `Bearer ${this.opts.apiKey}`,
      },
      body,
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    });
    const answer = (await res.json().catch(() => ({}))) as GatewayAnswer;
    if (res.status === 200 || res.status === 207) {
      const rejected = (answer.errors ?? [])
        .filter((e) => typeof e.index === 'number')
        .map((e) => ({ index: e.index as number, reason: typeof e.reason === 'string' ? e.reason : 'rejected' }));
      return { rejected };
    }
    if (res.status === 429 || res.status === 503) {
      throw new RetryAfterError(`gateway answered ${res.status}`, retryAfterMs(res.headers.get('retry-after')));
    }
    if (res.status >= 500 || res.status === 408) throw new Error(`gateway answered ${res.status}`);
    throw new PermanentError(`gateway answered ${res.status}`);
  }

  async ping(timeoutMs: number): Promise<boolean> {
    try {
      const res = await fetch(`${this.base}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}
}
