/**
 * OTLP/HTTP JSON traces → Lookout events, following the OpenTelemetry GenAI semantic conventions.
 * Pure: no I/O. The mapping table is in README-otlp.md. Event ids are derived from trace and span
 * ids, so an exporter retrying the same spans produces the same events (deduplicated downstream).
 */
import { createHash } from 'node:crypto';
import { LIMITS } from '../../schemas/events/index.ts';

type Json = Record<string, unknown>;

export interface OtlpMapOptions {
  /** The tenant the API key belongs to. */
  tenant: string;
  /** service when the resource has no service.name. */
  defaultService: string;
}

export type IgnoreReason = 'not_genai' | 'unsupported_operation';

export interface OtlpMapResult {
  /** Candidate events (not yet validated), each with the span it came from. */
  events: { event: Json; spanId: string }[];
  spans: number;
  ignored: Record<IgnoreReason, number>;
}

const RESPONSE_OPS = new Set(['chat', 'text_completion', 'generate_content', 'invoke_agent']);

/** OTLP AnyValue → plain JS value. */
export function anyValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Json;
  if ('stringValue' in o) return o.stringValue;
  if ('boolValue' in o) return o.boolValue;
  if ('intValue' in o) return Number(o.intValue);
  if ('doubleValue' in o) return Number(o.doubleValue);
  if ('arrayValue' in o) return ((o.arrayValue as Json)?.values as unknown[] | undefined ?? []).map(anyValue);
  if ('kvlistValue' in o) return attributes((o.kvlistValue as Json)?.values);
  if ('bytesValue' in o) return o.bytesValue;
  return undefined;
}

/** OTLP KeyValue list → object. */
export function attributes(list: unknown): Json {
  const out: Json = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (kv && typeof kv === 'object' && typeof (kv as Json).key === 'string') out[(kv as Json).key as string] = anyValue((kv as Json).value);
  }
  return out;
}

/** A deterministic RFC 4122 (version 5 style) UUID from a name. */
export function uuidFrom(name: string): string {
  const h = createHash('sha1').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

function nanosToMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Math.floor(v / 1e6);
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(BigInt(v) / 1_000_000n);
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;
}

function int(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}

/** Structured attributes may also arrive as JSON strings (the conventions allow both). */
function structured(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

function clip(s: string | undefined, max: number): string | undefined {
  return s === undefined ? undefined : s.length > max ? s.slice(0, max) : s;
}

/** Text of a message's parts (GenAI message schema: {role, parts: [{type: 'text', content}]}). */
function messageText(m: unknown): string {
  if (typeof m === 'string') return m;
  if (!m || typeof m !== 'object') return '';
  const msg = m as Json;
  if (typeof msg.content === 'string') return msg.content;
  const parts = Array.isArray(msg.parts) ? msg.parts : Array.isArray(msg.content) ? msg.content : [];
  return parts
    .map((p) => (p && typeof p === 'object' && (p as Json).type === 'text' ? str((p as Json).content) ?? str((p as Json).text) ?? '' : ''))
    .join('');
}

/** The last user message: what the user asked on this turn. */
function lastUserText(messages: unknown): string | undefined {
  const list = structured(messages);
  if (!Array.isArray(list)) return undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i] as Json | undefined;
    if (m && (m.role === 'user' || m.role === undefined)) {
      const t = messageText(m);
      if (t) return t;
    }
  }
  return undefined;
}

function outputText(messages: unknown): string | undefined {
  const list = structured(messages);
  if (!Array.isArray(list)) return undefined;
  const text = list.map(messageText).filter(Boolean).join('\n');
  return text || undefined;
}

function retrievedDocs(v: unknown, kbVersion: string | undefined): Json[] | undefined {
  const list = structured(v);
  if (!Array.isArray(list)) return undefined;
  const docs: Json[] = [];
  for (const d of list.slice(0, LIMITS.retrievedItems)) {
    if (!d || typeof d !== 'object') continue;
    const o = d as Json;
    const id = str(o.id) ?? str(o.doc_id);
    if (!id) continue;
    const doc: Json = { doc_id: id };
    const score = typeof o.score === 'number' ? o.score : typeof o.score === 'string' ? Number(o.score) : undefined;
    if (score !== undefined && Number.isFinite(score)) doc.score = score;
    const version = str(o.kb_version) ?? str(o.version) ?? kbVersion;
    if (version) doc.kb_version = version;
    if (str(o.title)) doc.title = clip(str(o.title), LIMITS.idChars);
    const snippet = str(o.snippet) ?? str(o.content);
    if (snippet) doc.snippet = clip(snippet, LIMITS.snippetChars);
    docs.push(doc);
  }
  return docs;
}

