import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kv } from '../../test/fixtures/otlp.ts';
import { attr, bytesField, fixed64, int, kvInt, kvString, str } from '../../test/fixtures/protobuf.ts';
import { decodeTraceRequest, encodeRpcStatus, encodeTraceResponse } from './otlp-proto.ts';
import { mapTraces } from './otlp.ts';

const T0 = 1_763_800_000_000n * 1_000_000n;
const traceId = '5b8efff798038103d269b633813fc60c';
const spanId = 'eee19b7ec3c1b174';

/** trace/v1 Span: trace_id 1, span_id 2, name 5, kind 6, start 7, end 8, attributes 9. */
function chatSpanBytes(): number[] {
  return [
    ...bytesField(1, Buffer.from(traceId, 'hex')),
    ...bytesField(2, Buffer.from(spanId, 'hex')),
    ...str(5, 'chat gpt-4o'),
    ...int(6, 3n),
    ...fixed64(7, T0),
    ...fixed64(8, T0 + 1_250_000_000n),
    ...attr(9, kvString('gen_ai.operation.name', 'chat')),
    ...attr(9, kvString('gen_ai.provider.name', 'openai')),
    ...attr(9, kvString('gen_ai.request.model', 'gpt-4o')),
    ...attr(9, kvString('gen_ai.conversation.id', 'conv-42')),
    ...attr(9, kvInt('gen_ai.usage.input_tokens', 900)),
    ...attr(9, kvInt('gen_ai.usage.output_tokens', 120)),
    ...attr(9, kvString('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Refunds take 5 days.' }] }]))),
  ];
}

/** ExportTraceServiceRequest { resource_spans 1 { resource 1 { attributes 1 }, scope_spans 2 { scope 1, spans 2 } } }. */
function requestBytes(): Buffer {
  const resource = attr(1, kvString('service.name', 'py-support-bot'));
  const scopeSpans = [...bytesField(1, str(1, 'test-scope')), ...bytesField(2, chatSpanBytes())];
  return Buffer.from(bytesField(1, [...bytesField(1, resource), ...bytesField(2, scopeSpans)]));
}

const jsonBody = {
  resourceSpans: [
    {
      resource: { attributes: [kv('service.name', 'py-support-bot')] },
      scopeSpans: [
        {
          scope: { name: 'test-scope' },
          spans: [
            {
              traceId,
              spanId,
              name: 'chat gpt-4o',
              kind: 3,
              startTimeUnixNano: String(T0),
              endTimeUnixNano: String(T0 + 1_250_000_000n),
              attributes: [
                kv('gen_ai.operation.name', 'chat'),
                kv('gen_ai.provider.name', 'openai'),
                kv('gen_ai.request.model', 'gpt-4o'),
                kv('gen_ai.conversation.id', 'conv-42'),
                kv('gen_ai.usage.input_tokens', 900),
                kv('gen_ai.usage.output_tokens', 120),
                kv('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Refunds take 5 days.' }] }])),
              ],
            },
          ],
        },
      ],
    },
  ],
};

test('a protobuf request decodes to the OTLP/JSON form of the same spans: hex ids, nanosecond strings', () => {
  assert.deepEqual(decodeTraceRequest(requestBytes()), jsonBody);
});

test('protobuf and JSON of the same span map to the same event', () => {
  const opts = { tenant: 'acme', defaultService: 'otlp' };
  const fromProto = mapTraces(decodeTraceRequest(requestBytes()), opts);
  const fromJson = mapTraces(jsonBody, opts);
  assert.equal(fromProto.events.length, 1);
  assert.deepEqual(fromProto, fromJson);
  const e = fromProto.events[0]!.event;
  assert.equal(e.conversation_id, 'conv-42');
  assert.equal(e.latency_ms, 1250);
  assert.equal((e.usage as Record<string, number>).input_tokens, 900);
});

test('malformed protobuf throws; an empty body is an empty request', () => {
  assert.throws(() => decodeTraceRequest(Buffer.from([0x0a, 0x05, 0x01])));
  assert.deepEqual(decodeTraceRequest(Buffer.alloc(0)), {});
});

test('answers: empty success, partial success and google.rpc.Status, as the published field numbers say', () => {
  assert.equal(encodeTraceResponse().length, 0);
  const partial = Buffer.from(encodeTraceResponse({ rejectedSpans: 2, errorMessage: 'bad' }));
  // partial_success = 1 { rejected_spans = 1 (varint 2), error_message = 2 ("bad") }
  assert.deepEqual([...partial], bytesField(1, [...int(1, 2n), ...str(2, 'bad')]));
  const status = Buffer.from(encodeRpcStatus(400, 'no'));
  // code = 1 (INVALID_ARGUMENT, 3), message = 2
  assert.deepEqual([...status], [...int(1, 3n), ...str(2, 'no')]);
  assert.deepEqual([...Buffer.from(encodeRpcStatus(503, 'later'))], [...int(1, 14n), ...str(2, 'later')]);
});
