/** Builds the gateway's and the demo's options from Lookout configuration. */
import type { Config } from '../common/config.ts';
import { kafkaSecurity } from '../common/kafka.ts';
import { localSecret } from '../common/local-secrets.ts';
import type { Logger } from '../common/logger.ts';
import type { DemoOptions } from './demo/index.ts';
import type { GatewayOptions } from './gateway/index.ts';

export function producerTarget(config: Config) {
  return {
    brokers: config.kafka.brokers,
    topic: config.kafka.eventsTopic,
    clientId: `${config.kafka.clientId}-producer`,
    kafka: kafkaSecurity(config),
  };
}

/** Configured keys, or one key for tenant "local" generated once for this checkout. */
export function gatewayKeys(config: Config, log: Logger): { tenant: string; key: string }[] {
  if (config.gateway.apiKeys) return config.gateway.apiKeys;
  const { value, file } = localSecret('gateway.key');
  log.warn({ file, tenant: 'local' }, 'LOOKOUT_GATEWAY_API_KEYS is not set: accepting the generated key in this file for tenant "local"');
  return [{ tenant: 'local', key: value }];
}

export function gatewayOptions(config: Config, log: Logger): GatewayOptions {
  return {
    host: config.gateway.host,
    port: config.gateway.port,
    apiKeys: gatewayKeys(config, log),
    producer: { ...producerTarget(config), kafkaThread: config.gateway.kafkaThread },
    maxBodyBytes: config.gateway.maxBodyBytes,
    rateLimit: { perSecond: config.gateway.rateLimitPerSecond, burst: config.gateway.rateLimitPerSecond * 2 },
    logger: log,
  };
}

export function demoOptions(config: Config): DemoOptions {
  return {
    producer: producerTarget(config),
    days: config.demo.days,
    conversationsPerDay: config.demo.conversationsPerDay,
    rate: config.demo.rate,
    seed: config.demo.seed,
  };
}
