/** One place that turns configuration into a kafkajs client. */
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** TLS and SASL settings for kafkajs, shared with the producer client. */
export function kafkaSecurity(config: Config): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const k = config.kafka;
  const sasl: SASLOptions | undefined =
    k.saslMechanism === 'none'
      ? undefined
      : ({ mechanism: k.saslMechanism, username: k.username, password: k.password } as SASLOptions);
  return { ssl: k.ssl, sasl };
}

export function createKafka(config: Config, log: Logger, clientIdSuffix = ''): Kafka {
  const k = config.kafka;
  const options: KafkaConfig = {
    clientId: clientIdSuffix ? `${k.clientId}-${clientIdSuffix}` : k.clientId,
    brokers: k.brokers,
    ...kafkaSecurity(config),
    logLevel: logLevel.WARN,
    // kafkajs logs through pino so every process has one structured log stream.
    logCreator: () => (entry) => {
      const { message, ...rest } = entry.log;
      log[LEVELS[entry.level] ?? 'info']({ kafka: entry.namespace, ...rest }, message);
    },
  };
  return new Kafka(options);
}
