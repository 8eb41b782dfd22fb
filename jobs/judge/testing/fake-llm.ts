/**
 * A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions API (POST
 * /v1/chat/completions) and the Anthropic Messages API (POST /v1/messages), answering from a
 * script: judgments, malformed text, error statuses with Retry-After, or no answer at all.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRITERIA, type Judgment } from '../rubric.ts';

export type Reply =
  | { kind: 'judgment'; judgment: Judgment }
  | { kind: 'text'; text: string }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'hang' };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: { model: string; messages: { role: string; content: string }[]; system?: string; response_format?: unknown; max_tokens?: number };
}

export interface FakeLlm {
  url: string;
  requests: RecordedRequest[];
  /** Replies used in order; when empty, `fallback` decides. */
  script: Reply[];
  fallback: (req: RecordedRequest) => Reply;
  close(): Promise<void>;
}

export function judgment(scores: Partial<Record<(typeof CRITERIA)[number], number>> = {}, rationale = 'scripted'): Judgment {
  return Object.fromEntries(CRITERIA.map((c) => [c, { score: scores[c] ?? 4, rationale: `${c}: ${rationale}` }])) as Judgment;
}

export const PROMPT_TOKENS = 900;
export const COMPLETION_TOKENS = 120;

export async function startFakeLlm(): Promise<FakeLlm> {
  const hanging = new Set<import('node:http').ServerResponse>();
  const fake: FakeLlm = {
    url: '',
    requests: [],
    script: [],
    fallback: () => ({ kind: 'judgment', judgment: judgment() }),
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = { path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      fake.requests.push(recorded);
      const reply = fake.script.shift() ?? fake.fallback(recorded);
      if (reply.kind === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (reply.kind === 'status') {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.retryAfter ? { 'retry-after': reply.retryAfter } : {}) });
        res.end(JSON.stringify({ error: { message: 'scripted error' } }));
        return;
      }
      const text = reply.kind === 'judgment' ? JSON.stringify(reply.judgment) : reply.text;
      const body = recorded.path.endsWith('/v1/messages')
        ? { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text }], usage: { input_tokens: PROMPT_TOKENS, output_tokens: COMPLETION_TOKENS } }
        : { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: COMPLETION_TOKENS, total_tokens: PROMPT_TOKENS + COMPLETION_TOKENS } };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
