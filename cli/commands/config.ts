import type { Command } from 'commander';
import { configDocsMarkdown, loadConfig } from '../../common/config.ts';

const SECRET = /password|key|token|secret/i;

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect configuration');
  config
    .command('check')
    .description('validate the configuration (exit 2 naming the bad key)')
    .action(() => {
      loadConfig();
      console.log('configuration ok');
    });
  config
    .command('print')
    .description('print the effective configuration, secrets hidden')
    .action(() => {
      const hide = (_k: string, v: unknown) => (typeof v === 'string' && v && SECRET.test(_k) ? '***' : v);
      console.log(JSON.stringify(loadConfig(), hide, 2));
    });
  config
    .command('docs')
    .description('print every configuration key as a markdown table')
    .action(() => console.log(configDocsMarkdown()));
}
