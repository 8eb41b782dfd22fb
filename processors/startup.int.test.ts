import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyOf, makeEvents } from '../test/fixtures/events.ts';
import { isolatedPipeline, processorEnv, produce, scalar, spawnProcessor, testKafka } from '../test/processor-harness.ts';

const { config, db, ch } = isolatedPipeline();

// The workers warm up while the consumer already joins its group and fetches: a warm-up that fails
// (here, a table without a column the rows need) must stop the processor before anything is stored
// or committed, so that a fixed processor starts from the beginning.
test('a processor whose pipeline cannot start exits with the reason and commits nothing', async () => {
  await ch().command({ query: `ALTER TABLE ${db}.events DROP COLUMN tool_status` });
  const events = makeEvents(500, { seed: 11 });
  await produce(testKafka(config), config.kafka.eventsTopic, events.map((e) => ({ key: keyOf(e), value: JSON.stringify(e) })));
  const env = processorEnv(config);
  const proc = spawnProcessor(env);
  const timeout = setTimeout(() => proc.child.kill('SIGKILL'), 60_000);
  const code = await proc.exited;
  clearTimeout(timeout);
  assert.notEqual(code, 0, 'expected a non-zero exit');
  assert.notEqual(code, 'SIGKILL', 'the processor kept running');
  assert.match(proc.output.join(''), /the events table has no column for tool_status: run `lookout migrate` first/);
  assert.equal(await scalar(ch(), `SELECT count() FROM ${db}.events`), 0);
  assert.equal(await scalar(ch(), `SELECT count() FROM ${db}.dead_letters`), 0);
  const admin = testKafka(config).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: env.LOOKOUT_PROCESSOR_GROUP!, topics: [config.kafka.eventsTopic] });
    assert.deepEqual(offsets!.partitions.map((p) => p.offset), offsets!.partitions.map(() => '-1'), 'no offset may be committed');
  } finally {
    await admin.disconnect();
  }
});
