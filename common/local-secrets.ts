/**
 * Secrets a local install needs but a user has not set yet: generated once into the project's
 * ignored .lookout/ folder so `npm start` works with no configuration. Production sets its own.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CACHE_DIR } from '../deploy/local/paths.ts';

export function localSecret(name: string, bytes = 24): { value: string; file: string } {
  const file = join(CACHE_DIR, name);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(bytes).toString('hex'), { mode: 0o600 });
  }
  return { value: readFileSync(file, 'utf8').trim(), file };
}
