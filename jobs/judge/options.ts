/** Judge settings from the configuration (judge.* keys), and the judge they describe. */
import type { Config } from '../../common/config.ts';
import { PriceTable, type PriceFamilyInput } from '../../processors/enrich/prices.ts';
import { createEmbedder } from '../drift/embed.ts';
import { judgePricing } from './budget.ts';
import { llmJudge, type Judge } from './judges.ts';
import { OFFLINE_JUDGE_MODEL, offlineJudge } from './offline.ts';
import { anthropicProvider, DEFAULT_RETRY, openAiProvider, type ChatUsage, type RetryPolicy } from './providers.ts';
import { loadRubric } from './rubric.ts';
import { DEFAULT_SAMPLE_OPTIONS } from './sample.ts';
import type { JudgeRunOptions } from './run.ts';

export type ProviderKind = 'offline' | 'openai' | 'anthropic';

export interface JudgeSettings {
  provider: ProviderKind;
  baseUrl: string;
  model: string;
  apiKey: string;
  rubric: string;
  timeoutMs: number;
  retry: RetryPolicy;
}

export const PROVIDER_DEFAULTS: Record<Exclude<ProviderKind, 'offline'>, { baseUrl: string; model: string }> = {
  openai: { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' },
  anthropic: { baseUrl: 'https://api.anthropic.com', model: 'claude-haiku-4-5' },
};

export const MIN_BASELINE_DAYS = 5;

export function judgeSettingsFromConfig(config: Config): JudgeSettings {
  const j = config.judge;
  const provider = j.provider as ProviderKind;
  const defaults = provider === 'offline' ? { baseUrl: '', model: '' } : PROVIDER_DEFAULTS[provider];
  return {
    provider,
    baseUrl: j.baseUrl || defaults.baseUrl,
    model: j.model || defaults.model,
    apiKey: j.apiKey,
    rubric: j.rubric,
    timeoutMs: j.timeoutMs,
    retry: { ...DEFAULT_RETRY, maxAttempts: j.maxAttempts },
  };
}

/** Run options for the window `[start, end)` labelled `day`, from the configuration. */
export function runOptionsFromConfig(config: Config, day: string, window: { start: number; end: number }): JudgeRunOptions {
  const j = config.judge;
  return {
    day,
    window,
    seed: j.seed,
    sampleSize: j.sampleSize,
    riskOversample: j.riskOversample,
    minPerStratum: DEFAULT_SAMPLE_OPTIONS.minPerStratum,
    maxTopicsPerTenant: DEFAULT_SAMPLE_OPTIONS.maxTopicsPerTenant,
    slowTurnMs: j.slowTurnMs,
    concurrency: j.concurrency,
    budget: { maxTokens: j.budgetTokens, maxUsd: j.budgetUsd },
    baselineDays: j.baselineDays,
    alert: { alpha: j.alertAlpha, minDrop: j.alertMinDrop, minBaselineDays: Math.min(MIN_BASELINE_DAYS, j.baselineDays) },
  };
}

export async function createJudge(s: JudgeSettings): Promise<Judge> {
  if (s.provider === 'offline') return offlineJudge(await createEmbedder({ model: OFFLINE_JUDGE_MODEL }));
  if (!s.apiKey && s.provider === 'anthropic') throw new Error('judge.provider anthropic needs LOOKOUT_JUDGE_API_KEY');
  const o = { baseUrl: s.baseUrl, model: s.model, apiKey: s.apiKey, timeoutMs: s.timeoutMs, retry: s.retry };
  const provider = s.provider === 'openai' ? openAiProvider(o) : anthropicProvider(o);
  return llmJudge(provider, loadRubric(s.rubric));
}

/** Dollar pricing of the judge's calls with the configured price table; the offline judge costs nothing. */
export function pricingFor(config: Config, judge: Judge): (u: ChatUsage) => number | null {
  if (judge.kind === 'offline') return () => 0;
  const table = new PriceTable({ overrides: config.prices.overrides as PriceFamilyInput[] });
  return judgePricing(table, judge.model, judge.id.split(':')[0]!);
}
