import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import { createKafka } from '../../common/kafka.ts';
import { createLogger } from '../../common/logger.ts';
import { ensureTopics } from '../../common/topics.ts';
import { stackSettings, stackUp } from '../../deploy/local/stack.ts';
import { runMigrations } from './migrate.ts';
import { describeStack } from './stack.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('bring up the local stack (unless KAFKA_BROKERS/CLICKHOUSE_URL point elsewhere), create topics, migrate')
    .option('--no-stack', 'do not start the local stack; use the configured Kafka and ClickHouse')
    .action(async (opts: { stack: boolean }) => {
      const config = loadConfig();
      const log = createLogger('start', config.logLevel);
      const external = Boolean(process.env.KAFKA_BROKERS || process.env.CLICKHOUSE_URL);
      if (opts.stack && !external) {
        const t0 = Date.now();
        const { alreadyRunning, state } = await stackUp(stackSettings(config));
        console.log(alreadyRunning ? 'local stack already running:' : `local stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s:`);
        console.log(describeStack(state));
      } else {
        console.log(`using Kafka ${config.kafka.brokers.join(',')} and ClickHouse ${config.clickhouse.url}`);
      }
      const created = await ensureTopics(createKafka(config, log, 'start'), config);
      console.log(`topics: ${config.kafka.eventsTopic}, ${config.kafka.deadLetterTopic}${created.length ? ` (created ${created.join(', ')})` : ''}`);
      const res = await runMigrations(config, (line) => console.log(`  ${line}`));
      console.log(`ClickHouse database ${config.clickhouse.database}: ${res.applied.length} migrations applied, ${res.alreadyApplied.length} already there`);
      console.log(`query it: curl '${config.clickhouse.url}/?query=SELECT+count()+FROM+${config.clickhouse.database}.events'`);
      console.log('stop everything with: npx lookout stack down');
    });
}
