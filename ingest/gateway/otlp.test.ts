import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEvent } from '../../schemas/events/index.ts';
import { kv } from '../../test/fixtures/otlp.ts';
import { anyValue, mapTraces, uuidFrom } from './otlp.ts';

const T0 = 1_763_800_000_000n * 1_000_000n;

function chatSpan(extra: ReturnType<typeof kv>[] = [], more: Record<string, unknown> = {}) {
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name: 'chat gpt-4o',
    startTimeUnixNano: String(T0),
    endTimeUnixNano: String(T0 + 1_250_000_000n),
    attributes: [
      kv('gen_ai.operation.name', 'chat'),
      kv('gen_ai.provider.name', 'openai'),
      kv('gen_ai.request.model', 'gpt-4o'),
      kv('gen_ai.response.model', 'gpt-4o-2024-08-06'),
      kv('gen_ai.conversation.id', 'conv-42'),
      kv('gen_ai.usage.input_tokens', 900),
      kv('gen_ai.usage.output_tokens', 120),
      kv('gen_ai.usage.cache_read.input_tokens', 512),
      kv('gen_ai.usage.cache_creation.input_tokens', 64),
      kv('gen_ai.usage.reasoning.output_tokens', 30),
      kv('gen_ai.data_source.id', 'kb-2025-11-20'),
      kv('gen_ai.input.messages', JSON.stringify([
        { role: 'user', parts: [{ type: 'text', content: 'first question' }] },
        { role: 'assistant', parts: [{ type: 'text', content: 'an answer' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Where is my refund?' }] },
      ])),
      kv('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Refunds take 5 days.' }], finish_reason: 'stop' }])),
      kv('gen_ai.system_instructions', JSON.stringify([{ type: 'text', content: 'You are a support bot.' }])),
      kv('gen_ai.retrieval.documents', JSON.stringify([{ id: 'refund-policy', score: 0.91 }])),
      ...extra,
    ],
    ...more,
  };
}

function body(spans: unknown[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'py-support-bot'), kv('deployment.environment.name', 'staging')] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  };
}

const opts = { tenant: 'acme', defaultService: 'otlp' };

test('a chat span becomes a valid response event with model, usage, texts, kb version and latency', () => {
  const r = mapTraces(body([chatSpan()]), opts);
  assert.equal(r.spans, 1);
  assert.equal(r.events.length, 1);
  const parsed = parseEvent(r.events[0]!.event);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const e = parsed.event as Record<string, any>;
  assert.equal(e.type, 'response');
  assert.equal(e.tenant, 'acme');
  assert.equal(e.service, 'py-support-bot');
  assert.equal(e.environment, 'staging');
  assert.equal(e.conversation_id, 'conv-42');
  assert.equal(e.model, 'gpt-4o-2024-08-06');
  assert.equal(e.provider, 'openai');
  assert.equal(e.kb_version, 'kb-2025-11-20');
  assert.equal(e.input_text, 'Where is my refund?');
  assert.equal(e.output_text, 'Refunds take 5 days.');
  assert.equal(e.latency_ms, 1250);
  assert.equal(e.ts, 1_763_800_000_000);
  assert.deepEqual(e.usage, { input_tokens: 900, output_tokens: 120, cached_input_tokens: 512, cache_write_tokens: 64, reasoning_tokens: 30 });
  assert.deepEqual(e.retrieved, [{ doc_id: 'refund-policy', score: 0.91, kb_version: 'kb-2025-11-20' }]);
  assert.equal(e.attributes.system_instructions, 'You are a support bot.');
  assert.equal(e.event_id, uuidFrom('5b8efff798038103d269b633813fc60c/eee19b7ec3c1b174/response'));
});