function usageOf(a: Json): Json | undefined {
  const input = int(a['gen_ai.usage.input_tokens']);
  const output = int(a['gen_ai.usage.output_tokens']);
  if (input === undefined && output === undefined) return undefined;
  return {
    input_tokens: input ?? 0,
    output_tokens: output ?? 0,
    cached_input_tokens: int(a['gen_ai.usage.cache_read.input_tokens']) ?? 0,
    cache_write_tokens: int(a['gen_ai.usage.cache_creation.input_tokens']) ?? 0,
    reasoning_tokens: int(a['gen_ai.usage.reasoning.output_tokens']) ?? 0,
  };
}

const POSITIVE = /^(pass|passed|good|positive|correct|relevant|yes|true|faithful|helpful)$/i;
const NEGATIVE = /^(fail|failed|bad|negative|incorrect|irrelevant|no|false|unfaithful|unhelpful)$/i;

export function mapTraces(body: unknown, opts: OtlpMapOptions): OtlpMapResult {
  const result: OtlpMapResult = { events: [], spans: 0, ignored: { not_genai: 0, unsupported_operation: 0 } };
  const resourceSpans = (body as Json | null)?.resourceSpans;
  if (!Array.isArray(resourceSpans)) return result;
  for (const rs of resourceSpans as Json[]) {
    const res = attributes((rs?.resource as Json | undefined)?.attributes);
    const service = clip(str(res['service.name']), LIMITS.idChars) ?? opts.defaultService;
    const environment = clip(str(res['deployment.environment.name']) ?? str(res['deployment.environment']), LIMITS.idChars) ?? 'production';
    for (const ss of (Array.isArray(rs?.scopeSpans) ? rs.scopeSpans : []) as Json[]) {
      for (const span of (Array.isArray(ss?.spans) ? ss.spans : []) as Json[]) {
        result.spans++;
        mapSpan(span, { tenant: opts.tenant, service, environment }, result);
      }
    }
  }
  return result;
}

