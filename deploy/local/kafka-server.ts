/** A single-node Apache Kafka broker in KRaft mode, from the jars `npm install` fetched. */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_LIBS_DIR, KAFKA_LOG4J, LAUNCHER } from './paths.ts';
import { stopProcess, waitReady, watchExit, type ManagedProcess } from './process.ts';

export interface KafkaServerOptions {
  dir: string;
  logFile: string;
  port: number;
  controllerPort: number;
  heap: string;
  java: string;
  python: string;
  readyTimeoutMs: number;
}

function properties(o: KafkaServerOptions, dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=6',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

function classPath(): string {
  if (!existsSync(join(KAFKA_LIBS_DIR, '.pom-sha256'))) {
    throw new Error(`Kafka jars are missing from ${KAFKA_LIBS_DIR}. Run \`npm install\` (it fetches them with mvn).`);
  }
  return `${KAFKA_LIBS_DIR}/*`;
}

function javaArgs(o: KafkaServerOptions): string[] {
  // 4 MB G1 regions: with the default 1 MB ones every produce request over 512 KB (a client batch
  // is up to 900 KB) is a humongous object, and a fresh broker spent most of a core collecting them.
  return [`-Xmx${o.heap}`, '-Xms128m', '-XX:+UseG1GC', '-XX:G1HeapRegionSize=4m', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${KAFKA_LOG4J}`, '-cp', classPath()];
}

/**
 * A fresh cluster id in Kafka's own format (16 random bytes, URL-safe base64 without padding, not
 * starting with "-"), made here rather than by a second JVM start of `StorageTool random-uuid`.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Formats the storage with a fresh cluster id the first time a data directory is used. */
function formatIfNew(o: KafkaServerOptions, propsFile: string, dataDir: string): void {
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  const fmt = spawnSync(o.java, [...javaArgs(o), 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propsFile], { encoding: 'utf8' });
  if (fmt.error) throw new Error(`could not run ${o.java} (${fmt.error.message}); Kafka needs Java 17+ (set LOOKOUT_JAVA).`);
  if (fmt.status !== 0) throw new Error(`kafka StorageTool format failed:\n${fmt.stdout}\n${fmt.stderr}`);
}

export async function startKafka(o: KafkaServerOptions): Promise<ManagedProcess> {
  const dataDir = join(o.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const propsFile = join(o.dir, 'server.properties');
  writeFileSync(propsFile, properties(o, dataDir));
  formatIfNew(o, propsFile, dataDir);

  mkdirSync(dirname(o.logFile), { recursive: true });
  const logFd = openSync(o.logFile, 'a');
  // Through the launcher's exec mode, so the broker receives SIGTERM if we die.
  const child = spawn(o.python, [LAUNCHER, 'exec', o.java, ...javaArgs(o), 'kafka.Kafka', propsFile], {
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const exited = watchExit(child);
  const kafka = new Kafka({ brokers: [`127.0.0.1:${o.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  const ready = async () => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  };
  try {
    await waitReady({ name: `Kafka (127.0.0.1:${o.port})`, check: ready, exited, timeoutMs: o.readyTimeoutMs, logFile: o.logFile });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return {
    name: 'kafka',
    pid: child.pid!,
    exited,
    stop: (timeoutMs = 30_000) => stopProcess(child, exited, () => child.kill('SIGTERM'), timeoutMs),
  };
}
