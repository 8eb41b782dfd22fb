import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep } from '../deploy/local/process.ts';
import { rng } from '../common/random.ts';
import { keyOf, makeEvent } from '../test/fixtures/events.ts';
import { isolatedPipeline, processorEnv, produce, rssMb, scalar, spawnProcessor, stopProcessor, testKafka, type ProcessorChild, waitFor } from '../test/processor-harness.ts';
import { startClickHouse, stopClickHouse } from '../test/stack-control.ts';
import { PriceTable, formatUsd, parseUsd } from './enrich/prices.ts';

const { config, db, ch: client } = isolatedPipeline();

const trimZeros = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

/** Produces events in the background at roughly `perSecond`, returning the expected totals. */
function produceSteadily(from: number, count: number, perSecond: number, badEvery: number) {
  const prices = new PriceTable();
  let cost = 0n;
  let good = 0;
  let bad = 0;
  const messages = [];
  for (let i = from; i < from + count; i++) {
    if (badEvery > 0 && i % badEvery === 0) {
      bad++;
      messages.push({ key: `bad-${i}`, value: `{"schema_version":1,"type":"response","event_id":"broken-${i}"}` });
      continue;
    }
    const e = makeEvent(i, { seed: 11, textBytes: 300 });
    good++;
    if (e.type === 'response') {
      const c = prices.computeCost({ model: e.model, provider: e.provider, ts: e.ts, usage: e.usage });
      if (c.cost_usd) cost += parseUsd(c.cost_usd);
    }
    messages.push({ key: keyOf(e), value: JSON.stringify(e) });
  }
  const chunk = Math.max(50, Math.round(perSecond / 10));
  const done = (async () => {
    const kafka = testKafka(config);
    for (let i = 0; i < messages.length; i += chunk) {
      const t0 = Date.now();
      await produce(kafka, config.kafka.eventsTopic, messages.slice(i, i + chunk), chunk);
      await sleep(Math.max(0, (chunk / perSecond) * 1000 - (Date.now() - t0)));
    }
  })();
  return { done, good, bad, cost };
}

test('kill -9 at random points while 50,000 events flow: count() and sum(cost) exact in events and rollups', async () => {
  const env = processorEnv(config, { LOOKOUT_BATCH_MAX_WAIT_MS: '200', LOOKOUT_BATCH_MAX_ROWS: '2000' });
  const flow = produceSteadily(0, 50_000, 2_500, 97);
  const rand = rng(2026);
  let proc: ProcessorChild = spawnProcessor(env);
  let kills = 0;
  let producing = true;
  void flow.done.then(() => (producing = false));
  while (producing || kills < 4) {
    await sleep(1_500 + Math.floor(rand() * 3_000));
    await stopProcessor(proc, 'SIGKILL');
    kills++;
    proc = spawnProcessor(env);
  }
  await flow.done;
  try {
    await waitFor(
      'all 50,000 messages stored',
      async () => (await scalar(client(), `SELECT count() FROM ${db}.events`)) + (await scalar(client(), `SELECT count() FROM ${db}.dead_letters`)) >= 50_000,
      120_000,
      500,
    );
    await sleep(1_500);
  } finally {
    await stopProcessor(proc);
  }
  assert.ok(kills >= 4, `only ${kills} kills`);
  // No FINAL: insert deduplication alone must make the plain count exact.
  assert.equal(await scalar(client(), `SELECT count() FROM ${db}.events`), flow.good, 'events count');
  assert.equal(await scalar(client(), `SELECT uniqExact(event_id) FROM ${db}.events`), flow.good);
  assert.equal(await scalar(client(), `SELECT count() FROM ${db}.dead_letters`), flow.bad, 'dead letters count');
  assert.equal(await scalar(client(), `SELECT sum(events) FROM ${db}.events_hourly`), flow.good, 'rollup count');
  const expected = trimZeros(formatUsd(flow.cost));
  assert.equal(await scalar<string>(client(), `SELECT toString(sum(cost_usd)) FROM ${db}.events`), expected, 'events cost');
  assert.equal(await scalar<string>(client(), `SELECT toString(sum(cost_usd)) FROM ${db}.events_hourly`), expected, 'rollup cost');
});

test('ClickHouse down for 30 s mid-stream: nothing lost or duplicated, memory bounded meanwhile', async () => {
  const before = await scalar(client(), `SELECT count() FROM ${db}.events`);
  const beforeDead = await scalar(client(), `SELECT count() FROM ${db}.dead_letters`);
  const proc = spawnProcessor(processorEnv(config, { LOOKOUT_BATCH_MAX_WAIT_MS: '200' }));
  const flow = produceSteadily(100_000, 20_000, 1_000, 0);
  let peak = 0;
  let atStop = 0;
  try {
    await sleep(4_000);
    await stopClickHouse();
    atStop = rssMb(proc.child.pid!);
    const downUntil = Date.now() + 30_000;
    while (Date.now() < downUntil) {
      peak = Math.max(peak, rssMb(proc.child.pid!));
      await sleep(500);
    }
    await startClickHouse();
    await flow.done;
    await waitFor('all 20,000 stored after the outage', async () => (await scalar(client(), `SELECT count() FROM ${db}.events`)) - before >= flow.good, 120_000, 500);
    await sleep(1_500);
  } finally {
    await stopProcessor(proc);
  }
  assert.equal((await scalar(client(), `SELECT count() FROM ${db}.events`)) - before, flow.good);
  assert.equal(await scalar(client(), `SELECT count() - uniqExact(event_id) FROM ${db}.events`), 0, 'duplicates');
  assert.equal(await scalar(client(), `SELECT count() FROM ${db}.dead_letters`), beforeDead);
  // While ClickHouse was down the processor paused instead of buffering: ~30,000 events flowed
  // meanwhile (about 20 MB of JSON), far more than the growth allowed here.
  assert.ok(peak - atStop < 150, `RSS grew ${Math.round(peak - atStop)} MB while ClickHouse was down (${Math.round(atStop)} → ${Math.round(peak)} MB)`);
  assert.ok(proc.output.join('').includes('ClickHouse request failed'), 'the outage should be logged once');
});