function mapSpan(span: Json, base: { tenant: string; service: string; environment: string }, out: OtlpMapResult): void {
  const a = attributes(span.attributes);
  const traceId = str(span.traceId) ?? '';
  const spanId = str(span.spanId) ?? '';
  const op = str(a['gen_ai.operation.name']);
  const start = nanosToMs(span.startTimeUnixNano);
  const end = nanosToMs(span.endTimeUnixNano);
  const latency = start !== undefined && end !== undefined && end >= start ? end - start : undefined;
  const conversation = clip(str(a['gen_ai.conversation.id']), LIMITS.idChars) ?? `trace-${traceId}`;
  const status = span.status as Json | undefined;
  const isError = status?.code === 2 || status?.code === 'STATUS_CODE_ERROR';
  const kbVersion = clip(str(a['gen_ai.data_source.id']), LIMITS.idChars);
  const common: Json = {
    schema_version: 1,
    ...base,
    conversation_id: conversation,
    ts: start ?? Date.now(),
    attributes: { 'otel.trace_id': traceId, 'otel.span_id': spanId, ...(op ? { 'gen_ai.operation.name': op } : {}) },
  };
  const model = { model: clip(str(a['gen_ai.response.model']) ?? str(a['gen_ai.request.model']), LIMITS.idChars), provider: clip(str(a['gen_ai.provider.name']) ?? str(a['gen_ai.system']), LIMITS.idChars) };
  const responseId = uuidFrom(`${traceId}/${spanId}/response`);
  let mappedResponse = false;

  const hasGenAi = op !== undefined || Object.keys(a).some((k) => k.startsWith('gen_ai.'));
  if (!hasGenAi) out.ignored.not_genai++;
  else if (op === undefined || RESPONSE_OPS.has(op)) {
    const attrs = common.attributes as Json;
    const sys = structured(a['gen_ai.system_instructions']);
    const sysText = Array.isArray(sys) ? sys.map(messageText).join('\n') : typeof a['gen_ai.system_instructions'] === 'string' ? (a['gen_ai.system_instructions'] as string) : undefined;
    if (sysText) attrs.system_instructions = clip(sysText, 4000);
    if (str(a['gen_ai.response.id'])) attrs['gen_ai.response.id'] = clip(str(a['gen_ai.response.id']), LIMITS.idChars);
    if (str(a['gen_ai.agent.name'])) attrs['gen_ai.agent.name'] = clip(str(a['gen_ai.agent.name']), LIMITS.idChars);
    const ttftSeconds = a['gen_ai.response.time_to_first_chunk'];
    const event: Json = {
      ...common,
      event_id: responseId,
      type: 'response',
      ...model,
      kb_version: kbVersion,
      input_text: clip(lastUserText(a['gen_ai.input.messages']), LIMITS.textChars),
      output_text: clip(outputText(a['gen_ai.output.messages']), LIMITS.textChars) ?? '',
      usage: usageOf(a),
      latency_ms: latency,
      ttft_ms: typeof ttftSeconds === 'number' ? Math.round(ttftSeconds * 1000) : undefined,
      status: isError ? 'error' : 'ok',
      error: isError ? { code: clip(str(a['error.type']) ?? 'error', LIMITS.idChars), message: clip(str(status?.message), LIMITS.snippetChars) } : undefined,
      retrieved: retrievedDocs(a['gen_ai.retrieval.documents'], kbVersion),
    };
    out.events.push({ event: prune(event), spanId });
    mappedResponse = true;
  } else if (op === 'execute_tool') {
    const args = a['gen_ai.tool.call.arguments'];
    const res = a['gen_ai.tool.call.result'];
    const event: Json = {
      ...common,
      event_id: uuidFrom(`${traceId}/${spanId}/tool_call`),
      type: 'tool_call',
      ...model,
      tool: {
        name: clip(str(a['gen_ai.tool.name']) ?? 'unknown', LIMITS.idChars),
        arguments: clip(typeof args === 'string' ? args : args === undefined ? undefined : JSON.stringify(args), LIMITS.textChars),
        result: clip(typeof res === 'string' ? res : res === undefined ? undefined : JSON.stringify(res), LIMITS.textChars),
        status: isError ? 'error' : 'ok',
        latency_ms: latency,
      },
    };
    out.events.push({ event: prune(event), spanId });
  } else if (op === 'retrieval') {
    const event: Json = {
      ...common,
      event_id: uuidFrom(`${traceId}/${spanId}/retrieval`),
      type: 'retrieval',
      kb_version: kbVersion,
      query_text: clip(str(a['gen_ai.retrieval.query.text']), LIMITS.textChars),
      retrieved: retrievedDocs(a['gen_ai.retrieval.documents'], kbVersion) ?? [],
      latency_ms: latency,
    };
    out.events.push({ event: prune(event), spanId });
  } else out.ignored.unsupported_operation++;

  // Evaluation results are span events on (usually) the evaluated operation's span.
  const events = Array.isArray(span.events) ? (span.events as Json[]) : [];
  events.forEach((ev, i) => {
    if (ev?.name !== 'gen_ai.evaluation.result') return;
    const ea = attributes(ev.attributes);
    const name = str(ea['gen_ai.evaluation.name']) ?? 'evaluation';
    const label = str(ea['gen_ai.evaluation.score.label']);
    const score = typeof ea['gen_ai.evaluation.score.value'] === 'number' ? (ea['gen_ai.evaluation.score.value'] as number) : undefined;
    const explanation = str(ea['gen_ai.evaluation.explanation']);
    const thumbs = label && POSITIVE.test(label) ? 'up' : label && NEGATIVE.test(label) ? 'down' : undefined;
    const summary = `${name}: ${label ?? (score !== undefined ? String(score) : 'n/a')}${explanation ? ` (${explanation})` : ''}`;
    const feedback: Json = {
      ...common,
      event_id: uuidFrom(`${traceId}/${spanId}/evaluation/${i}`),
      type: 'feedback',
      ts: nanosToMs(ev.timeUnixNano) ?? common.ts,
      target_event_id: mappedResponse ? responseId : undefined,
      feedback: { source: 'evaluator', thumbs, comment: clip(summary, LIMITS.snippetChars) },
      attributes: {
        ...(common.attributes as Json),
        'gen_ai.evaluation.name': clip(name, LIMITS.idChars),
        ...(score !== undefined ? { 'gen_ai.evaluation.score.value': score } : {}),
        ...(label ? { 'gen_ai.evaluation.score.label': clip(label, LIMITS.idChars) } : {}),
      },
    };
    out.events.push({ event: prune(feedback), spanId });
  });
}

/** Drops undefined fields (recursively in plain objects) so the contract sees only what is known. */
function prune(o: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? prune(v as Json) : v;
  }
  return out;
}
