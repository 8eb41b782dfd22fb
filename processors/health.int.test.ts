import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyOf, makeEvent } from '../test/fixtures/events.ts';
import { isolatedPipeline, processorEnv, produce, scalar, spawnProcessor, stopProcessor, testKafka, waitFor } from '../test/processor-harness.ts';
import { startKafka, stopKafka } from '../test/stack-control.ts';

const { config, db, ch: client } = isolatedPipeline();

test('the broker away: /healthz fails while kafkajs restarts the consumer, passes once it rejoins, and events flow again', async () => {
  const proc = spawnProcessor(processorEnv(config, { LOOKOUT_BATCH_MAX_WAIT_MS: '200', LOOKOUT_LOG_LEVEL: 'info' }));
  try {
    const port = await waitFor('the processor to run', async () => Number(/"metricsPort":(\d+)/.exec(proc.output.join(''))?.[1] ?? 0) || undefined, 60_000);
    const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
    await waitFor('a healthy processor', async () => (await health()) === 200, 30_000);
    await stopKafka();
    try {
      await waitFor('/healthz to fail with the broker away', async () => (await health()) === 503, 90_000);
    } finally {
      await startKafka();
    }
    await waitFor('/healthz to pass again', async () => (await health()) === 200, 120_000);
    const events = Array.from({ length: 50 }, (_, i) => makeEvent(i, { seed: 5 }));
    await produce(testKafka(config), config.kafka.eventsTopic, events.map((e) => ({ key: keyOf(e), value: JSON.stringify(e) })));
    await waitFor('the events after the outage', async () => (await scalar(client(), `SELECT count() FROM ${db}.events`)) >= 50, 60_000);
    assert.equal(await scalar(client(), `SELECT count() FROM ${db}.events`), 50);
    const log = proc.output.join('');
    assert.match(log, /consumer restarting after a retriable error/);
    assert.match(log, /consumer recovered/);
  } finally {
    await stopProcessor(proc);
  }
});

test('started right after the broker, the processor waits for the group and producer-id coordinators: no error is logged', async () => {
  await stopKafka();
  await startKafka();
  const proc = spawnProcessor(processorEnv(config, { LOOKOUT_LOG_LEVEL: 'info' }));
  try {
    await waitFor('the processor to run', async () => proc.output.join('').includes('processor running'), 90_000);
    await waitFor('partitions assigned', async () => proc.output.join('').includes('partitions assigned'), 30_000);
    const errors = proc.output.join('').split('\n').filter((l) => /"level":(50|60)/.test(l) || l.includes('consumer restarting'));
    assert.deepEqual(errors, []);
  } finally {
    await stopProcessor(proc);
  }
});
