/**
 * Per-run spending limit in tokens and/or dollars. A call reserves its worst case before it
 * starts (prompt estimate + the output cap) and settles to the real usage after, so concurrent
 * calls can never overshoot the limit: once nothing more fits, the run stops cleanly.
 */
import { PriceTable } from '../../processors/enrich/prices.ts';
import type { ChatUsage } from './providers.ts';

export interface BudgetLimits {
  /** 0: no token limit. */
  maxTokens: number;
  /** 0: no dollar limit. */
  maxUsd: number;
}

export interface Reservation {
  tokens: number;
  usd: number;
}

export class Budget {
  private spentTokens = 0;
  private spentUsd = 0;
  private heldTokens = 0;
  private heldUsd = 0;
  /** Set once a reservation was refused: the run stops starting new calls. */
  exhausted = false;

  constructor(
    readonly limits: BudgetLimits,
    /** Dollars for a usage; null when the model has no price. */
    private readonly usd: (u: ChatUsage) => number | null,
  ) {
    if (limits.maxUsd > 0 && usd({ input_tokens: 1_000_000, output_tokens: 1_000_000 }) === null) {
      throw new Error('a dollar budget needs a priced judge model: add it with LOOKOUT_PRICE_OVERRIDES, or set LOOKOUT_JUDGE_BUDGET_USD=0 and use the token budget');
    }
  }

  tryReserve(estimate: ChatUsage): Reservation | null {
    if (this.exhausted) return null;
    const r: Reservation = { tokens: estimate.input_tokens + estimate.output_tokens, usd: this.usd(estimate) ?? 0 };
    const overTokens = this.limits.maxTokens > 0 && this.spentTokens + this.heldTokens + r.tokens > this.limits.maxTokens;
    const overUsd = this.limits.maxUsd > 0 && this.spentUsd + this.heldUsd + r.usd > this.limits.maxUsd;
    if (overTokens || overUsd) {
      this.exhausted = true;
      return null;
    }
    this.heldTokens += r.tokens;
    this.heldUsd += r.usd;
    return r;
  }

  settle(r: Reservation, actual: ChatUsage): void {
    this.heldTokens -= r.tokens;
    this.heldUsd -= r.usd;
    this.spentTokens += actual.input_tokens + actual.output_tokens;
    this.spentUsd += this.usd(actual) ?? 0;
  }

  get spent(): { tokens: number; usd: number } {
    return { tokens: this.spentTokens, usd: Math.round(this.spentUsd * 1e6) / 1e6 };
  }
}

/** Dollar pricing of judge calls through the project's price table (overrides included). */
export function judgePricing(table: PriceTable, model: string, provider: string, now = Date.now()): (u: ChatUsage) => number | null {
  return (u) => {
    const c = table.computeCost({ model, provider, ts: now, usage: { input_tokens: u.input_tokens, output_tokens: u.output_tokens } });
    return c.cost_usd === null ? null : Number(c.cost_usd);
  };
}

/** Conservative prompt size: about 3 characters a token for English text, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3) + 16;
}
