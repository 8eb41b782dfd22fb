import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { untilSignal } from '../signals.ts';

export function registerProcessCommand(program: Command): void {
  program
    .command('process')
    .description('run the stream processor: validate, redact, enrich and write events to ClickHouse')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger('processor', config.logLevel);
      const { startProcessor } = await import('../../processors/service.ts');
      const processor = await startProcessor(config, log);
      // SIGTERM drains the batch in hand: it is written and committed before the process exits.
      await untilSignal(log, () => processor.stop());
    });
}
