/**
 * `npm run dashboards`: writes dashboards/build/*.json from dashboards/src/ (what Grafana
 * provisioning loads, committed). `--check` writes nothing and exits 1 when a file is stale.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS, render } from './src/index.ts';

export const BUILD_DIR = join(dirname(fileURLToPath(import.meta.url)), 'build');

/** Built files that differ from the sources, are missing, or no longer have a source. */
export function staleFiles(dir = BUILD_DIR): string[] {
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  const stale = Object.entries(DASHBOARDS)
    .filter(([file, d]) => !present.includes(file) || readFileSync(join(dir, file), 'utf8') !== render(d))
    .map(([file]) => file);
  return [...stale, ...present.filter((f) => !(f in DASHBOARDS))].sort();
}

export function build(dir = BUILD_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.json') && !(f in DASHBOARDS)) rmSync(join(dir, f));
  for (const [file, d] of Object.entries(DASHBOARDS)) writeFileSync(join(dir, file), render(d));
  return Object.keys(DASHBOARDS);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    if (stale.length > 0) {
      console.error(`dashboards/build is stale (${stale.join(', ')}): run npm run dashboards`);
      process.exit(1);
    }
    console.log('dashboards/build is up to date');
  } else {
    for (const file of build()) console.log(`wrote dashboards/build/${file}`);
  }
}
