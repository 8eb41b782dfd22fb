import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEvent } from '../../schemas/events/index.ts';
import { DemoGenerator, defaultIncidents } from './generator.ts';

const END = Date.UTC(2025, 10, 22, 12, 0, 0);
const make = (seed = 7) => new DemoGenerator({ days: 14, conversationsPerDay: 120, endMs: END, seed, incidents: defaultIncidents(14) });

function all(g: DemoGenerator) {
  return Array.from({ length: 14 }, (_, d) => g.day(d).map((e) => ({ ...e, day: d }) as Record<string, any> & { day: number; ts: number; event_id: string }));
}

const days = all(make());
const flat = days.flat();
const withoutDay = (e: Record<string, unknown>) => {
  const { day: _, ...rest } = e;
  return rest;
};

test('same seed, same events; another seed differs', () => {
  assert.deepEqual(all(make()).flat().map((e) => e.event_id), flat.map((e) => e.event_id));
  assert.notDeepEqual(all(make(8))[0]!.map((e) => e.event_id), days[0]!.map((e) => e.event_id));
});

test('every generated event satisfies the v1 contract and stays in the simulated window', () => {
  for (const e of flat) {
    const r = parseEvent(withoutDay(e));
    assert.ok(r.ok, `${e.type}: ${JSON.stringify(r)}`);
    assert.ok(e.ts >= END - 14 * 86_400_000 && e.ts < END, 'ts inside the window');
  }
  const types = new Set(flat.map((e) => e.type));
  assert.deepEqual([...types].sort(), ['escalation', 'feedback', 'kb_document', 'request', 'response', 'retrieval', 'tool_call']);
});

test('some user messages carry PII, and several models, tenants and KB versions appear', () => {
  const inputs = flat.filter((e) => e.type === 'request').map((e) => e.input_text as string);
  const withPii = inputs.filter((t) => /@example\.|\b4111 1111|\+44 7700|\(555\)/.test(t)).length;
  assert.ok(withPii / inputs.length > 0.08 && withPii / inputs.length < 0.4, `PII share ${withPii / inputs.length}`);
  assert.ok(new Set(flat.filter((e) => e.type === 'response').map((e) => e.model)).size >= 5);
  assert.deepEqual(new Set(flat.map((e) => e.tenant)), new Set(['acme', 'globex', 'initech']));
  assert.ok(new Set(flat.filter((e) => e.type === 'kb_document').map((e) => (e.document as { version: string }).version)).size >= 2);
});

test('incident: the new topic appears only from its day on', () => {
  const inc = defaultIncidents(14);
  const passkey = flat.filter((e) => e.type === 'request' && /passkey/i.test(e.input_text as string));
  assert.ok(passkey.length > 20);
  assert.ok(passkey.every((e) => e.day >= inc.newTopicDay));
});

test('incident: after the stale day, returns answers cite a KB version older than the newest published', () => {
  const inc = defaultIncidents(14);
  const newest = new Map<string, string>();
  let staleCitations = 0;
  let freshBefore = 0;
  for (const e of flat) {
    if (e.type === 'kb_document') {
      const doc = e.document as { doc_id: string; version: string };
      if (e.tenant === 'acme') newest.set(doc.doc_id, doc.version);
    }
    if (e.type === 'response' && e.tenant === 'acme' && (e.retrieved as { doc_id: string }[])[0]?.doc_id === 'returns-window') {
      const stale = e.kb_version !== newest.get('returns-window');
      if (e.day >= inc.staleKbDay) staleCitations += stale ? 1 : 0;
      else freshBefore += stale ? 0 : 1;
    }
  }
  assert.ok(staleCitations > 5, `stale citations ${staleCitations}`);
  assert.ok(freshBefore > 5);
});

test('incident: the spike tenant costs far more per response after its day', () => {
  const inc = defaultIncidents(14);
  const tokens = (tenant: string, after: boolean) => {
    const rs = flat.filter((e) => e.type === 'response' && e.tenant === tenant && (e.day >= inc.costSpikeDay) === after);
    return rs.reduce((s, e) => s + (e.usage as { output_tokens: number }).output_tokens, 0) / rs.length;
  };
  assert.ok(tokens('globex', true) > 3 * tokens('globex', false));
  assert.ok(tokens('acme', true) < 1.5 * tokens('acme', false));
});

test('feedback targets a response of the same conversation', () => {
  const responses = new Map(flat.filter((e) => e.type === 'response').map((e) => [e.event_id, e.conversation_id]));
  const fb = flat.filter((e) => e.type === 'feedback');
  assert.ok(fb.length > 100);
  for (const f of fb) assert.equal(responses.get(f.target_event_id as string), f.conversation_id);
});
