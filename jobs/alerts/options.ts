/** Typed options of alert delivery; the lead maps config keys onto this (see the report). */
import { z } from 'zod';
import { ALERT_KINDS, SEVERITIES } from './model.ts';

const HOUR = 3_600_000;

export const ChannelOptions = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, "_" or "-"'),
  type: z.enum(['slack', 'webhook']),
  /** Secret: never logged; errors name the host only. */
  url: z.url({ protocol: /^https?$/ }),
  /** Extra request headers for generic webhooks (e.g. Authorization); secret as well. */
  headers: z.record(z.string(), z.string()).default({}),
  /** At most `max` messages per `window_ms`; critical alerts are never held back. */
  rate_limit: z
    .strictObject({ max: z.number().int().positive(), window_ms: z.number().int().positive() })
    .default({ max: 20, window_ms: HOUR }),
  timeout_ms: z.number().int().positive().default(10_000),
});
export type ChannelOptions = z.output<typeof ChannelOptions>;

export const RouteOptions = z.strictObject({
  channels: z.array(z.string()).min(1),
  /** Default: every kind. */
  kinds: z.array(z.enum(ALERT_KINDS)).optional(),
  /** Default: every tenant. */
  tenants: z.array(z.string()).optional(),
  min_severity: z.enum(SEVERITIES).default('warning'),
});
export type RouteOptions = z.output<typeof RouteOptions>;

export const RetryOptions = z.strictObject({
  /** HTTP attempts per delivery within one run. */
  max_attempts: z.number().int().min(1).default(4),
  base_delay_ms: z.number().int().min(0).default(1_000),
  max_delay_ms: z.number().int().min(0).default(30_000),
  /** A longer Retry-After ends this run's attempts; the delivery stays pending for the next run. */
  max_retry_after_ms: z.number().int().min(0).default(60_000),
});
export type RetryOptions = z.output<typeof RetryOptions>;

export const AlertOptions = z
  .strictObject({
    channels: z.array(ChannelOptions).default([]),
    routes: z.array(RouteOptions).default([]),
    /** The same fingerprint does not notify again (same or lower severity) within this time. */
    cooldown_ms: z.number().int().min(0).default(6 * HOUR),
    /** Runs a pending delivery is retried before it is marked failed (and logged as an error). */
    max_delivery_runs: z.number().int().min(1).default(24),
    retry: RetryOptions.default(RetryOptions.parse({})),
  })
  .superRefine((o, ctx) => {
    const names = new Set<string>();
    for (const c of o.channels) {
      if (names.has(c.name)) ctx.addIssue({ code: 'custom', message: `duplicate channel name ${c.name}` });
      names.add(c.name);
    }
    for (const r of o.routes) {
      for (const c of r.channels) {
        if (!names.has(c)) ctx.addIssue({ code: 'custom', message: `route names unknown channel ${c}` });
      }
    }
  });
export type AlertOptions = z.output<typeof AlertOptions>;
export type AlertOptionsInput = z.input<typeof AlertOptions>;
