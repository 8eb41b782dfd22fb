/**
 * POST JSON with retries: exponential backoff with jitter on 429, 5xx, timeouts and network
 * errors, honouring Retry-After. Webhook URLs are secrets (the path is the credential), so
 * results and errors carry only a short code and never the URL or a raw error message.
 */
import type { RetryOptions } from './options.ts';

export type PostResult =
  | { ok: true; status: number; attempts: number }
  | { ok: false; error: string; status?: number; attempts: number };

export interface PostOptions {
  timeoutMs: number;
  retry: RetryOptions;
  headers?: Record<string, string>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The URL reduced to its host, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '<invalid-url>';
  }
}

/** Retry-After as delay in ms: delta-seconds, or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function networkCode(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timeout';
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' && /^[A-Z_]{1,40}$/.test(cause.code) ? cause.code : 'error';
  return `network:${code}`;
}

/** Slack answers errors with short codes such as `invalid_blocks`: worth keeping, nothing else is. */
function bodyCode(body: string): string {
  const t = body.trim();
  return /^[a-z_]{1,60}$/.test(t) ? `:${t}` : '';
}

export async function postJson(url: string, body: unknown, opts: PostOptions): Promise<PostResult> {
  const sleep = opts.sleep ?? sleepFor;
  const random = opts.random ?? Math.random;
  const payload = JSON.stringify(body);
  let last: PostResult = { ok: false, error: 'not_attempted', attempts: 0 };
  for (let attempt = 1; attempt <= opts.retry.max_attempts; attempt++) {
    let retryAfterMs: number | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...opts.headers },
        body: payload,
        signal: AbortSignal.timeout(opts.timeoutMs),
        redirect: 'error',
      });
      const text = await res.text();
      if (res.ok) return { ok: true, status: res.status, attempts: attempt };
      last = { ok: false, error: `http_${res.status}${bodyCode(text)}`, status: res.status, attempts: attempt };
      if (res.status !== 429 && res.status < 500) return last;
      retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    } catch (err) {
      last = { ok: false, error: networkCode(err), attempts: attempt };
    }
    if (attempt === opts.retry.max_attempts) break;
    if (retryAfterMs !== null && retryAfterMs > opts.retry.max_retry_after_ms) break;
    const backoff = Math.min(opts.retry.max_delay_ms, opts.retry.base_delay_ms * 2 ** (attempt - 1));
    // Half fixed, half random: spreads retries of many senders without ever retrying instantly.
    const jittered = backoff / 2 + (random() * backoff) / 2;
    await sleep(retryAfterMs ?? jittered);
  }
  return last;
}
