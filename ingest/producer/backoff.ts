/**
 * Exponential backoff with "full jitter": a uniform delay in [0, min(max, base * 2^attempt)], which
 * spreads reconnecting clients apart instead of having them retry in lockstep.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  // Never less than a tenth of the ceiling, so a run of tiny random draws cannot become a busy loop.
  return Math.round(ceiling * (0.1 + 0.9 * random()));
}
