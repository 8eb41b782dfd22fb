import type { Command } from 'commander';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { untilSignal } from '../signals.ts';

export function registerIngestCommands(program: Command): void {
  program
    .command('gateway')
    .description('run the HTTP/OTLP ingest gateway (POST /v1/events, POST /v1/traces) in front of Kafka')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger('gateway', config.logLevel);
      const [{ gatewayOptions }, { startGateway }] = await Promise.all([import('../../ingest/from-config.ts'), import('../../ingest/gateway/index.ts')]);
      const gateway = await startGateway(gatewayOptions(config, log));
      console.log(`gateway listening on ${gateway.url}`);
      await untilSignal(log, () => gateway.close());
    });
  program
    .command('demo')
    .description('stream simulated support traffic (several topics, PII, incidents) into Kafka')
    .option('--days <n>', 'simulated days of history ending now')
    .option('--rate <n>', 'events per second (0: as fast as possible)')
    .option('--conversations <n>', 'conversations per simulated weekday')
    .option('--max-seconds <n>', 'stop after this many seconds')
    .option('--seed <n>', 'generator seed')
    .action(async (opts: { days?: string; rate?: string; conversations?: string; maxSeconds?: string; seed?: string }) => {
      const config = loadConfig();
      const [{ demoOptions }, { runDemo }] = await Promise.all([import('../../ingest/from-config.ts'), import('../../ingest/demo/index.ts')]);
      const base = demoOptions(config);
      const num = (v: string | undefined, name: string) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${v}"`);
        return n;
      };
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      const result = await runDemo({
        ...base,
        days: num(opts.days, 'days') ?? base.days,
        rate: num(opts.rate, 'rate') ?? base.rate,
        conversationsPerDay: num(opts.conversations, 'conversations') ?? base.conversationsPerDay,
        maxDurationSeconds: num(opts.maxSeconds, 'max-seconds'),
        seed: num(opts.seed, 'seed') ?? base.seed,
        signal: controller.signal,
      });
      console.log(
        `demo: ${result.events} events over ${result.days} simulated days in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
          `(sent ${result.delivery.sent}, dropped ${result.delivery.dropped}, failed ${result.delivery.failed})`,
      );
      if (result.incidents) console.log(`scripted incidents: ${JSON.stringify(result.incidents)}`);
    });
}
