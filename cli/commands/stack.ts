import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import type { StackState } from '../../deploy/local/stack.ts';

const stackModule = () => import('../../deploy/local/stack.ts');

export function describeStack(state: StackState): string {
  const s = state.settings;
  return [
    `  Kafka        127.0.0.1:${s.kafkaPort}   (KRaft controller :${s.kafkaControllerPort}, pid ${state.kafkaPid})`,
    `  ClickHouse   http://127.0.0.1:${s.clickhouseHttpPort}   native 127.0.0.1:${s.clickhouseTcpPort}   (pid ${state.clickhousePid})`,
    `  data + logs  ${s.dir}`,
  ].join('\n');
}

export function registerStackCommands(program: Command): void {
  const stack = program.command('stack').description('the local Kafka + ClickHouse stack on loopback');
  stack
    .command('up')
    .description('start Kafka and ClickHouse in the background (idempotent)')
    .action(async () => {
      const { stackSettings, stackUp } = await stackModule();
      const settings = stackSettings(loadConfig());
      const t0 = Date.now();
      const { alreadyRunning, state } = await stackUp(settings);
      console.log(alreadyRunning ? 'local stack already running:' : `local stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s:`);
      console.log(describeStack(state));
    });
  stack
    .command('down')
    .description('stop the local stack cleanly')
    .action(async () => {
      const { stackDown, stackSettings } = await stackModule();
      const stopped = await stackDown(stackSettings(loadConfig()));
      console.log(stopped ? 'local stack stopped' : 'local stack was not running');
    });
  stack
    .command('status')
    .description('say whether the local stack runs, and where')
    .action(async () => {
      const { liveState, stackSettings } = await stackModule();
      const settings = stackSettings(loadConfig());
      const state = liveState(settings.dir);
      if (!state) {
        console.log(`local stack: not running (data in ${settings.dir})`);
        process.exitCode = 3;
        return;
      }
      console.log(`local stack: ${state.status} (supervisor pid ${state.supervisorPid})`);
      if (state.status === 'ready') console.log(describeStack(state));
      if (state.error) console.log(state.error);
    });
  stack
    .command('logs')
    .description('show the end of the stack logs')
    .argument('[which]', 'kafka | clickhouse | supervisor (default: all)')
    .option('-n, --lines <n>', 'lines per log', '40')
    .action(async (which: string | undefined, opts: { lines: string }) => {
      const { stackLogs, stackSettings } = await stackModule();
      const settings = stackSettings(loadConfig());
      const all = ['supervisor', 'kafka', 'clickhouse'] as const;
      const chosen = which ? all.filter((w) => w === which) : all;
      if (chosen.length === 0) throw new Error(`unknown log "${which}"; use kafka, clickhouse or supervisor`);
      for (const w of chosen) console.log(stackLogs(settings.dir, w, Number(opts.lines)));
    });
  stack
    .command('supervise', { hidden: true })
    .description('run the stack in the foreground (used by `stack up`)')
    .action(async () => {
      const { stackSettings, supervise } = await stackModule();
      await supervise(stackSettings(loadConfig()));
    });
}
