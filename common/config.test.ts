import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, configDocsMarkdown, CONFIG_DEFS, loadConfig } from './config.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'lookout-config-'));

test('defaults point at the local stack', () => {
  const c = loadConfig({ env: {}, cwd: dir() });
  assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092']);
  assert.equal(c.clickhouse.url, 'http://127.0.0.1:8123');
  assert.equal(c.retention.eventsDays, 90);
  assert.equal(c.clickhouse.database, 'lookout');
});

test('environment beats file beats default; lists and numbers are parsed', () => {
  const d = dir();
  writeFileSync(join(d, 'lookout.config.json'), JSON.stringify({ kafka: { brokers: ['f1:9092'], eventsTopic: 'from-file' }, retention: { eventsDays: 30 } }));
  const c = loadConfig({ env: { KAFKA_BROKERS: 'a:1, b:2', LOOKOUT_EVENTS_TTL_DAYS: '7' }, cwd: d });
  assert.deepEqual(c.kafka.brokers, ['a:1', 'b:2']);
  assert.equal(c.kafka.eventsTopic, 'from-file');
  assert.equal(c.retention.eventsDays, 7);
  assert.equal(c.source.file, join(d, 'lookout.config.json'));
});

test('a bad value names the env key and what was expected', () => {
  assert.throws(
    () => loadConfig({ env: { LOOKOUT_EVENTS_TTL_DAYS: 'ninety' }, cwd: dir() }),
    (err: unknown) => err instanceof ConfigError && err.key === 'LOOKOUT_EVENTS_TTL_DAYS' && /Days events are kept/.test(err.message),
  );
  assert.throws(() => loadConfig({ env: { CLICKHOUSE_URL: 'ftp://x' }, cwd: dir() }), /CLICKHOUSE_URL/);
});

test('a bad or unknown file key is named with the file', () => {
  const d = dir();
  writeFileSync(join(d, 'c.json'), JSON.stringify({ stack: { kafkaPort: 70000 } }));
  assert.throws(() => loadConfig({ env: { LOOKOUT_CONFIG: 'c.json' }, cwd: d }), /stack\.kafkaPort \(in .*c\.json\)/);
  writeFileSync(join(d, 'c.json'), JSON.stringify({ kafka: { brokerz: 'x' } }));
  assert.throws(() => loadConfig({ env: { LOOKOUT_CONFIG: 'c.json' }, cwd: d }), /kafka\.brokerz .*unknown key/);
  assert.throws(() => loadConfig({ env: { LOOKOUT_CONFIG: 'missing.json' }, cwd: d }), /LOOKOUT_CONFIG: file not found/);
});

test('the CLI exits 2 on bad config, naming the key', () => {
  const res = spawnSync(process.execPath, ['cli/lookout.mjs', 'config', 'check'], {
    env: { ...process.env, LOOKOUT_KAFKA_PORT: 'not-a-port' },
    encoding: 'utf8',
  });
  assert.equal(res.status, 2, res.stderr);
  assert.match(res.stderr, /LOOKOUT_KAFKA_PORT/);
});

test('every key is documented, and the README carries the generated table', async () => {
  const md = configDocsMarkdown();
  for (const def of Object.values(CONFIG_DEFS)) assert.ok(md.includes(`\`${def.env}\``));
  const { readFileSync } = await import('node:fs');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(md), 'README.md configuration table is stale: paste the output of `npx lookout config docs`');
});
