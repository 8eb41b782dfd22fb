/** What the producer core needs from a way of delivering batches (Kafka, or the HTTP gateway). */

export type Outcome = 'sent' | 'failed' | 'dropped';

export interface OutMessage {
  key: string;
  /** The event as JSON. */
  value: string;
  /**
   * Size of `value` for the byte caps: its UTF-8 length, or two bytes a character (what V8 keeps)
   * when it holds any non-ASCII character and that is more.
   */
  bytes: number;
  /** Admission order; batches settle in this order. */
  seq: number;
  /** Called once with the final outcome (used by the gateway to answer after the ack). */
  done?: (outcome: Outcome) => void;
}

export interface SendResult {
  /** Indexes (into the batch) of messages the far side refused for good, with why. */
  rejected: { index: number; reason: string }[];
}

export interface Transport {
  /** Delivers the whole batch or throws; a `PermanentError` means retrying cannot help. */
  send(batch: readonly OutMessage[]): Promise<SendResult | void>;
  /** Optional eager connection, so a broker that is down shows up before the first event. */
  warmUp?(): Promise<void>;
  /** Whether the far side answers now. Never throws. */
  ping(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The batch cannot be delivered by retrying (too large, refused by the gateway...). */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** A retryable failure that says how long to wait (HTTP 429/503 with Retry-After). */
export class RetryAfterError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'RetryAfterError';
  }
}
