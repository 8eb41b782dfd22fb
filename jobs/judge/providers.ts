/**
 * Judge model providers over plain fetch: any OpenAI-compatible chat-completions endpoint
 * (OpenAI, Azure OpenAI v1, vLLM, Ollama, LiteLLM...) and the Anthropic Messages API.
 * Each attempt has a timeout; 408/409/429/5xx (Anthropic's 529 included), timeouts and network
 * errors are retried with exponential backoff and full jitter, honouring Retry-After.
 */

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  system: string;
  messages: ChatMessage[];
  maxTokens: number;
}

export interface ChatUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface ChatResult {
  text: string;
  usage: ChatUsage;
}

export interface ChatProvider {
  /** `openai` | `anthropic`: also the provider name the price table is asked about. */
  readonly name: 'openai' | 'anthropic';
  readonly model: string;
  complete(req: ChatRequest, signal?: AbortSignal): Promise<ChatResult>;
}

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After gives up instead of waiting. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 };

export interface ProviderOptions {
  baseUrl: string;
  model: string;
  apiKey: string;
  timeoutMs: number;
  retry?: RetryPolicy;
  /** Test seams. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  fetch?: typeof fetch;
}

/** A call that failed for good. `code` is safe to store and log: never a URL, key or text. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly code: string,
    readonly attempts: number,
  ) {
    super(`judge provider call failed: ${code} after ${attempts} attempt(s)`);
  }
}

const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504, 529]);

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function postJson(url: string, headers: Record<string, string>, body: unknown, o: ProviderOptions, signal?: AbortSignal): Promise<unknown> {
  const retry = o.retry ?? DEFAULT_RETRY;
  const sleep = o.sleep ?? defaultSleep;
  const random = o.random ?? Math.random;
  const doFetch = o.fetch ?? fetch;
  let lastCode = 'no_attempt';
  for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
    if (signal?.aborted) throw new ProviderError('aborted', attempt - 1);
    let wait: number | null = null;
    const timeout = AbortSignal.timeout(o.timeoutMs);
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      if (res.ok) {
        try {
          return await res.json();
        } catch {
          throw new ProviderError('invalid_response_body', attempt);
        }
      }
      await res.body?.cancel();
      lastCode = `http_${res.status}`;
      if (!RETRYABLE.has(res.status)) throw new ProviderError(lastCode, attempt);
      wait = retryAfterMs(res.headers.get('retry-after'));
      if (wait !== null && wait > retry.maxRetryAfterMs) throw new ProviderError(lastCode, attempt);
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      if (signal?.aborted) throw new ProviderError('aborted', attempt);
      lastCode = timeout.aborted ? 'timeout' : 'network_error';
    }
    if (attempt === retry.maxAttempts) break;
    const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
    await sleep(wait ?? Math.round(random() * backoff));
  }
  throw new ProviderError(lastCode, retry.maxAttempts);
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');
const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);

export function openAiProvider(o: ProviderOptions): ChatProvider {
  const url = `${trimSlash(o.baseUrl)}/chat/completions`;
  // Azure accepts its own header; every other server wants the standard bearer token.
  const headers: Record<string, string> = o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {};
  if (o.apiKey && /\.azure\.com$/i.test(new URL(o.baseUrl).hostname)) headers['api-key'] = o.apiKey;
  return {
    name: 'openai',
    model: o.model,
    async complete(req, signal) {
      const body = {
        model: o.model,
        temperature: 0,
        max_tokens: req.maxTokens,
        response_format: { type: 'json_object' },
        messages: [{ role: 'system', content: req.system }, ...req.messages],
      };
      const json = (await postJson(url, headers, body, o, signal)) as {
        choices?: { message?: { content?: unknown } }[];
        usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
      };
      const text = json?.choices?.[0]?.message?.content;
      return {
        text: typeof text === 'string' ? text : '',
        usage: { input_tokens: count(json?.usage?.prompt_tokens), output_tokens: count(json?.usage?.completion_tokens) },
      };
    },
  };
}

export const ANTHROPIC_VERSION = '2023-06-01';

export function anthropicProvider(o: ProviderOptions): ChatProvider {
  const url = `${trimSlash(o.baseUrl)}/v1/messages`;
  const headers = { 'x-api-key': o.apiKey, 'anthropic-version': ANTHROPIC_VERSION };
  return {
    name: 'anthropic',
    model: o.model,
    async complete(req, signal) {
      const body = { model: o.model, max_tokens: req.maxTokens, temperature: 0, system: req.system, messages: req.messages };
      const json = (await postJson(url, headers, body, o, signal)) as {
        content?: { type?: string; text?: unknown }[];
        usage?: { input_tokens?: unknown; output_tokens?: unknown; cache_read_input_tokens?: unknown; cache_creation_input_tokens?: unknown };
      };
      const text = (json?.content ?? []).filter((b) => b?.type === 'text' && typeof b.text === 'string').map((b) => b.text as string).join('');
      const u = json?.usage;
      return {
        text,
        usage: {
          input_tokens: count(u?.input_tokens) + count(u?.cache_read_input_tokens) + count(u?.cache_creation_input_tokens),
          output_tokens: count(u?.output_tokens),
        },
      };
    },
  };
}
