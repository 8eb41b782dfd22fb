/**
 * The built-in model price table, version PRICE_TABLE_VERSION. USD per million tokens, as decimal
 * strings (at most 4 fractional digits, so costs stay exact to 1e-10 USD).
 *
 * Figures are the providers' public list prices (standard tier, no batch/flex/priority discounts)
 * as published when this version was compiled; review them against the pricing pages before
 * bumping the version. A price change is a new `prices` period with its `effective_from` date
 * (00:00 UTC), never an edit of an old period, so events keep the price that was in force at
 * their `ts`. The earliest period also prices events older than it.
 *
 * Matching (see prices.ts): families are tried in order and the first whose `match` (or, when
 * absent, `model` followed by an optional snapshot suffix such as `-2024-08-06`, `-20250929`,
 * `-2411`, `-001`, `-latest`, `-preview-05-20`) accepts the normalised model name wins, so pinned
 * snapshots come before their family. `providers` restricts a family to some hosts: open models
 * cost what their host charges, so they are only priced for the hosts listed.
 *
 * Fields per period: input (uncached input), output (includes reasoning tokens), cached_input
 * (cache reads; defaults to input), cache_write (defaults to input), long_context (every token of
 * a request whose prompt exceeds threshold_tokens is billed at these prices instead).
 */
import type { PriceFamilyInput } from './prices.ts';

export const PRICE_TABLE_VERSION = '2026-11-01';

const OPENAI = 'https://openai.com/api/pricing/';
const ANTHROPIC = 'https://platform.claude.com/docs/en/about-claude/pricing';
const GOOGLE = 'https://ai.google.dev/gemini-api/docs/pricing';
const MISTRAL = 'https://mistral.ai/pricing';
const DEEPSEEK = 'https://api-docs.deepseek.com/quick_start/pricing';
const GROQ = 'https://groq.com/pricing';
const TOGETHER = 'https://www.together.ai/pricing';
const FIREWORKS = 'https://fireworks.ai/pricing';
const ALIBABA = 'https://www.alibabacloud.com/help/en/model-studio/models';

