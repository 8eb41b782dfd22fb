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

/** Where and as whom a client connects. */
function connection(config: Config, clientIdSuffix: string): Pick<KafkaConfig, 'clientId' | 'brokers' | 'ssl' | 'sasl'> {
  const k = config.kafka;
  return { clientId: clientIdSuffix ? `${k.clientId}-${clientIdSuffix}` : k.clientId, brokers: k.brokers, ...kafkaSecurity(config) };
}

export function createKafka(config: Config, log: Logger, clientIdSuffix = ''): Kafka {
  const options: KafkaConfig = {
    ...connection(config, clientIdSuffix),
    logLevel: logLevel.WARN,
    // kafkajs logs through pino so every process has one structured log stream.
    logCreator: () => (entry) => {
      const { message, ...rest } = entry.log;
      log[LEVELS[entry.level] ?? 'info']({ kafka: entry.namespace, ...rest }, message);
    },
  };
  return new Kafka(options);
}

/**
 * Waits, up to `timeoutMs`, until a consumer group's coordinator answers and the broker hands out
 * idempotent producer ids; returns false at the timeout, and the clients' own retries take over.
 * On a freshly started broker both are still loading their internal topics: a consumer that joins
 * then crashes once ("The coordinator is loading") before kafkajs restarts it, and a producer's
 * first InitProducerId is refused the same way. Harmless, but it greets every first start with
 * error logs, so the wait goes first, on its own silent client (those errors are expected here).
 */
export async function waitForCoordinators(config: Config, groupId: string, timeoutMs: number): Promise<boolean> {
  const kafka = new Kafka({
    ...connection(config, 'coordinator-wait'),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  // Connecting an idempotent producer asks for a producer id; it sends nothing.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const deadline = Date.now() + timeoutMs;
  const until = async (step: () => Promise<unknown>): Promise<boolean> => {
    while (Date.now() < deadline) {
      try {
        await step();
        return true;
      } catch (err) {
        // Only loading and unreachable coordinators are waited out: a refusal (no DESCRIBE right on
        // the group, say) would refuse the same way for the whole timeout.
        if (!retriable(err)) return false;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return false;
  };
  try {
    return (await until(() => admin.connect())) && (await until(() => admin.describeGroups([groupId]))) && (await until(() => producer.connect()));
  } finally {
    await Promise.all([admin.disconnect().catch(() => undefined), producer.disconnect().catch(() => undefined)]);
  }
}

/** kafkajs's own verdict, looked up through the retrier's "retries exceeded" wrapper. */
function retriable(err: unknown): boolean {
  let e = err as { retriable?: boolean; originalError?: unknown } | undefined;
  while (e?.originalError) e = e.originalError as typeof e;
  return e?.retriable !== false;
}
