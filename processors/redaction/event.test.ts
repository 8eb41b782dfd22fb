import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { EXAMPLE_EVENTS } from '../../schemas/events/examples.ts';
import { parseEvent } from '../../schemas/events/parse.ts';
import type { EventType, LookoutEvent } from '../../schemas/events/v1.ts';
import { redactEvent } from './event.ts';
import { createRedactor } from './redactor.ts';
import { RedactionError } from './types.ts';

const redactor = createRedactor({ key: 'event-test-key-0123456789abcdef', keyId: 'k7' });

/** Distinctive values of several types; each must vanish from every field it is planted in. */
const CANARIES = ['canary.7f3a@example.com', '+44 20 7946 0958', '4111 1111 1111 1111', 'sk-proj-CANARYabcdefghij0123456789'];
const canaryText = (field: string): string => `About ${field}: write to ${CANARIES[0]}, call ${CANARIES[1]}, card ${CANARIES[2]}, key ${CANARIES[3]}.`;

/** Every free-text field of each event type, as [path, setter]. */
const FIELDS: Record<EventType, string[]> = {
  request: ['input_text'],
  response: ['input_text', 'output_text', 'retrieved.0.snippet', 'retrieved.0.title', 'error.message'],
  feedback: ['feedback.comment'],
  escalation: ['escalation.comment'],
  tool_call: ['tool.arguments', 'tool.result'],
  retrieval: ['query_text', 'retrieved.0.snippet', 'retrieved.0.title'],
  kb_document: ['document.text', 'document.title'],
};

function set(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys.at(-1)!] = value;
}

function planted(type: EventType): LookoutEvent {
  const raw = structuredClone(EXAMPLE_EVENTS[type]) as Record<string, unknown>;
  if (type === 'response' || type === 'retrieval') raw.retrieved = [{ doc_id: 'd1', score: 0.5 }];
  for (const f of FIELDS[type]) set(raw, f, canaryText(f).slice(0, f.endsWith('title') ? 250 : undefined));
  raw.user_id = CANARIES[0];
  raw.attributes = { locale: 'en-GB', note: canaryText('attributes'), nested: { deep: [canaryText('nested')], n: 3 } };
  const parsed = parseEvent(raw);
  assert.ok(parsed.ok, `planted ${type} must be a valid event: ${parsed.ok ? '' : parsed.message}`);
  return parsed.event;
}

describe('redactEvent', () => {
  for (const type of Object.keys(FIELDS) as EventType[]) {
    it(`leaves no canary in any field of a ${type} event`, () => {
      const event = planted(type);
      const { event: out, counts, keyId } = redactEvent(event, redactor);
      const json = JSON.stringify(out);
      for (const c of CANARIES) assert.ok(!json.includes(c), `${c} survived in ${type}`);
      assert.ok(!json.includes('canary'), `canary local part survived in ${type}`);
      const fields = FIELDS[type].length + 2;
      assert.equal(counts.EMAIL, fields);
      assert.equal(counts.CARD, fields);
      assert.equal(keyId, 'k7');
      assert.match((out as { user_id?: string }).user_id ?? '', /^usr_[0-9a-f]{16}$/);
    });
  }

  it('keeps structural fields and attribute keys, and does not mutate its input', () => {
    const event = planted('response');
    const before = JSON.stringify(event);
    const { event: out } = redactEvent(event, redactor);
    assert.equal(JSON.stringify(event), before);
    const o = out as Record<string, unknown>;
    for (const k of ['event_id', 'tenant', 'service', 'conversation_id', 'model', 'usage', 'latency_ms', 'status']) {
      assert.deepEqual(o[k], (event as Record<string, unknown>)[k], k);
    }
    const attrs = o.attributes as Record<string, unknown>;
    assert.deepEqual(Object.keys(attrs), ['locale', 'note', 'nested']);
    assert.equal(attrs.locale, 'en-GB');
    assert.equal((attrs.nested as { n: number }).n, 3);
  });

  it('redacts string fields the contract does not know', () => {
    const event = { ...planted('request'), surprise: { text: canaryText('surprise') } } as unknown as LookoutEvent;
    const json = JSON.stringify(redactEvent(event, redactor).event);
    for (const c of CANARIES) assert.ok(!json.includes(c));
  });

  it('fails closed with a reason code and no text', () => {
    const big = { ...planted('request'), input_text: `${CANARIES[0]} ${'x'.repeat(40_000)}` } as LookoutEvent;
    assert.throws(
      () => redactEvent(big, redactor),
      (err: unknown) => err instanceof RedactionError && err.reason === 'too_large' && err.field === 'input_text' && !err.message.includes('canary'),
    );
    let deep: unknown = 'x';
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const nested = { ...planted('request'), attributes: { deep } } as unknown as LookoutEvent;
    assert.throws(() => redactEvent(nested, redactor), (err: unknown) => err instanceof RedactionError && err.reason === 'too_deep');
    assert.throws(() => redactEvent(null as unknown as LookoutEvent, redactor), (err: unknown) => err instanceof RedactionError && err.reason === 'invalid_input');
  });
});

test('a name found in context in one field is redacted where it stands bare in another', () => {
  const redactor = createRedactor({ key: 'propagation-test-key-123' });
  const e = structuredClone(EXAMPLE_EVENTS.response) as Record<string, unknown>;
  e.input_text = 'Hello, my name is Zebulon Quixwright and I need help.';
  e.output_text = 'Of course, Mr Quixwright. Zebulon, let me check.';
  e.retrieved = [{ doc_id: 'd1', title: 'Zebulon Quixwright', snippet: 'no names here' }];
  const parsed = parseEvent(e);
  assert.ok(parsed.ok);
  const { event, counts } = redactEvent(parsed.event, redactor);
  const text = JSON.stringify(event);
  assert.ok(!text.includes('Quixwright') && !text.includes('Zebulon'), text);
  assert.ok((counts.PERSON ?? 0) >= 4);
  assert.match(JSON.stringify((event as { retrieved: unknown }).retrieved), /<PERSON:[0-9a-f]+>/);
});
