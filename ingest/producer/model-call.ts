/**
 * Wraps one model call so the caller writes no timing code: latency, time to first token (for
 * streams), token usage, status and fallback are recorded as one `response` event. The model's own
 * errors are re-thrown unchanged; telemetry problems never are.
 */
import { randomUUID } from 'node:crypto';
import type { FieldsOf } from './client.ts';

type ResponseFields = FieldsOf<'response'>;
type Usage = NonNullable<ResponseFields['usage']>;

/** What the caller knows before the call: conversation, model, input, retrieval... */
export type ModelCallContext = Omit<ResponseFields, 'latency_ms' | 'ttft_ms' | 'status' | 'usage' | 'output_text'> & {
  conversation_id: string;
};

/** Handed to the wrapped function. */
export interface ModelCallHandle {
  /** The event_id the response event will carry, e.g. for later feedback's target_event_id. */
  readonly eventId: string;
  /** Marks that a fallback model answered (optionally which one). */
  fallback(model?: string, provider?: string): void;
  /** Overrides what the extractors find. */
  setUsage(usage: Usage): void;
  setOutput(text: string): void;
  /** Any further response fields (guardrail_triggers, cache_hit, retrieved...). */
  set(fields: Partial<ResponseFields>): void;
}

export interface ModelCallExtractors<R, C> {
  /** Token usage from a whole result. Default: understands OpenAI and Anthropic shapes. */
  usage?: (result: R) => Usage | undefined;
  /** Answer text from a whole result. Default: OpenAI and Anthropic shapes. */
  output?: (result: R) => string | undefined;
  /** Text carried by one stream chunk. Default: OpenAI and Anthropic stream shapes. */
  chunkText?: (chunk: C) => string | undefined;
  /** Usage carried by a stream chunk (usually the last). Default: OpenAI and Anthropic shapes. */
  chunkUsage?: (chunk: C) => Usage | undefined;
  /** Record the output text. Default true. */
  captureOutput?: boolean;
}

type Rec = Record<string, unknown>;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
}

function obj(v: unknown): Rec | undefined {
  return v !== null && typeof v === 'object' ? (v as Rec) : undefined;
}

/** Usage in the shapes OpenAI (chat and responses) and Anthropic return. */
export function detectUsage(result: unknown): Usage | undefined {
  const root = obj(result);
  const u = obj(root?.usage) ?? obj(obj(root?.message)?.usage);
  if (!u) return undefined;
  const input = num(u.prompt_tokens) ?? num(u.input_tokens);
  const output = num(u.completion_tokens) ?? num(u.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const cached =
    num(obj(u.prompt_tokens_details)?.cached_tokens) ?? num(obj(u.input_tokens_details)?.cached_tokens) ?? num(u.cache_read_input_tokens);
  const reasoning = num(obj(u.completion_tokens_details)?.reasoning_tokens) ?? num(obj(u.output_tokens_details)?.reasoning_tokens);
  // Anthropic counts cache reads and writes apart from input_tokens; the contract counts them in.
  const anthropicExtra = (num(u.cache_read_input_tokens) ?? 0) + (num(u.cache_creation_input_tokens) ?? 0);
  const isAnthropic = u.cache_read_input_tokens !== undefined || u.cache_creation_input_tokens !== undefined;
  return {
    input_tokens: (input ?? 0) + (isAnthropic ? anthropicExtra : 0),
    output_tokens: output ?? 0,
    cached_input_tokens: cached ?? 0,
    cache_write_tokens: num(u.cache_creation_input_tokens) ?? 0,
    reasoning_tokens: reasoning ?? 0,
  };
}

/** Answer text in the shapes OpenAI (chat, responses) and Anthropic return. */
export function detectOutput(result: unknown): string | undefined {
  if (typeof result === 'string') return result;
  const root = obj(result);
  if (!root) return undefined;
  if (typeof root.output_text === 'string') return root.output_text;
  const choice = obj((root.choices as unknown[] | undefined)?.[0]);
  const content = obj(choice?.message)?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(root.content)) {
    return root.content
      .map((b) => obj(b))
      .filter((b) => b?.type === 'text' && typeof b.text === 'string')
      .map((b) => b!.text as string)
      .join('');
  }
  return undefined;
}

