import type { Logger } from '../common/logger.ts';

/** Resolves after SIGTERM/SIGINT once `stop` has finished; a failing stop sets exit code 1. */
export function untilSignal(log: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'stopping');
      stop().then(resolve, (err: unknown) => {
        log.error({ err: (err as Error).message }, 'stop failed');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
}