export const BUILTIN_PRICE_FAMILIES: PriceFamilyInput[] = [
  // ---- OpenAI (also served by Azure OpenAI and routers at list price) ----
  { model: 'gpt-5.5-pro', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2026-04-23', input: '30', output: '180' }] },
  { model: 'gpt-5.5', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2026-04-23', input: '5', cached_input: '0.5', output: '30' }] },
  { model: 'gpt-5.4-pro', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2026-03-05', input: '30', output: '180' }] },
  { model: 'gpt-5.4-mini', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2026-03-05', input: '0.75', cached_input: '0.075', output: '4.5' }] },
  { model: 'gpt-5.4-nano', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2026-03-05', input: '0.2', cached_input: '0.02', output: '1.25' }] },
  { model: 'gpt-5.4', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2026-03-05', input: '2.5', cached_input: '0.25', output: '15' }] },
  { model: 'gpt-5.2', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-12-11', input: '1.75', cached_input: '0.175', output: '14' }] },
  { model: 'gpt-5.1', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-11-13', input: '1.25', cached_input: '0.125', output: '10' }] },
  { model: 'gpt-5-mini', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-08-07', input: '0.25', cached_input: '0.025', output: '2' }] },
  { model: 'gpt-5-nano', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-08-07', input: '0.05', cached_input: '0.005', output: '0.4' }] },
  { model: 'gpt-5', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-08-07', input: '1.25', cached_input: '0.125', output: '10' }] },
  { model: 'gpt-4.1-mini', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-04-14', input: '0.4', cached_input: '0.1', output: '1.6' }] },
  { model: 'gpt-4.1-nano', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-04-14', input: '0.1', cached_input: '0.025', output: '0.4' }] },
  { model: 'gpt-4.1', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-04-14', input: '2', cached_input: '0.5', output: '8' }] },
  { model: 'gpt-4o-mini', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2024-07-18', input: '0.15', cached_input: '0.075', output: '0.6' }] },
  // The first gpt-4o snapshot kept its launch price after the alias moved to 2024-08-06.
  { model: 'gpt-4o-2024-05-13', match: '^gpt-4o-2024-05-13$', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2024-05-13', input: '5', output: '15' }] },
  {
    model: 'gpt-4o',
    owner: 'openai',
    source: OPENAI,
    prices: [
      { effective_from: '2024-05-13', input: '5', output: '15' },
      { effective_from: '2024-10-02', input: '2.5', cached_input: '1.25', output: '10' },
    ],
  },
  { model: 'o4-mini', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-04-16', input: '1.1', cached_input: '0.275', output: '4.4' }] },
  { model: 'o3-mini', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-01-31', input: '1.1', cached_input: '0.55', output: '4.4' }] },
  { model: 'o3-pro', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2025-06-10', input: '20', output: '80' }] },
  {
    model: 'o3',
    owner: 'openai',
    source: OPENAI,
    prices: [
      { effective_from: '2025-04-16', input: '10', cached_input: '2.5', output: '40' },
      { effective_from: '2025-06-10', input: '2', cached_input: '0.5', output: '8' },
    ],
  },
  { model: 'o1-mini', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2024-09-12', input: '1.1', cached_input: '0.55', output: '4.4' }] },
  { model: 'o1', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2024-12-17', input: '15', cached_input: '7.5', output: '60' }] },
  { model: 'gpt-4-turbo', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2024-04-09', input: '10', output: '30' }] },
  { model: 'gpt-3.5-turbo', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2024-01-25', input: '0.5', output: '1.5' }] },
  { model: 'text-embedding-3-small', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2024-01-25', input: '0.02', output: '0' }] },
  { model: 'text-embedding-3-large', owner: 'openai', source: OPENAI, prices: [{ effective_from: '2024-01-25', input: '0.13', output: '0' }] },

  // ---- Anthropic (Claude API list prices; Bedrock and Vertex ids are normalised to these) ----
  { model: 'claude-fable-5-1', owner: 'anthropic', source: ANTHROPIC, prices: [{ effective_from: '2026-08-01', input: '10', cache_write: '12.5', cached_input: '0.25', output: '50' }] },
  { model: 'claude-fable-5', owner: 'anthropic', source: ANTHROPIC, prices: [{ effective_from: '2026-01-01', input: '10', cache_write: '12.5', cached_input: '1', output: '50' }] },
  { model: 'claude-opus-5-5', owner: 'anthropic', source: ANTHROPIC, prices: [{ effective_from: '2026-09-22', input: '4', cache_write: '5', cached_input: '0.2', output: '20' }] },
  { model: 'claude-opus-5', owner: 'anthropic', source: ANTHROPIC, prices: [{ effective_from: '2026-07-24', input: '5', cache_write: '6.25', cached_input: '0.5', output: '25' }] },
  {
    model: 'claude-opus-4-5..4-8',
    match: '^claude-opus-4-[5-8](?:-v\\d+)?(?:-\\d{8})?$',
    owner: 'anthropic',
    source: ANTHROPIC,
    prices: [{ effective_from: '2025-11-24', input: '5', cache_write: '6.25', cached_input: '0.5', output: '25' }],
  },
  {
    model: 'claude-opus-4-0..4-1',
    match: '^(?:claude-opus-4(?:-[01])?|claude-3-opus)(?:-v\\d+)?(?:-\\d{8}|-latest)?$',
    owner: 'anthropic',
    source: ANTHROPIC,
    prices: [{ effective_from: '2024-03-04', input: '15', cache_write: '18.75', cached_input: '1.5', output: '75' }],
  },
  {
    model: 'claude-sonnet-5-5',
    owner: 'anthropic',
    source: ANTHROPIC,
    prices: [
      { effective_from: '2026-09-22', input: '2', cache_write: '2.5', cached_input: '0.2', output: '10' },
      { effective_from: '2026-10-07', input: '2', cache_write: '2.5', cached_input: '0.1', output: '10' },
    ],
  },
  { model: 'claude-sonnet-5', owner: 'anthropic', source: ANTHROPIC, prices: [{ effective_from: '2026-01-01', input: '2', cache_write: '2.5', cached_input: '0.2', output: '10' }] },
  {
    model: 'claude-sonnet-3-5..4-6',
    match: '^(?:claude-sonnet-4(?:-[0-6])?|claude-3-7-sonnet|claude-3-5-sonnet)(?:-v\\d+)?(?:-\\d{8}|-latest)?$',
    owner: 'anthropic',
    source: ANTHROPIC,
    prices: [{ effective_from: '2024-06-20', input: '3', cache_write: '3.75', cached_input: '0.3', output: '15' }],
  },
  // Haiku 5.5 is priced by prompt length; the long tier applies to prompts over 100k tokens.
  {
    model: 'claude-haiku-5-5',
    owner: 'anthropic',
    source: ANTHROPIC,
    prices: [
      {
        effective_from: '2026-10-07',
        input: '0.1', cache_write: '0.125', cached_input: '0.01', output: '0.5',
        long_context: { threshold_tokens: 100_000, input: '0.5', cache_write: '0.625', cached_input: '0.05', output: '2.5' },
      },
    ],
  },
  { model: 'claude-haiku-4-5', owner: 'anthropic', source: ANTHROPIC, prices: [{ effective_from: '2025-10-15', input: '1', cache_write: '1.25', cached_input: '0.1', output: '5' }] },
  { model: 'claude-3-5-haiku', owner: 'anthropic', source: ANTHROPIC, prices: [{ effective_from: '2024-11-04', input: '0.8', cache_write: '1', cached_input: '0.08', output: '4' }] },
  { model: 'claude-3-haiku', owner: 'anthropic', source: ANTHROPIC, prices: [{ effective_from: '2024-03-13', input: '0.25', cache_write: '0.3', cached_input: '0.03', output: '1.25' }] },

  // ---- Google Gemini (Developer API; cache storage per hour is not a token price, not modelled) ----
  {
    model: 'gemini-3.1-pro',
    match: '^gemini-3(?:\\.1)?-pro(?:-preview(?:-\\d{2}-\\d{4})?)?$',
    owner: 'google',
    source: GOOGLE,
    prices: [
      {
        effective_from: '2025-11-18',
        input: '2', cached_input: '0.2', output: '12',
        long_context: { threshold_tokens: 200_000, input: '4', cached_input: '0.4', output: '18' },
      },
    ],
  },
  { model: 'gemini-3.1-flash-lite', match: '^gemini-3(?:\\.1)?-flash-lite(?:-preview(?:-\\d{2}-\\d{4})?)?$', owner: 'google', source: GOOGLE, prices: [{ effective_from: '2026-03-03', input: '0.25', cached_input: '0.025', output: '1.5' }] },
  { model: 'gemini-3-flash', match: '^gemini-3(?:\\.1)?-flash(?:-preview(?:-\\d{2}-\\d{4})?)?$', owner: 'google', source: GOOGLE, prices: [{ effective_from: '2025-12-17', input: '0.5', cached_input: '0.05', output: '3' }] },
  {
    model: 'gemini-2.5-pro',
    owner: 'google',
    source: GOOGLE,
    prices: [
      {
        effective_from: '2025-06-17',
        input: '1.25', cached_input: '0.125', output: '10',
        long_context: { threshold_tokens: 200_000, input: '2.5', cached_input: '0.25', output: '15' },
      },
    ],
  },
  { model: 'gemini-2.5-flash-lite', owner: 'google', source: GOOGLE, prices: [{ effective_from: '2025-07-22', input: '0.1', cached_input: '0.01', output: '0.4' }] },
  { model: 'gemini-2.5-flash', owner: 'google', source: GOOGLE, prices: [{ effective_from: '2025-06-17', input: '0.3', cached_input: '0.03', output: '2.5' }] },
  { model: 'gemini-2.0-flash-lite', owner: 'google', source: GOOGLE, prices: [{ effective_from: '2025-02-25', input: '0.075', output: '0.3' }] },
  { model: 'gemini-2.0-flash', owner: 'google', source: GOOGLE, prices: [{ effective_from: '2025-02-05', input: '0.1', cached_input: '0.025', output: '0.4' }] },

  // ---- Mistral (La Plateforme) ----
  { model: 'mistral-large-2407..2411', match: '^mistral-large-(?:2407|2411)$', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2024-07-24', input: '2', output: '6' }] },
  {
    model: 'mistral-large',
    owner: 'mistral',
    source: MISTRAL,
    prices: [
      { effective_from: '2024-11-18', input: '2', output: '6' },
      { effective_from: '2025-12-02', input: '0.5', output: '1.5' },
    ],
  },
  { model: 'mistral-medium-3.5', match: '^mistral-medium-3[.-]5(?:-\\d{4})?$', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2026-05-01', input: '1.5', output: '7.5' }] },
  { model: 'mistral-medium', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2025-05-07', input: '0.4', output: '2' }] },
  { model: 'mistral-small', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2025-03-17', input: '0.1', output: '0.3' }] },
  { model: 'magistral-medium', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2025-06-10', input: '2', output: '5' }] },
  { model: 'magistral-small', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2025-06-10', input: '0.5', output: '1.5' }] },
  { model: 'codestral', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2025-01-13', input: '0.3', output: '0.9' }] },
  { model: 'devstral', match: '^devstral(?:-(?:medium|small|2))?(?:-\\d{4}|-latest)?$', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2025-12-09', input: '0.4', output: '2' }] },
  { model: 'ministral-8b', match: '^ministral-(?:3-)?8b(?:-\\d{4}|-latest)?$', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2024-10-16', input: '0.1', output: '0.1' }] },
  { model: 'ministral-3b', match: '^ministral-(?:3-)?3b(?:-\\d{4}|-latest)?$', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2024-10-16', input: '0.04', output: '0.04' }] },
  { model: 'open-mistral-nemo', match: '^(?:open-)?mistral-nemo(?:-\\d{4}|-latest)?$', owner: 'mistral', source: MISTRAL, prices: [{ effective_from: '2024-07-18', input: '0.15', output: '0.15' }] },

  // ---- DeepSeek first-party API (cache hit = cached_input) ----
  {
    model: 'deepseek-chat',
    owner: 'deepseek',
    providers: ['deepseek'],
    source: DEEPSEEK,
    prices: [
      { effective_from: '2025-02-09', input: '0.27', cached_input: '0.07', output: '1.1' },
      { effective_from: '2025-09-05', input: '0.56', cached_input: '0.07', output: '1.68' },
      { effective_from: '2025-09-29', input: '0.28', cached_input: '0.028', output: '0.42' },
    ],
  },
  {
    model: 'deepseek-reasoner',
    owner: 'deepseek',
    providers: ['deepseek'],
    source: DEEPSEEK,
    prices: [
      { effective_from: '2025-01-20', input: '0.55', cached_input: '0.14', output: '2.19' },
      { effective_from: '2025-09-05', input: '0.56', cached_input: '0.07', output: '1.68' },
      { effective_from: '2025-09-29', input: '0.28', cached_input: '0.028', output: '0.42' },
    ],
  },

  // ---- Qwen on Alibaba Cloud Model Studio (international) ----
  { model: 'qwen-max', owner: 'alibaba', providers: ['alibaba', 'alibabacloud', 'dashscope', 'qwen'], source: ALIBABA, prices: [{ effective_from: '2025-01-28', input: '1.6', output: '6.4' }] },
  { model: 'qwen-plus', owner: 'alibaba', providers: ['alibaba', 'alibabacloud', 'dashscope', 'qwen'], source: ALIBABA, prices: [{ effective_from: '2025-01-28', input: '0.4', output: '1.2' }] },
  { model: 'qwen-turbo', owner: 'alibaba', providers: ['alibaba', 'alibabacloud', 'dashscope', 'qwen'], source: ALIBABA, prices: [{ effective_from: '2025-01-28', input: '0.05', output: '0.2' }] },

  // ---- Open models on hosted providers (host-specific prices) ----
  { model: 'groq/llama-3.3-70b', match: '^llama-3\\.3-70b-(?:versatile|specdec)$', owner: 'meta', providers: ['groq'], source: GROQ, prices: [{ effective_from: '2024-12-06', input: '0.59', output: '0.79' }] },
  { model: 'groq/llama-3.1-8b', match: '^llama-3\\.1-8b-instant$', owner: 'meta', providers: ['groq'], source: GROQ, prices: [{ effective_from: '2024-07-23', input: '0.05', output: '0.08' }] },
  { model: 'groq/llama-4-maverick', match: '^llama-4-maverick-17b-128e-instruct$', owner: 'meta', providers: ['groq'], source: GROQ, prices: [{ effective_from: '2025-04-05', input: '0.2', output: '0.6' }] },
  { model: 'groq/llama-4-scout', match: '^llama-4-scout-17b-16e-instruct$', owner: 'meta', providers: ['groq'], source: GROQ, prices: [{ effective_from: '2025-04-05', input: '0.11', output: '0.34' }] },
  { model: 'groq/qwen3-32b', match: '^qwen3-32b$', owner: 'alibaba', providers: ['groq'], source: GROQ, prices: [{ effective_from: '2025-05-01', input: '0.29', output: '0.59' }] },
  { model: 'groq/gpt-oss-120b', match: '^gpt-oss-120b$', owner: 'openai', providers: ['groq'], source: GROQ, prices: [{ effective_from: '2025-08-05', input: '0.15', output: '0.6' }] },
  { model: 'groq/gpt-oss-20b', match: '^gpt-oss-20b$', owner: 'openai', providers: ['groq'], source: GROQ, prices: [{ effective_from: '2025-08-05', input: '0.075', output: '0.3' }] },
  { model: 'together/llama-3.3-70b', match: '^llama-3\\.3-70b-instruct-turbo(?:-free)?$', owner: 'meta', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2024-12-06', input: '0.88', output: '0.88' }] },
  { model: 'together/llama-3.1-8b', match: '^meta-llama-3\\.1-8b-instruct-turbo$', owner: 'meta', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2024-07-23', input: '0.18', output: '0.18' }] },
  { model: 'together/llama-3.1-405b', match: '^meta-llama-3\\.1-405b-instruct-turbo$', owner: 'meta', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2024-07-23', input: '3.5', output: '3.5' }] },
  { model: 'together/llama-4-maverick', match: '^llama-4-maverick-17b-128e-instruct-fp8$', owner: 'meta', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2025-04-05', input: '0.27', output: '0.85' }] },
  { model: 'together/llama-4-scout', match: '^llama-4-scout-17b-16e-instruct$', owner: 'meta', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2025-04-05', input: '0.18', output: '0.59' }] },
  { model: 'together/deepseek-v3', match: '^deepseek-v3(?:-\\d{4})?$', owner: 'deepseek', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2025-01-01', input: '1.25', output: '1.25' }] },
  { model: 'together/deepseek-r1', match: '^deepseek-r1(?:-\\d{4})?$', owner: 'deepseek', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2025-01-20', input: '3', output: '7' }] },
  { model: 'together/qwen2.5-72b', match: '^qwen2\\.5-72b-instruct-turbo$', owner: 'alibaba', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2024-09-19', input: '1.2', output: '1.2' }] },
  { model: 'together/qwen3-235b-a22b', match: '^qwen3-235b-a22b(?:-instruct-2507)?(?:-tput|-fp8)*$', owner: 'alibaba', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2025-04-29', input: '0.2', output: '0.6' }] },
  { model: 'together/gpt-oss-120b', match: '^gpt-oss-120b$', owner: 'openai', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2025-08-05', input: '0.15', output: '0.6' }] },
  { model: 'together/gpt-oss-20b', match: '^gpt-oss-20b$', owner: 'openai', providers: ['together', 'togetherai'], source: TOGETHER, prices: [{ effective_from: '2025-08-05', input: '0.05', output: '0.2' }] },
  { model: 'fireworks/llama-3.3-70b', match: '^llama-v3p3-70b-instruct$', owner: 'meta', providers: ['fireworks', 'fireworksai'], source: FIREWORKS, prices: [{ effective_from: '2024-12-06', input: '0.9', output: '0.9' }] },
  { model: 'fireworks/llama-3.1-8b', match: '^llama-v3p1-8b-instruct$', owner: 'meta', providers: ['fireworks', 'fireworksai'], source: FIREWORKS, prices: [{ effective_from: '2024-07-23', input: '0.2', output: '0.2' }] },
  { model: 'fireworks/deepseek-v3', match: '^deepseek-v3(?:-\\d{4}|p\\d)?$', owner: 'deepseek', providers: ['fireworks', 'fireworksai'], source: FIREWORKS, prices: [{ effective_from: '2025-01-01', input: '0.9', output: '0.9' }] },
];
