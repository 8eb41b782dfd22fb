import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import type { RedactionOptions } from '../../processors/redaction/types.ts';

export function registerRedactCommand(program: Command): void {
  program
    .command('redact')
    .description('redact text or NDJSON events from stdin: prints the redacted output and the detected spans as JSON')
    .option('--ndjson', 'stdin holds one event per line (default: all of stdin is one text)')
    .action(async (opts: { ndjson?: boolean }) => {
      const config = loadConfig();
      const [{ runRedactCli }, { redactionKey }] = await Promise.all([import('../../processors/redaction/cli.ts'), import('../../processors/service.ts')]);
      const summary = await runRedactCli({
        input: process.stdin,
        output: process.stdout,
        mode: opts.ndjson ? 'ndjson' : 'text',
        key: redactionKey(config, createLogger('redact', 'error')),
        options: {
          keyId: config.redaction.keyId,
          operators: config.redaction.operators as RedactionOptions['operators'],
          fields: config.redaction.fields as RedactionOptions['fields'],
        },
      });
      if (summary.errors > 0) process.exitCode = 1;
    });
}
