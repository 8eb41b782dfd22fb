import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

const dir = new URL('./', import.meta.url);

test('the producer package depends on kafkajs and zod only', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}).sort(), ['kafkajs', 'zod']);
  assert.deepEqual(Object.keys(pkg.peerDependencies ?? {}), []);
  assert.deepEqual(Object.keys(pkg.optionalDependencies ?? {}), []);
});

test('the producer sources import nothing beyond node:, kafkajs, zod and the event contract', () => {
  const allowed = /^(node:|kafkajs$|zod$|\.\/|\.\.\/\.\.\/schemas\/events\/)/;
  for (const f of readdirSync(dir).filter((n) => (n.endsWith('.ts') || n.endsWith('.mjs')) && !n.endsWith('.test.ts'))) {
    const src = readFileSync(new URL(f, dir), 'utf8');
    for (const m of src.matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
      assert.match(m[1]!, allowed, `${f} imports ${m[1]}`);
    }
    // The Kafka thread's entry registers tsx when the host has it (not a dependency: a worker
    // thread cannot load this TypeScript source without a loader, and does not inherit the host's).
    for (const m of src.matchAll(/import\('([^']+)'\)/g)) {
      if (f === 'kafka-thread-worker.mjs' && m[1] === 'tsx/esm/api') continue;
      assert.match(m[1]!, allowed, `${f} imports ${m[1]}`);
    }
  }
});
