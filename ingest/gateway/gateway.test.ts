import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { EXAMPLE_EVENTS } from '../../schemas/events/index.ts';
import { kv } from '../../test/fixtures/otlp.ts';
import { attr, bytesField, fixed64, kvInt, kvString } from '../../test/fixtures/protobuf.ts';
import { createProducer, type OutMessage, type Transport } from '../producer/index.ts';
import { startGateway, type Gateway } from './index.ts';

/** Stands in for Kafka: the gateway's HTTP behaviour is what is under test here. */
class MemoryTransport implements Transport {
  messages: OutMessage[] = [];
  hold: Promise<void> | undefined;
  async send(batch: readonly OutMessage[]): Promise<void> {
    if (this.hold) await this.hold;
    this.messages.push(...batch);
  }
  async ping(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}

const KEY = 'test-key-acme-0123456789';
const transport = new MemoryTransport();
let gw: Gateway;

before(async () => {
  const producer = createProducer({ service: 'gw', tenant: 'gw', transport, logger: null, maxQueueEvents: 50, lingerMs: 1 });
  gw = await startGateway({
    port: 0,
    apiKeys: [{ tenant: 'acme', key: KEY }, { tenant: 'globex', key: 'other-key' }],
    producer,
    maxBodyBytes: 64 * 1024,
    rateLimit: { perSecond: 1000, burst: 1000 },
    logger: (await import('pino')).pino({ level: 'silent' }),
  });
});
after(() => gw.close());

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers } });

const req = (i: number) => ({ ...EXAMPLE_EVENTS.request, event_id: crypto.randomUUID(), conversation_id: `c-${i}`, tenant: 'someone-else' });

test('an array with invalid items: valid ones accepted (tenant from the key), errors say which item, field and why', async () => {
  const before = transport.messages.length;
  const bad1 = { ...req(1), ts: 1_700_000_000 };
  const bad2 = { ...req(2), type: 'nope' };
  const res = await post('/v1/events', JSON.stringify([req(0), bad1, req(3), bad2]));
  assert.equal(res.status, 207);
  const body = (await res.json()) as any;
  assert.equal(body.accepted, 2);
  assert.equal(body.rejected, 2);
  assert.deepEqual(body.errors.map((e: { index: number }) => e.index), [1, 3]);
  assert.equal(body.errors[0].reason, 'invalid_field');
  assert.equal(body.errors[0].issues[0].path, 'ts');
  assert.match(body.errors[0].issues[0].message, /milliseconds/);
  assert.equal(body.errors[1].reason, 'unknown_type');
  const sent = transport.messages.slice(before).map((m) => JSON.parse(m.value));
  assert.equal(sent.length, 2, 'acknowledged before the answer');
  assert.ok(sent.every((e) => e.tenant === 'acme'));
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(res.headers.get('x-powered-by'), null);
});

