import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EVENT_TYPES, EXAMPLE_EVENTS, LIMITS, parseEvent } from './index.ts';
import { renderJsonSchema } from './json-schema.ts';

const example = (type: keyof typeof EXAMPLE_EVENTS) => structuredClone(EXAMPLE_EVENTS[type]) as Record<string, unknown>;

test('every example event is valid and round-trips through bytes', () => {
  for (const type of EVENT_TYPES) {
    const res = parseEvent(Buffer.from(JSON.stringify(EXAMPLE_EVENTS[type])));
    assert.ok(res.ok, `${type}: ${!res.ok && res.message}`);
    assert.equal(res.event.type, type);
  }
});

test('the committed JSON Schema and examples match the zod source', () => {
  const committed = readFileSync(new URL('./events.v1.schema.json', import.meta.url), 'utf8');
  assert.equal(committed, renderJsonSchema(), 'schemas/events/events.v1.schema.json is stale: run `npm run gen:schema`');
  for (const type of EVENT_TYPES) {
    const file = JSON.parse(readFileSync(new URL(`./examples/${type}.json`, import.meta.url), 'utf8'));
    assert.deepEqual(file, EXAMPLE_EVENTS[type], `examples/${type}.json is stale: run \`npm run gen:schema\``);
  }
  const schema = JSON.parse(committed);
  assert.equal(schema.oneOf?.length ?? schema.anyOf?.length, EVENT_TYPES.length);
});

test('defaults are applied', () => {
  const e = example('response');
  delete e.status;
  delete e.guardrail_triggers;
  delete e.environment;
  const res = parseEvent(e);
  assert.ok(res.ok);
  assert.equal(res.event.environment, 'production');
  assert.ok(res.event.type === 'response' && res.event.status === 'ok' && res.event.guardrail_triggers.length === 0);
});

test('unknown fields move into attributes instead of being dropped', () => {
  const e = example('response');
  e.sentiment = 'angry';
  (e.usage as Record<string, unknown>).total_tokens = 876;
  e.attributes = { locale: 'de-DE', sentiment: 'kept' };
  const res = parseEvent(JSON.stringify(e));
  assert.ok(res.ok);
  assert.deepEqual(res.event.attributes, { locale: 'de-DE', sentiment: 'kept', '_unknown.sentiment': 'angry', 'usage.total_tokens': 876 });
  assert.ok(res.event.type === 'response' && !('total_tokens' in (res.event.usage ?? {})));
});

test('specific reasons and field paths for bad events, never echoing values', () => {
  const cases: [unknown, string, string][] = [
    [Buffer.from([0x7b, 0xff, 0x7d]), 'invalid_utf8', ''],
    ['{"type":', 'invalid_json', ''],
    ['[1,2]', 'not_an_object', ''],
    [{ ...example('request'), schema_version: 2 }, 'unsupported_schema_version', 'schema_version'],
    [{ ...example('request'), type: 'chat' }, 'unknown_type', 'type'],
    [{ ...example('request'), event_id: 'not-a-uuid-secret@example.com' }, 'invalid_field', 'event_id'],
    [{ ...example('request'), ts: 1_763_800_000 }, 'invalid_field', 'ts'],
    [{ ...example('request'), tenant: 'a b' }, 'invalid_field', 'tenant'],
    [{ ...example('response'), usage: { input_tokens: -1 } }, 'invalid_field', 'usage.input_tokens'],
    [{ ...example('feedback'), feedback: { source: 'user' } }, 'invalid_field', 'feedback'],
    [{ ...example('kb_document'), document: { doc_id: 'x', version: '' , updated_at: 1_763_600_000_000 } }, 'invalid_field', 'document.version'],
    [JSON.parse('{"__proto__": {"polluted": true}, "schema_version": 1}'), 'forbidden_key', '__proto__'],
    [{ ...example('request'), attributes: { a: { constructor: 1 } } }, 'forbidden_key', 'attributes.a.constructor'],
  ];
  for (const [input, reason, path] of cases) {
    const res = parseEvent(input);
    assert.equal(res.ok, false, `${reason} case was accepted`);
    if (res.ok) continue;
    assert.equal(res.reason, reason, res.message);
    assert.equal(res.path, path, res.message);
    assert.ok(!res.message.includes('secret@example.com'), 'message echoed the value');
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('size limits are part of the contract', () => {
  const long = { ...example('request'), input_text: 'x'.repeat(LIMITS.textChars + 1) };
  const r1 = parseEvent(long);
  assert.ok(!r1.ok && r1.reason === 'invalid_field' && r1.path === 'input_text');

  const huge = { ...example('request'), attributes: { blob: 'y'.repeat(LIMITS.eventBytes) } };
  const r2 = parseEvent(JSON.stringify(huge));
  assert.ok(!r2.ok && r2.reason === 'too_large');

  const attrs = Object.fromEntries(Array.from({ length: LIMITS.attributesKeys + 1 }, (_, i) => [`k${i}`, i]));
  const r3 = parseEvent({ ...example('request'), attributes: attrs });
  assert.ok(!r3.ok && r3.path === 'attributes');

  let deep: unknown = 'leaf';
  for (let i = 0; i < LIMITS.attributesDepth + 2; i++) deep = { d: deep };
  const r4 = parseEvent({ ...example('request'), attributes: { deep } });
  assert.ok(!r4.ok && r4.path === 'attributes');

  const docs = Array.from({ length: LIMITS.retrievedItems + 1 }, (_, i) => ({ doc_id: `d${i}` }));
  const r5 = parseEvent({ ...example('response'), retrieved: docs });
  assert.ok(!r5.ok && r5.path === 'retrieved');
});

test('hostile nesting is rejected before validation, without blowing the stack', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 20_000; i++) deep = { a: deep };
  const res = parseEvent({ ...example('request'), attributes: { deep } });
  assert.ok(!res.ok && res.reason === 'too_deep', JSON.stringify(res));
  const text = '{"schema_version":1,"type":"request","x":' + '{"a":'.repeat(3_000) + '1' + '}'.repeat(3_001);
  const res2 = parseEvent(text);
  assert.ok(!res2.ok && res2.reason === 'too_deep');
});
