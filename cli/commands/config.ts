import type { Command } from 'commander';
import { configDocsMarkdown, loadConfig } from '../../common/config.ts';

const SECRET = /password|key|token|secret/i;
/** Inside alert channels every string but the channel's name and type is a secret (webhook URLs, headers). */
const CHANNEL_PUBLIC = new Set(['name', 'type']);

function hideSecrets(value: unknown, key = '', inChannels = false): unknown {
  if (typeof value === 'string') return value && (SECRET.test(key) || (inChannels && !CHANNEL_PUBLIC.has(key))) ? '***' : value;
  if (Array.isArray(value)) return value.map((v) => hideSecrets(v, key, inChannels));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hideSecrets(v, k, inChannels || k === 'channels')]));
  }
  return value;
}

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
      console.log(JSON.stringify(hideSecrets(loadConfig()), null, 2));
    });
  config
    .command('docs')
    .description('print every configuration key as a markdown table')
    .action(() => console.log(configDocsMarkdown()));
}
