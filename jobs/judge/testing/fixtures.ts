/** Small hand-made conversations for unit tests. */
import type { Conversation, Turn } from '../conversations.ts';

export function turn(n: number, input: string, output: string, snippets: string[] = [], extra: Partial<Turn> = {}): Turn {
  return {
    turn: n, input, output, status: 'ok', latency_ms: 900,
    context: snippets.map((snippet, i) => ({ doc_id: `doc-${n}-${i}`, snippet, score: 0.8 })),
    tools: [], guardrails: [], ...extra,
  };
}

export function conversation(id: string, turns: Turn[], extra: Partial<Conversation> = {}): Conversation {
  return { tenant: 'acme', conversation_id: id, service: 'chat', channel: 'web', started_at: Date.UTC(2026, 10, 21, 10), turns, escalation: null, feedback: [], ...extra };
}