test('NDJSON, gzip, a single object; event_id and ts filled when missing', async () => {
  const { event_id: _, ts: __, ...bare } = req(7);
  const nd = [JSON.stringify(req(5)), '{broken', JSON.stringify(bare)].join('\n');
  const res = await post('/v1/events', gzipSync(nd), { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
  assert.equal(res.status, 207);
  const body = (await res.json()) as any;
  assert.equal(body.accepted, 2);
  assert.deepEqual(body.errors.map((e: { index: number; reason: string }) => [e.index, e.reason]), [[1, 'invalid_json']]);
  const last = JSON.parse(transport.messages.at(-1)!.value);
  assert.match(last.event_id, /^[0-9a-f-]{36}$/);
  const one = await post('/v1/events', JSON.stringify(req(9)), { 'x-request-id': 'my-req-1' });
  assert.equal(one.status, 200);
  assert.equal(((await one.json()) as any).request_id, 'my-req-1');
});

test('all items invalid is 400; auth failures are 401; unknown routes 404; bodies over the limit 413', async () => {
  const res = await post('/v1/events', JSON.stringify([{ type: 'request' }]));
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as any).rejected, 1);
  assert.equal((await post('/v1/events', '{}', { authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await fetch(`${gw.url}/v1/events`, { method: 'POST', body: '{}' })).status, 401);
  assert.equal((await post('/nope', '{}')).status, 404);
  const big = await post('/v1/events', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
  assert.equal(big.status, 413);
  const body = (await big.json()) as any;
  assert.equal(body.error, 'body_too_large');
  assert.ok(!JSON.stringify(body).includes('at '), 'no stack trace');
});

test('malformed JSON is a 400 with a reason, not a stack', async () => {
  const res = await post('/v1/events', '{"a": ');
  assert.equal(res.status, 400);
  const body = (await res.json()) as any;
  assert.equal(body.error, 'invalid_json');
  assert.equal(typeof body.request_id, 'string');
});

test('a full producer queue answers 429 with Retry-After and accepts nothing', async () => {
  let release!: () => void;
  transport.hold = new Promise((r) => (release = r));
  const first = post('/v1/events', JSON.stringify(Array.from({ length: 40 }, (_, i) => req(i))));
  await new Promise((r) => setTimeout(r, 50));
  const before = transport.messages.length;
  const res = await post('/v1/events', JSON.stringify(Array.from({ length: 20 }, (_, i) => req(i))));
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '1');
  transport.hold = undefined;
  release();
  assert.equal((await first).status, 200);
  assert.equal(transport.messages.length - before, 40);
});

test('OTLP JSON: GenAI spans become events, others are ignored', async () => {
  const before = transport.messages.length;
  const body = {
    resourceSpans: [{
      resource: { attributes: [kv('service.name', 'py-bot')] },
      scopeSpans: [{ spans: [
        { traceId: 'ab', spanId: 'cd', startTimeUnixNano: '1763800000000000000', endTimeUnixNano: '1763800001000000000', attributes: [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.request.model', 'gpt-4o'), kv('gen_ai.conversation.id', 'conv-otel')] },
        { traceId: 'ab', spanId: 'ef', attributes: [kv('http.route', '/x')] },
      ] }],
    }],
  };
  const res = await post('/v1/traces', JSON.stringify(body));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {});
  const sent = transport.messages.slice(before).map((m) => JSON.parse(m.value));
  assert.equal(sent.length, 1);
  assert.equal(sent[0].tenant, 'acme');
  assert.equal(sent[0].conversation_id, 'conv-otel');
  assert.equal(sent[0].latency_ms, 1000);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, /lookout_gateway_otlp_spans_total\{outcome="not_genai"\} 1/);
  assert.match(metrics, /lookout_gateway_otlp_spans_total\{outcome="mapped"\} 1/);
});

test('OTLP protobuf: a GenAI span becomes an event; answers and errors are protobuf', async () => {
  const before = transport.messages.length;
  // ExportTraceServiceRequest { resource_spans { resource { attributes }, scope_spans { spans } } }
  const span = [
    ...bytesField(1, Buffer.from('5b8efff798038103d269b633813fc60c', 'hex')),
    ...bytesField(2, Buffer.from('eee19b7ec3c1b174', 'hex')),
    ...fixed64(7, 1_763_800_000_000_000_000n),
    ...fixed64(8, 1_763_800_000_750_000_000n),
    ...attr(9, kvString('gen_ai.operation.name', 'chat')),
    ...attr(9, kvString('gen_ai.conversation.id', 'conv-proto')),
    ...attr(9, kvInt('gen_ai.usage.input_tokens', 42)),
  ];
  const request = bytesField(1, [...bytesField(1, attr(1, kvString('service.name', 'go-bot'))), ...bytesField(2, bytesField(2, span))]);
  const proto = { 'content-type': 'application/x-protobuf' };
  const res = await post('/v1/traces', Buffer.from(request), proto);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/x-protobuf/);
  assert.equal((await res.arrayBuffer()).byteLength, 0, 'full success is an empty ExportTraceServiceResponse');
  const sent = transport.messages.slice(before).map((m) => JSON.parse(m.value));
  assert.equal(sent.length, 1);
  assert.equal(sent[0].conversation_id, 'conv-proto');
  assert.equal(sent[0].service, 'go-bot');
  assert.equal(sent[0].latency_ms, 750);
  assert.equal(sent[0].usage.input_tokens, 42);
  const bad = await post('/v1/traces', Buffer.from([0x0a, 0x05, 0x01]), proto);
  assert.equal(bad.status, 400);
  assert.match(bad.headers.get('content-type') ?? '', /application\/x-protobuf/);
  // google.rpc.Status { code = 1: 3 (INVALID_ARGUMENT), message = 2 }
  const status = Buffer.from(await bad.arrayBuffer());
  assert.deepEqual([...status.subarray(0, 2)], [0x08, 3]);
  assert.match(status.toString('utf8'), /invalid_protobuf/);
});

test('health, readiness and metrics endpoints answer without a key', async () => {
  assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
  const ready = await fetch(`${gw.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready', kafka: true });
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, /lookout_gateway_events_total\{tenant="acme",outcome="accepted"\}/);
});

test('the per-key rate limit answers 429 with Retry-After', async () => {
  const limited = await startGateway({
    port: 0,
    apiKeys: [{ tenant: 't', key: 'k1' }],
    producer: createProducer({ service: 's', tenant: 't', transport: new MemoryTransport(), logger: null }),
    rateLimit: { perSecond: 1, burst: 2 },
    logger: (await import('pino')).pino({ level: 'silent' }),
  });
  try {
    const hit = () => fetch(`${limited.url}/v1/events`, { method: 'POST', headers: { 'x-api-key': 'k1', 'content-type': 'application/json' }, body: JSON.stringify(req(1)) });
    assert.deepEqual([(await hit()).status, (await hit()).status], [200, 200]);
    const third = await hit();
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('retry-after'), '1');
  } finally {
    await limited.close();
  }
});
