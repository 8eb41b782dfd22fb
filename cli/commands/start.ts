import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { untilSignal } from '../signals.ts';
import { runMigrations } from './migrate.ts';
import { describeStack } from './stack.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('bring up the local stack (unless KAFKA_BROKERS/CLICKHOUSE_URL point elsewhere), migrate, and run the pipeline')
    .option('--no-stack', 'do not start the local stack; use the configured Kafka and ClickHouse')
    .option('--no-demo', 'do not stream demo traffic on start')
    .action(async (opts: { stack: boolean; demo: boolean }) => {
      const config = loadConfig();
      const log = createLogger('lookout', config.logLevel);
      const [{ createKafka }, { ensureTopics }, { stackSettings, stackUp }, { runDemo }, { demoOptions, gatewayOptions }, { startGateway }, { startScheduler }, { startProcessor }] =
        await Promise.all([
          import('../../common/kafka.ts'),
          import('../../common/topics.ts'),
          import('../../deploy/local/stack.ts'),
          import('../../ingest/demo/index.ts'),
          import('../../ingest/from-config.ts'),
          import('../../ingest/gateway/index.ts'),
          import('../../jobs/scheduler/scheduler.ts'),
          import('../../processors/service.ts'),
        ]);
      const local = opts.stack && !process.env.KAFKA_BROKERS && !process.env.CLICKHOUSE_URL;
      if (local) {
        const t0 = Date.now();
        const { alreadyRunning, state } = await stackUp(stackSettings(config));
        console.log(alreadyRunning ? 'local stack already running:' : `local stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s:`);
        console.log(describeStack(state));
      } else {
        console.log(`using Kafka ${config.kafka.brokers.join(',')} and ClickHouse ${config.clickhouse.url}`);
      }
      const created = await ensureTopics(createKafka(config, log, 'start'), config);
      console.log(`  topics       ${config.kafka.eventsTopic}, ${config.kafka.deadLetterTopic}${created.length ? ' (created)' : ''}`);
      const res = await runMigrations(config, (line) => log.info(line));
      console.log(`  database     ${config.clickhouse.database} (${res.applied.length} migrations applied, ${res.alreadyApplied.length} already there)`);

      const processor = await startProcessor(config, createLogger('processor', config.logLevel));
      console.log(`  processor    group ${config.processor.groupId}, metrics http://127.0.0.1:${processor.metricsPort}/metrics`);
      const gatewayOpts = gatewayOptions(config, createLogger('gateway', config.logLevel));
      const gateway = await startGateway(gatewayOpts);
      const tenants = gatewayOpts.apiKeys.map((k) => k.tenant).join(', ');
      const keyHint = config.gateway.apiKeys ? 'your LOOKOUT_GATEWAY_API_KEYS' : 'the key in .lookout/gateway.key';
      console.log(`  gateway      ${gateway.url}/v1/events  (tenants ${tenants}; header "Authorization: Bearer <key>" with ${keyHint})`);
      // No catch-up on start: the demo traffic is still arriving, so yesterday's window is not complete.
      const scheduler = await startScheduler(config, createLogger('scheduler', config.logLevel), { catchUp: false });
      console.log(`  jobs         ${scheduler.jobs.map((j) => `${j.job.name} (${j.schedule})`).join(', ')}; metrics http://127.0.0.1:${scheduler.metricsPort}/metrics`);
      console.log(`\nquery:  curl '${config.clickhouse.url}/' --data-binary 'SELECT type, count() FROM ${config.clickhouse.database}.events GROUP BY type'`);
      console.log('jobs:   npx lookout jobs run judge --date YYYY-MM-DD (backfill any job now; see README)');
      console.log('stop:   Ctrl-C stops the pipeline; `npx lookout stack down` stops Kafka and ClickHouse\n');

      const demo = new AbortController();
      if (local && opts.demo && config.demo.onStart) {
        console.log(`demo traffic: ${config.demo.days} simulated days at up to ${config.demo.rate} events/s (LOOKOUT_DEMO_ON_START=false to skip)`);
        void runDemo({ ...demoOptions(config), signal: demo.signal }).then(
          (r) => console.log(`demo traffic done: ${r.events} events (${r.delivery.sent} sent, ${r.delivery.dropped} dropped)`),
          (err: unknown) => log.error({ err: (err as Error).message }, 'demo traffic failed'),
        );
      }
      await untilSignal(log, async () => {
        demo.abort();
        await scheduler.stop();
        await gateway.close();
        await processor.stop();
      });
    });
}
