/** API keys (compared in constant time) and a per-key token-bucket rate limit. */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface ApiKey {
  tenant: string;
  key: string;
}

/**
 * Keys are compared as SHA-256 digests with timingSafeEqual, and every configured key is compared
 * on every request, so neither the length nor the position of a match leaks through timing.
 */
export class KeyRing {
  private readonly digests: { tenant: string; digest: Buffer; id: string }[];

  constructor(keys: readonly ApiKey[]) {
    this.digests = keys.map((k) => {
      const digest = createHash('sha256').update(k.key).digest();
      // A short, non-secret label for logs and metrics.
      return { tenant: k.tenant, digest, id: digest.subarray(0, 4).toString('hex') };
    });
  }

  get size(): number {
    return this.digests.length;
  }

  /** The tenant and key label for a presented key, or undefined. */
  match(presented: string | undefined): { tenant: string; id: string } | undefined {
    if (!presented) return undefined;
    const d = createHash('sha256').update(presented).digest();
    let found: { tenant: string; id: string } | undefined;
    for (const k of this.digests) {
      if (timingSafeEqual(d, k.digest) && !found) found = { tenant: k.tenant, id: k.id };
    }
    return found;
  }
}

/** `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const x = headers['x-api-key'];
  return typeof x === 'string' && x.length > 0 ? x : undefined;
}

export interface RateLimitOptions {
  /** Sustained requests per second per key. */
  perSecond: number;
  /** Requests allowed in a burst. */
  burst: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly opts: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** 0 when allowed (and a token is taken), else the milliseconds until one is available. */
  take(key: string): number {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.opts.burst, at: t };
    b.tokens = Math.min(this.opts.burst, b.tokens + ((t - b.at) / 1000) * this.opts.perSecond);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / this.opts.perSecond) * 1000);
  }
}
