import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CANARY, CANARY_NEEDLES, keyOf, makeEvents } from '../test/fixtures/events.ts';
import { isolatedPipeline, processorEnv, produce, scalar, spawnProcessor, stopProcessor, testKafka, waitFor } from '../test/processor-harness.ts';
import { PriceTable, formatUsd, parseUsd } from './enrich/prices.ts';

const { config, db, ch: client } = isolatedPipeline();

/** Reads a whole topic from the beginning with a throwaway group. */
async function readTopic(topic: string, expected: number): Promise<string[]> {
  const consumer = testKafka(config).consumer({ groupId: `scan-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') });
  await waitFor(`${expected} messages on ${topic}`, async () => values.length >= expected, 30_000);
  await consumer.disconnect();
  return values;
}

test('end to end: every event stored once, priced, redacted; canary PII found nowhere (tables, DLQ, logs)', async () => {
  const events = makeEvents(2_400, { canary: true, seed: 7 });
  const malformed = [
    { key: 'm1', value: `{"schema_version":1,"type":"request","note":"write to ${CANARY.email}` },
    { key: 'm2', value: JSON.stringify({ schema_version: 1, type: 'request', tenant: 'acme', input_text: `call me on ${CANARY.phone}` }) },
    { key: 'm3', value: JSON.stringify({ ...events[0], event_id: 'nope', input_text: 'mail canary.zqx7@lookout-canary.example' }) },
    { key: 'm4', value: `{"schema_version":1,"type":"request","x":"canary.zqx7\\u0040lookout-canary.example"` },
    { key: 'm5', value: JSON.stringify({ ...events[1], event_id: crypto.randomUUID(), ts: Date.now() - 200 * 86_400_000 }) },
  ];
  const proc = spawnProcessor(processorEnv(config, { LOOKOUT_LOG_LEVEL: 'debug' }));
  try {
    await produce(testKafka(config), config.kafka.eventsTopic, [
      ...events.map((e) => ({ key: keyOf(e), value: JSON.stringify(e) })),
      ...malformed,
    ]);
    await waitFor('all rows', async () => (await scalar(client(), `SELECT count() FROM ${db}.events`)) === events.length && (await scalar(client(), `SELECT count() FROM ${db}.dead_letters`)) === malformed.length, 60_000);
  } finally {
    assert.equal(await stopProcessor(proc), 0, 'processor did not exit cleanly on SIGTERM');
  }

  assert.equal(await scalar(client(), `SELECT uniqExact(event_id) FROM ${db}.events`), events.length);
  const reasons = await (await client().query({ query: `SELECT reason, field_path FROM ${db}.dead_letters ORDER BY source_offset`, format: 'JSONEachRow' })).json<{ reason: string; field_path: string }>();
  assert.deepEqual(
    reasons.map((r) => r.reason).sort(),
    ['invalid_field', 'invalid_field', 'invalid_json', 'invalid_json', 'older_than_retention'].sort(),
  );

  // Exact cost: the same price table, summed as integers.
  const prices = new PriceTable();
  let expected = 0n;
  for (const e of events) {
    if (e.type !== 'response') continue;
    const c = prices.computeCost({ model: e.model, provider: e.provider, ts: e.ts, usage: e.usage });
    if (c.cost_usd) expected += parseUsd(c.cost_usd);
  }
  assert.equal(await scalar<string>(client(), `SELECT toString(sum(cost_usd)) FROM ${db}.events`), formatUsd(expected).replace(/\.?0+$/, ''));
  assert.equal(await scalar<string>(client(), `SELECT toString(sum(cost_usd)) FROM ${db}.events_hourly`), formatUsd(expected).replace(/\.?0+$/, ''));
  assert.ok((await scalar(client(), `SELECT countIf(cost_usd IS NULL) FROM ${db}.events WHERE type = 'response' AND model = 'in-house-llm-7b'`)) > 0, 'unknown model must give NULL cost');
  assert.equal(await scalar(client(), `SELECT countIf(cost_usd IS NULL) FROM ${db}.events WHERE type = 'response' AND model = 'gpt-4o-mini'`), 0);
  assert.ok((await scalar(client(), `SELECT sum(redactions['EMAIL']) FROM ${db}.events`)) >= events.length, 'redaction counts are stored');
  assert.match(await scalar<string>(client(), `SELECT any(user_id) FROM ${db}.events WHERE type = 'request'`), /^usr_[0-9a-f]{16}$/);
  assert.equal(await scalar(client(), `SELECT count() FROM ${db}.kb_documents FINAL`), await scalar(client(), `SELECT uniqExact(tenant, doc_id, doc_version) FROM ${db}.events WHERE type = 'kb_document'`));

  // The canary: nothing of it in any table, the DLQ topic, or the processor's own logs.
  const tables = await (await client().query({ query: `SELECT name FROM system.tables WHERE database = '${db}' AND engine NOT LIKE '%View%'`, format: 'JSONEachRow' })).json<{ name: string }>();
  const haystacks: [string, string][] = [];
  for (const { name } of tables) haystacks.push([`table ${name}`, await (await client().query({ query: `SELECT * FROM ${db}.${name}`, format: 'JSONEachRow' })).text()]);
  haystacks.push(['DLQ topic', (await readTopic(config.kafka.deadLetterTopic, malformed.length)).join('\n')]);
  haystacks.push(['processor logs', proc.output.join('')]);
  assert.match(proc.output.join(''), /processor running/, 'expected the processor logs to scan');
  for (const [where, text] of haystacks) {
    for (const needle of CANARY_NEEDLES) assert.ok(!text.includes(needle), `canary "${needle}" found in ${where}`);
  }
});

test('the producer client end to end: N events recorded → all N queryable, none with clear PII', async () => {
  const { createProducer } = await import('../ingest/producer/index.ts');
  const before = await scalar(client(), `SELECT count() FROM ${db}.events`);
  const proc = spawnProcessor(processorEnv(config));
  const events = makeEvents(1_500, { canary: true, seed: 99 });
  try {
    const lookout = createProducer({ brokers: config.kafka.brokers, topic: config.kafka.eventsTopic, service: 'support-chat', tenant: 'acme' });
    for (const e of events) {
      const { event_id: _id, schema_version: _v, ...fields } = e as Record<string, unknown>;
      lookout.record(fields as Parameters<typeof lookout.record>[0]);
    }
    const totals = await lookout.shutdown({ timeoutMs: 30_000 });
    assert.deepEqual(totals, { sent: events.length, dropped: 0, failed: 0 });
    await waitFor('all recorded events', async () => (await scalar(client(), `SELECT count() FROM ${db}.events`)) - before === events.length, 60_000);
  } finally {
    await stopProcessor(proc);
  }
  const stored = await (await client().query({ query: `SELECT * FROM ${db}.events`, format: 'JSONEachRow' })).text();
  for (const needle of CANARY_NEEDLES) assert.ok(!stored.includes(needle), `canary "${needle}" stored`);
});
