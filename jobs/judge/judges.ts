/**
 * A judge turns one conversation into five criterion scores (or a failure). The LLM judge asks a
 * chat provider with the rubric prompt; a malformed answer is asked again once, then recorded as
 * a failure, never as a score.
 */
import { Budget, estimateTokens } from './budget.ts';
import type { Conversation } from './conversations.ts';
import { ProviderError, type ChatMessage, type ChatProvider, type ChatUsage } from './providers.ts';
import { MalformedAnswerError, parseJudgment, renderTranscript, type Criterion, type Rubric } from './rubric.ts';

export interface CriterionResult {
  /** 1-5, or null when the judge cannot assess the criterion for this conversation. */
  score: number | null;
  rationale: string;
}

export type JudgeOutcome =
  | { status: 'ok'; scores: Record<Criterion, CriterionResult>; usage: ChatUsage; attempts: number }
  | { status: 'failed'; error: string; usage: ChatUsage; attempts: number }
  | { status: 'skipped_budget' };

export interface Judge {
  /** Stored in `judge`: `openai:gpt-4o-mini`, `anthropic:claude-haiku-4-5`, `offline:minilm`. */
  readonly id: string;
  readonly kind: 'llm' | 'offline';
  readonly model: string;
  readonly promptVersion: string;
  judge(c: Conversation, budget: Budget, signal?: AbortSignal): Promise<JudgeOutcome>;
  dispose?(): Promise<void>;
}

/** Output cap per call: five short rationales fit comfortably. */
export const MAX_OUTPUT_TOKENS = 700;

const RETRY_NOTE =
  'Your previous reply was not valid: REASON. Reply again with only the JSON object described in the instructions: ' +
  'all five criteria, each with an integer "score" from 1 to 5 and a short "rationale".';

export function llmJudge(provider: ChatProvider, rubric: Rubric): Judge {
  return {
    id: `${provider.name}:${provider.model}`,
    kind: 'llm',
    model: provider.model,
    promptVersion: rubric.version,
    async judge(c, budget, signal) {
      const messages: ChatMessage[] = [{ role: 'user', content: renderTranscript(c) }];
      const usage: ChatUsage = { input_tokens: 0, output_tokens: 0 };
      for (let attempt = 1; attempt <= 2; attempt++) {
        const prompt = rubric.system + messages.map((m) => m.content).join('\n');
        const held = budget.tryReserve({ input_tokens: estimateTokens(prompt), output_tokens: MAX_OUTPUT_TOKENS });
        if (!held) return attempt === 1 ? { status: 'skipped_budget' } : { status: 'failed', error: 'malformed_answer', usage, attempts: attempt - 1 };
        let text: string;
        try {
          const r = await provider.complete({ system: rubric.system, messages, maxTokens: MAX_OUTPUT_TOKENS }, signal);
          budget.settle(held, r.usage);
          usage.input_tokens += r.usage.input_tokens;
          usage.output_tokens += r.usage.output_tokens;
          text = r.text;
        } catch (err) {
          // The provider may have billed a request that then failed: keep the reservation as spent.
          budget.settle(held, { input_tokens: held.tokens - MAX_OUTPUT_TOKENS, output_tokens: 0 });
          if (err instanceof ProviderError) return { status: 'failed', error: err.code, usage, attempts: attempt };
          throw err;
        }
        try {
          const j = parseJudgment(text);
          const scores = Object.fromEntries(Object.entries(j).map(([k, v]) => [k, { score: v.score, rationale: v.rationale }])) as Record<Criterion, CriterionResult>;
          return { status: 'ok', scores, usage, attempts: attempt };
        } catch (err) {
          if (!(err instanceof MalformedAnswerError)) throw err;
          messages.push({ role: 'assistant', content: text.slice(0, 4000) || '(empty reply)' }, { role: 'user', content: RETRY_NOTE.replace('REASON', err.message) });
        }
      }
      return { status: 'failed', error: 'malformed_answer', usage, attempts: 2 };
    },
  };
}
