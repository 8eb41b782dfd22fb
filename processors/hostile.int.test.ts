import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from 'kafkajs';
import { LIMITS } from '../schemas/events/index.ts';
import { keyOf, makeEvent } from '../test/fixtures/events.ts';
import { isolatedPipeline, processorEnv, produce, scalar, spawnProcessor, stopProcessor, testKafka, waitFor } from '../test/processor-harness.ts';

const { config, db, ch: client } = isolatedPipeline();

/** Ten kinds of bad input, 1,000 of each. */
function hostile(i: number): Message {
  const good = makeEvent(i, { seed: 5, textBytes: 200 }) as Record<string, unknown>;
  const json = (v: unknown) => JSON.stringify(v);
  switch (i % 10) {
    case 0:
      return { key: 'k', value: json({ ...good, ts: String(good.ts) }) };
    case 1:
      return { key: 'k', value: json({ ...good, tenant: 42 }) };
    case 2:
      return { key: 'k', value: json({ ...good, attributes: { blob: 'x'.repeat(LIMITS.attributesBytes + 10) } }) };
    case 3:
      return { key: 'k', value: Buffer.concat([Buffer.from('{"schema_version":1,"type":"request","input_text":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]) };
    case 4:
      return { key: 'k', value: '['.repeat(5_000) + ']'.repeat(5_000) };
    case 5:
      return { key: 'k', value: `{"__proto__":{"polluted":true},"schema_version":1,"type":"request","event_id":"${good.event_id}"}` };
    case 6:
      return { key: 'k', value: json({ ...good, attributes: { a: { constructor: { prototype: { polluted: true } } } } }) };
    case 7:
      return { key: 'k', value: i % 20 === 7 ? null : '' };
    case 8:
      return { key: 'k', value: json({ ...good, type: 'response', output_text: 'y'.repeat(LIMITS.textChars + 1) }) };
    default:
      return { key: 'k', value: 'z'.repeat(LIMITS.eventBytes + 1) };
  }
}

test('10,000 malformed or hostile events all end in dead letters with reasons; the processor keeps running', async () => {
  const proc = spawnProcessor(processorEnv(config));
  const valid = Array.from({ length: 200 }, (_, i) => makeEvent(50_000 + i, { seed: 9, textBytes: 200 }));
  try {
    await produce(testKafka(config), config.kafka.eventsTopic, Array.from({ length: 10_000 }, (_, i) => hostile(i)), 500);
    // Valid events after the storm are still processed normally.
    await produce(testKafka(config), config.kafka.eventsTopic, valid.map((e) => ({ key: keyOf(e), value: JSON.stringify(e) })));
    await waitFor('dead letters and valid rows', async () => (await scalar(client(), `SELECT count() FROM ${db}.dead_letters`)) === 10_000 && (await scalar(client(), `SELECT count() FROM ${db}.events`)) === valid.length, 120_000, 500);
    assert.equal(proc.child.exitCode, null, 'processor exited');
  } catch (err) {
    const counts = await (await client().query({ query: `SELECT (SELECT count() FROM ${db}.dead_letters) AS dead, (SELECT count() FROM ${db}.events) AS rows`, format: 'JSONEachRow' })).text();
    throw new Error(`${(err as Error).message}; stored: ${counts}; processor output: ${proc.output.join('').slice(-2000)}`);
  } finally {
    assert.equal(await stopProcessor(proc), 0);
  }
  const reasons = Object.fromEntries(
    (await (await client().query({ query: `SELECT reason, count() AS n FROM ${db}.dead_letters GROUP BY reason`, format: 'JSONEachRow' })).json<{ reason: string; n: number }>()).map((r) => [r.reason, r.n]),
  );
  assert.deepEqual(reasons, {
    invalid_field: 4_000,
    invalid_utf8: 1_000,
    not_an_object: 1_000,
    forbidden_key: 2_000,
    empty_message: 500,
    invalid_json: 500,
    too_large: 1_000,
  });
  assert.equal(await scalar(client(), `SELECT countIf(message = '') FROM ${db}.dead_letters`), 0, 'every dead letter says why');
  assert.equal(await scalar(client(), `SELECT countIf(field_path = 'ts' AND reason = 'invalid_field') FROM ${db}.dead_letters`), 1_000);
  assert.equal(await scalar(client(), `SELECT max(length(payload_redacted)) FROM ${db}.dead_letters WHERE reason IN ('too_large', 'invalid_utf8')`), 0);
});
