import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isolatedPipeline, processorEnv, scalar, spawnProcessor, stopProcessor, waitFor } from '../../test/processor-harness.ts';
import { runDemo } from './index.ts';

const { config, db, ch } = isolatedPipeline();

/** The day index (0 = oldest) of a timestamp in a demo run that ends at `endMs`. */
const dayExpr = (endMs: number, days: number) => `intDiv(toUnixTimestamp64Milli(ts) - ${endMs - days * 86_400_000}, 86400000)`;

test('demo traffic flows through the processor and its scripted incidents are visible in SQL', async () => {
  const days = 10;
  const endMs = Date.now();
  const proc = spawnProcessor(processorEnv(config));
  let events = 0;
  let incidents;
  try {
    const result = await runDemo({
      producer: { brokers: config.kafka.brokers, topic: config.kafka.eventsTopic },
      days,
      conversationsPerDay: 60,
      rate: 0,
      seed: 7,
      endMs,
      progress: null,
    });
    events = result.events;
    incidents = result.incidents!;
    assert.deepEqual(result.delivery, { sent: events, dropped: 0, failed: 0 });
    await waitFor('every demo event stored', async () => (await scalar(ch(), `SELECT count() FROM ${db}.events`)) + (await scalar(ch(), `SELECT count() FROM ${db}.dead_letters`)) >= events, 90_000, 500);
  } finally {
    await stopProcessor(proc);
  }
  assert.equal(await scalar(ch(), `SELECT count() FROM ${db}.dead_letters`), 0, 'the demo only sends valid events');
  assert.equal(await scalar(ch(), `SELECT count() FROM ${db}.events`), events);
  assert.ok((await scalar(ch(), `SELECT sum(redactions['EMAIL']) + sum(redactions['PHONE']) + sum(redactions['CARD']) FROM ${db}.events`)) > 0, 'the demo carries PII for redaction');
  assert.ok((await scalar(ch(), `SELECT uniqExact(tenant) FROM ${db}.events`)) >= 2);
  const day = dayExpr(endMs, days);

  // Cost spike: the tenant's daily cost after the spike day is several times its earlier days.
  const spike = await (
    await ch().query({
      query: `SELECT avgIf(c, d >= {spike:UInt32}) / avgIf(c, d < {spike:UInt32}) AS ratio FROM (
                SELECT ${day} AS d, sum(cost_usd) AS c FROM ${db}.events WHERE tenant = {tenant:String} AND type = 'response' GROUP BY d)`,
      query_params: { spike: incidents!.costSpikeDay, tenant: incidents!.costSpikeTenant },
      format: 'JSONEachRow',
    })
  ).json<{ ratio: number }>();
  assert.ok(spike[0]!.ratio > 3, `cost ratio after the spike ${spike[0]!.ratio}`);

  // Stale knowledge base: answers that cite a document version older than the newest published one.
  const stale = await (
    await ch().query({
      query: `WITH newest AS (SELECT tenant, doc_id, argMax(version, updated_at) AS v FROM ${db}.kb_documents FINAL GROUP BY tenant, doc_id)
              SELECT countIf(e.cited != n.v) AS stale, count() AS cited FROM (
                SELECT tenant, arrayJoin(arrayZip(retrieved_doc_ids, retrieved_kb_versions)) AS p, p.1 AS doc_id, p.2 AS cited
                FROM ${db}.events WHERE type = 'response') AS e
              INNER JOIN newest AS n ON n.tenant = e.tenant AND n.doc_id = e.doc_id`,
      format: 'JSONEachRow',
    })
  ).json<{ stale: number; cited: number }>();
  assert.ok(stale[0]!.stale > 0, 'answers citing a stale KB version must be findable');

  // New topic: retrieval for inputs from the new-topic day on scores far lower than before.
  const low = await scalar(
    ch(),
    `SELECT countIf(${day} >= ${incidents!.newTopicDay} AND arrayMax(retrieved_scores) < 0.45) FROM ${db}.events WHERE type = 'retrieval' AND length(retrieved_scores) > 0`,
  );
  assert.ok(low > 0, 'the undocumented new topic shows up as weak retrieval');
});