test('the same span always maps to the same event_id (idempotent exporter retries)', () => {
  const a = mapTraces(body([chatSpan()]), opts).events[0]!.event.event_id;
  const b = mapTraces(body([chatSpan()]), opts).events[0]!.event.event_id;
  assert.equal(a, b);
  assert.match(String(a), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('error status maps to status error with error.type as the code', () => {
  const span = chatSpan([kv('error.type', 'rate_limit_exceeded')], { status: { code: 2, message: 'slow down' } });
  const e = mapTraces(body([span]), opts).events[0]!.event as Record<string, any>;
  assert.equal(e.status, 'error');
  assert.deepEqual(e.error, { code: 'rate_limit_exceeded', message: 'slow down' });
});

test('execute_tool and retrieval spans map to tool_call and retrieval events', () => {
  const tool = { traceId: 't1', spanId: 's1', startTimeUnixNano: String(T0), endTimeUnixNano: String(T0 + 40_000_000n), attributes: [kv('gen_ai.operation.name', 'execute_tool'), kv('gen_ai.tool.name', 'lookup_order'), kv('gen_ai.tool.call.arguments', '{"id":88231}'), kv('gen_ai.conversation.id', 'c')] };
  const retr = { traceId: 't1', spanId: 's2', startTimeUnixNano: String(T0), endTimeUnixNano: String(T0 + 15_000_000n), attributes: [kv('gen_ai.operation.name', 'retrieval'), kv('gen_ai.data_source.id', 'kb-7'), kv('gen_ai.retrieval.query.text', 'refund time'), kv('gen_ai.retrieval.documents', JSON.stringify([{ id: 'd1', score: 0.5 }, { id: 'd2', score: 0.4 }]))] };
  const r = mapTraces(body([tool, retr]), opts);
  const [t, q] = r.events.map((x) => parseEvent(x.event));
  assert.ok(t?.ok && q?.ok);
  const te = t.event as Record<string, any>;
  assert.equal(te.type, 'tool_call');
  assert.deepEqual(te.tool, { name: 'lookup_order', arguments: '{"id":88231}', status: 'ok', latency_ms: 40 });
  const qe = q.event as Record<string, any>;
  assert.equal(qe.type, 'retrieval');
  assert.equal(qe.conversation_id, 'trace-t1', 'no conversation id: the trace groups the turn');
  assert.equal(qe.kb_version, 'kb-7');
  assert.equal(qe.retrieved.length, 2);
});

test('evaluation result span events become evaluator feedback pointing at the response', () => {
  const span = chatSpan([], {
    events: [
      { name: 'gen_ai.evaluation.result', timeUnixNano: String(T0 + 2_000_000_000n), attributes: [kv('gen_ai.evaluation.name', 'Relevance'), kv('gen_ai.evaluation.score.value', 0.2), kv('gen_ai.evaluation.score.label', 'irrelevant'), kv('gen_ai.evaluation.explanation', 'off topic')] },
      { name: 'some.other.event', attributes: [] },
    ],
  });
  const r = mapTraces(body([span]), opts);
  assert.equal(r.events.length, 2);
  const fb = parseEvent(r.events[1]!.event);
  assert.ok(fb.ok, JSON.stringify(fb));
  const f = fb.event as Record<string, any>;
  assert.equal(f.type, 'feedback');
  assert.equal(f.target_event_id, r.events[0]!.event.event_id);
  assert.deepEqual(f.feedback, { source: 'evaluator', thumbs: 'down', comment: 'Relevance: irrelevant (off topic)' });
  assert.equal(f.attributes['gen_ai.evaluation.score.value'], 0.2);
  assert.equal(f.ts, 1_763_800_002_000);
});

test('non-GenAI spans and unsupported operations are counted and ignored', () => {
  const http = { traceId: 'a', spanId: 'b', attributes: [kv('http.request.method', 'GET')] };
  const emb = { traceId: 'a', spanId: 'c', attributes: [kv('gen_ai.operation.name', 'embeddings'), kv('gen_ai.request.model', 'text-embedding-3-small')] };
  const r = mapTraces(body([http, emb, chatSpan()]), opts);
  assert.equal(r.spans, 3);
  assert.deepEqual(r.ignored, { not_genai: 1, unsupported_operation: 1 });
  assert.equal(r.events.length, 1);
});

test('anyValue decodes every OTLP value kind; garbage bodies map to nothing', () => {
  assert.deepEqual(anyValue({ arrayValue: { values: [{ intValue: '3' }, { boolValue: true }] } }), [3, true]);
  assert.deepEqual(anyValue({ kvlistValue: { values: [{ key: 'k', value: { doubleValue: 1.5 } }] } }), { k: 1.5 });
  assert.deepEqual(mapTraces({ nope: 1 }, opts), { events: [], spans: 0, ignored: { not_genai: 0, unsupported_operation: 0 } });
  assert.deepEqual(mapTraces(null, opts).events, []);
});