/** Text of one stream chunk: OpenAI chat deltas, OpenAI responses events, Anthropic deltas, strings. */
export function detectChunkText(chunk: unknown): string | undefined {
  if (typeof chunk === 'string') return chunk;
  const c = obj(chunk);
  if (!c) return undefined;
  const delta = obj(obj((c.choices as unknown[] | undefined)?.[0])?.delta);
  if (typeof delta?.content === 'string') return delta.content;
  if (c.type === 'response.output_text.delta' && typeof c.delta === 'string') return c.delta;
  const d = obj(c.delta);
  if (c.type === 'content_block_delta' && typeof d?.text === 'string') return d.text;
  return undefined;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

function statusOf(err: unknown): { status: 'error' | 'timeout' | 'cancelled'; code: string; message: string } {
  const e = obj(err) ?? {};
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : typeof e.status === 'number' ? String(e.status) : name;
  const message = typeof e.message === 'string' ? e.message.slice(0, 500) : '';
  if (name === 'AbortError') return { status: 'cancelled', code, message };
  if (name === 'TimeoutError' || /timeout|timed out|ETIMEDOUT/i.test(`${code} ${name}`)) return { status: 'timeout', code, message };
  return { status: 'error', code, message };
}

/** Adds two usages: Anthropic streams report input and output in different chunks. */
function mergeUsage(a: Usage | undefined, b: Usage): Usage {
  if (!a) return b;
  const out: Rec = { ...a };
  for (const [k, v] of Object.entries(b)) if (typeof v === 'number' && v > 0) out[k] = v;
  return out as Usage;
}

export function runModelCall<R, C = unknown>(
  emit: (fields: ResponseFields) => void,
  ctx: ModelCallContext,
  fn: (call: ModelCallHandle) => R | Promise<R>,
  extract: ModelCallExtractors<R, C> = {},
): Promise<R> {
  const started = performance.now();
  const eventId = typeof ctx.event_id === 'string' ? ctx.event_id : randomUUID();
  const extra: Partial<ResponseFields> = {};
  let usage: Usage | undefined;
  let output: string | undefined;
  const capture = extract.captureOutput !== false;
  const handle: ModelCallHandle = {
    eventId,
    fallback(model, provider) {
      extra.fallback_used = true;
      if (model) {
        const attributes: Record<string, unknown> = { ...(ctx.attributes as object | undefined), ...(extra.attributes as object | undefined) };
        if (ctx.model) attributes.primary_model = ctx.model;
        extra.attributes = attributes as ResponseFields['attributes'];
        extra.model = model;
      }
      if (provider) extra.provider = provider;
    },
    setUsage(u) {
      usage = u;
    },
    setOutput(t) {
      output = t;
    },
    set(fields) {
      Object.assign(extra, fields);
    },
  };

  const finish = (fields: Partial<ResponseFields>): void => {
    try {
      const event: ResponseFields = {
        ...ctx,
        event_id: eventId,
        latency_ms: Math.round(performance.now() - started),
        status: 'ok',
        ...extra,
        ...fields,
      };
      if (usage) event.usage = usage;
      if (capture && output !== undefined) event.output_text = output;
      emit(event);
    } catch {
      // Telemetry must never break the host's call.
    }
  };

  const failed = (err: unknown): never => {
    const s = statusOf(err);
    finish({ status: s.status, error: { code: s.code.slice(0, 256), message: s.message } });
    throw err;
  };

  const onResult = (result: R): R => {
    if (isAsyncIterable(result)) return wrapStream(result as unknown as AsyncIterable<C>) as unknown as R;
    try {
      usage ??= (extract.usage ?? detectUsage)(result);
      if (capture) output ??= (extract.output ?? detectOutput)(result);
    } catch {
      // A surprising result shape only costs the usage/output fields.
    }
    finish({});
    return result;
  };

  const wrapStream = (stream: AsyncIterable<C>): AsyncIterable<C> => ({
    [Symbol.asyncIterator]() {
      const it = stream[Symbol.asyncIterator]();
      let ttft: number | undefined;
      const parts: string[] = [];
      let done = false;
      const end = (fields: Partial<ResponseFields>): void => {
        if (done) return;
        done = true;
        if (capture && output === undefined && parts.length > 0) output = parts.join('');
        finish({ ...(ttft !== undefined ? { ttft_ms: ttft } : {}), ...fields });
      };
      return {
        async next() {
          let r: IteratorResult<C>;
          try {
            r = await it.next();
          } catch (err) {
            const s = statusOf(err);
            end({ status: s.status, error: { code: s.code.slice(0, 256), message: s.message } });
            throw err;
          }
          if (r.done) {
            end({});
            return r;
          }
          try {
            ttft ??= Math.round(performance.now() - started);
            const text = (extract.chunkText ?? detectChunkText)(r.value);
            if (capture && text) parts.push(text);
            const u = (extract.chunkUsage ?? detectUsage)(r.value) ?? detectUsage(obj(r.value)?.message);
            if (u) usage = mergeUsage(usage, u);
          } catch {
            // Unknown chunk shapes only cost the derived fields.
          }
          return r;
        },
        async return(value?: unknown) {
          end({ status: 'cancelled' });
          if (it.return) return it.return(value);
          return { done: true, value: value as C };
        },
        async throw(err?: unknown) {
          end({ status: 'error', error: { code: 'stream_error', message: '' } });
          if (it.throw) return it.throw(err);
          throw err;
        },
      };
    },
  });

  try {
    const out = fn(handle);
    if (out instanceof Promise) return out.then(onResult, failed);
    return Promise.resolve(onResult(out as R));
  } catch (err) {
    try {
      failed(err);
    } catch {
      // failed() re-throws the host's error; hand it back as a rejection like an async call would.
    }
    return Promise.reject(err);
  }
}
