/**
 * `lookout`: the one CLI. Each subcommand lives in cli/commands/ and registers itself here; a
 * command imports its implementation only when it runs, so no command pays for loading the others.
 * Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../common/config.ts';
import { registerAlertsCommands } from './commands/alerts.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerDriftCommands } from './commands/drift.ts';
import { registerIngestCommands } from './commands/ingest.ts';
import { registerJobsCommands } from './commands/jobs.ts';
import { registerJudgeCommands } from './commands/judge.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerProcessCommand } from './commands/process.ts';
import { registerRedactCommand } from './commands/redact.ts';
import { registerStackCommands } from './commands/stack.ts';
import { registerStartCommand } from './commands/start.ts';

const program = new Command('lookout')
  .description('Lookout: telemetry, redaction, judging and drift for AI customer support')
  .showHelpAfterError()
  .exitOverride();

registerStackCommands(program);
registerMigrateCommand(program);
registerStartCommand(program);
registerProcessCommand(program);
registerIngestCommands(program);
registerRedactCommand(program);
registerConfigCommands(program);
registerJudgeCommands(program);
registerJobsCommands(program);
registerAlertsCommands(program);
registerDriftCommands(program);

// `lookout ... | head` closes stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`lookout: configuration error: ${err.message}`);
    process.exit(2);
  }
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  console.error(`lookout: ${(err as Error).message}`);
  process.exit(1);
}
