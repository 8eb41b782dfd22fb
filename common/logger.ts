/**
 * Structured logs (pino) to stderr. Never pass event text, PII or secrets to a logger: log ids,
 * counts and reason codes instead.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level = process.env.LOOKOUT_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid, component: name } }, pino.destination(2));
}
