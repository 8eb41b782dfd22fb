/** Where the local stack's parts live on disk. */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The project's own ignored cache: Kafka jars, model files, default stack data. */
export const CACHE_DIR = join(REPO_ROOT, '.lookout');
export const KAFKA_LIBS_DIR = join(CACHE_DIR, 'kafka', 'libs');
export const KAFKA_POM = join(REPO_ROOT, 'deploy', 'local', 'pom.xml');
export const KAFKA_LOG4J = join(REPO_ROOT, 'deploy', 'local', 'log4j2.xml');
export const LAUNCHER = join(REPO_ROOT, 'deploy', 'local', 'launcher.py');
export const CLI_ENTRY = join(REPO_ROOT, 'cli', 'main.ts');

/** libchdb.so from the platform package that `chdb` depends on. */
export function libchdbPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@chdb/lib-${process.platform}-${process.arch}-gnu/package.json`;
  try {
    return join(dirname(require.resolve(pkg)), 'libchdb.so');
  } catch {
    throw new Error(
      `ClickHouse engine not found (${pkg}). Run \`npm install\`; chdb ships libchdb.so for linux-x64 and linux-arm64 only.`,
    );
  }
}
