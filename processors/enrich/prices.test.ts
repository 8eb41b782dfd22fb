import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { PriceTable, computeCost, formatUsd, normaliseModel, parseUsd } from './prices.ts';
import { BUILTIN_PRICE_FAMILIES, PRICE_TABLE_VERSION } from './prices.v1.ts';

const NOV_2026 = Date.parse('2026-11-02T12:00:00Z');
const table = (opts = {}) => new PriceTable({ registry: new Registry(), ...opts });

test('built-in table parses and every family id is unique', () => {
  const t = table();
  assert.equal(t.version, PRICE_TABLE_VERSION);
  const ids = BUILTIN_PRICE_FAMILIES.map((f) => f.model);
  assert.equal(new Set(ids).size, ids.length);
});

test('dated snapshots and provider prefixes map to their family', () => {
  const t = table();
  const cases: [string, string | null, string][] = [
    ['gpt-4o', null, 'gpt-4o'],
    ['gpt-4o-2024-08-06', null, 'gpt-4o'],
    ['openai/gpt-4o-2024-11-20', 'openrouter', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'azure', 'gpt-4o-mini'],
    ['gpt-4o-2024-05-13', null, 'gpt-4o-2024-05-13'],
    ['gpt-5-2025-08-07', null, 'gpt-5'],
    ['gpt-5-chat-latest', null, 'gpt-5'],
    ['gpt-5-mini-2025-08-07', null, 'gpt-5-mini'],
    ['gpt-5.4-nano', null, 'gpt-5.4-nano'],
    ['GPT-4.1-2025-04-14', null, 'gpt-4.1'],
    ['o3-2025-04-16', null, 'o3'],
    ['o3-mini-2025-01-31', null, 'o3-mini'],
    ['claude-sonnet-4-5-20250929', null, 'claude-sonnet-3-5..4-6'],
    ['claude-sonnet-4-20250514', null, 'claude-sonnet-3-5..4-6'],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'bedrock', 'claude-sonnet-3-5..4-6'],
    ['us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'bedrock', 'claude-sonnet-3-5..4-6'],
    ['claude-3-5-sonnet-v2@20241022', 'vertex', 'claude-sonnet-3-5..4-6'],
    ['claude-opus-4-5-20251101', null, 'claude-opus-4-5..4-8'],
    ['claude-opus-4-1-20250805', null, 'claude-opus-4-0..4-1'],
    ['claude-opus-5-5', null, 'claude-opus-5-5'],
    ['claude-opus-5', null, 'claude-opus-5'],
    ['claude-sonnet-5-5[1m]', null, 'claude-sonnet-5-5'],
    ['claude-haiku-4-5-20251001', null, 'claude-haiku-4-5'],
    ['claude-3-5-haiku-latest', null, 'claude-3-5-haiku'],
    ['models/gemini-2.5-flash', 'google', 'gemini-2.5-flash'],
    ['gemini-2.5-flash-preview-05-20', null, 'gemini-2.5-flash'],
    ['gemini-2.5-flash-lite', null, 'gemini-2.5-flash-lite'],
    ['gemini-2.0-flash-001', null, 'gemini-2.0-flash'],
    ['gemini-3-pro-preview', null, 'gemini-3.1-pro'],
    ['mistral-large-latest', 'mistral', 'mistral-large'],
    ['mistral-large-2411', 'mistral', 'mistral-large-2407..2411'],
    ['mistral-small-2503', 'mistral', 'mistral-small'],
    ['deepseek-chat', 'deepseek', 'deepseek-chat'],
    ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'together_ai', 'together/llama-3.3-70b'],
    ['llama-3.3-70b-versatile', 'groq', 'groq/llama-3.3-70b'],
    ['openai/gpt-oss-120b', 'Groq', 'groq/gpt-oss-120b'],
    ['accounts/fireworks/models/llama-v3p3-70b-instruct', 'fireworks', 'fireworks/llama-3.3-70b'],
  ];
  for (const [model, provider, family] of cases) {
    assert.equal(t.lookup(model, provider, NOV_2026)?.family, family, `${model} via ${provider}`);
  }
});

test('near names do not match a neighbouring family', () => {
  const t = table();
  for (const model of ['gpt-4o-mini-tts', 'gpt-4o-realtime-preview', 'claude-sonnet-4-7', 'gemini-2.5-flash-image', 'ft:gpt-4o-mini-2024-07-18:acme::x1', 'llama3']) {
    assert.equal(t.lookup(model, null, NOV_2026), null, model);
  }
  // Open models are host-priced: unknown host, no price.
  assert.equal(t.lookup('llama-3.3-70b-versatile', null, NOV_2026), null);
  assert.equal(t.lookup('deepseek-chat', 'together', NOV_2026), null);
});

test('cost uses the price in force at the event ts', () => {
  const t = table();
  const usage = { input_tokens: 1_000_000, output_tokens: 1_000_000 };
  const before = t.computeCost({ model: 'o3', ts: Date.parse('2025-06-09T23:59:59Z'), usage });
  const after = t.computeCost({ model: 'o3', ts: Date.parse('2025-06-10T00:00:00Z'), usage });
  assert.deepEqual(before, { cost_usd: '50.0000000000', price_version: PRICE_TABLE_VERSION, matched_entry: 'o3@2025-04-16' });
  assert.deepEqual(after, { cost_usd: '10.0000000000', price_version: PRICE_TABLE_VERSION, matched_entry: 'o3@2025-06-10' });
  // Events older than the first period use the first period.
  assert.equal(t.computeCost({ model: 'o3', ts: Date.parse('2024-01-01'), usage }).matched_entry, 'o3@2025-04-16');
  const cacheRead = { input_tokens: 1_000_000, cached_input_tokens: 1_000_000 };
  assert.equal(t.computeCost({ model: 'claude-sonnet-5-5', ts: Date.parse('2026-10-06T12:00:00Z'), usage: cacheRead }).cost_usd, '0.2000000000');
  assert.equal(t.computeCost({ model: 'claude-sonnet-5-5', ts: Date.parse('2026-10-07T00:00:00Z'), usage: cacheRead }).cost_usd, '0.1000000000');
});

test('cached input, cache writes and reasoning are billed as documented', () => {
  const t = table();
  const ts = Date.parse('2025-01-01');
  // gpt-4o: 300 uncached x 2.5 + 512 cached x 1.25 + 64 output x 10, per million.
  const r = t.computeCost({ model: 'gpt-4o', ts, usage: { input_tokens: 812, cached_input_tokens: 512, output_tokens: 64, reasoning_tokens: 20 } });
  assert.equal(r.cost_usd, '0.0020300000');
  // claude-haiku-4-5, inclusive counts: 1000 uncached x1 + 2000 read x0.1 + 3000 written x1.25 + 100 out x5.
  const ts2 = Date.parse('2026-01-01');
  const inclusive = t.computeCost({ model: 'claude-haiku-4-5', ts: ts2, usage: { input_tokens: 6000, cached_input_tokens: 2000, cache_write_tokens: 3000, output_tokens: 100 } });
  assert.equal(inclusive.cost_usd, '0.0054500000');
  // Anthropic raw counts (input excludes cache): recognised because cache > input.
  const raw = t.computeCost({ model: 'claude-haiku-4-5', ts: ts2, usage: { input_tokens: 1000, cached_input_tokens: 2000, cache_write_tokens: 3000, output_tokens: 100 } });
  assert.equal(raw.cost_usd, inclusive.cost_usd);
  // Reasoning reported apart from output (more reasoning than output): both billed at output.
  const apart = t.computeCost({ model: 'gemini-2.5-flash', ts: NOV_2026, usage: { input_tokens: 0, output_tokens: 100, reasoning_tokens: 900 } });
  assert.equal(apart.cost_usd, '0.0025000000');
});

test('long-context tier bills every token of a long prompt at the long prices', () => {
  const t = table();
  const short = t.computeCost({ model: 'gemini-2.5-pro', ts: NOV_2026, usage: { input_tokens: 200_000, output_tokens: 1000 } });
  const long = t.computeCost({ model: 'gemini-2.5-pro', ts: NOV_2026, usage: { input_tokens: 200_001, output_tokens: 1000 } });
  assert.equal(short.cost_usd, '0.2600000000');
  assert.equal(long.cost_usd, '0.5150025000');
});

test('costs are exact: no float error, and summing stored costs equals the cost of the sum', () => {
  const t = table();
  const one = t.computeCost({ model: 'gpt-5-nano', ts: NOV_2026, usage: { input_tokens: 1, cached_input_tokens: 1 } });
  assert.equal(one.cost_usd, '0.0000000050');
  let sum = 0n;
  for (let i = 0; i < 1000; i++) {
    sum += parseUsd(t.computeCost({ model: 'gpt-4o-mini', ts: NOV_2026, usage: { input_tokens: 7, cached_input_tokens: 3, output_tokens: 1 } }).cost_usd!);
  }
  const whole = t.computeCost({ model: 'gpt-4o-mini', ts: NOV_2026, usage: { input_tokens: 7000, cached_input_tokens: 3000, output_tokens: 1000 } });
  assert.equal(formatUsd(sum), whole.cost_usd);
  assert.equal(whole.cost_usd, '0.0014250000');
  // Largest counts the contract allows stay exact.
  const big = t.computeCost({ model: 'claude-opus-4-1', ts: NOV_2026, usage: { input_tokens: 2 ** 31 - 1, output_tokens: 2 ** 31 - 1 } });
  assert.equal(big.cost_usd, '193273.5282300000');
});

test('unknown model: null cost, never 0, and a bounded counter', async () => {
  const registry = new Registry();
  const t = new PriceTable({ registry, maxUnknownModelLabels: 2 });
  const r = t.computeCost({ model: 'acme-llm-7', ts: NOV_2026, usage: { input_tokens: 10, output_tokens: 10 } });
  assert.deepEqual(r, { cost_usd: null, price_version: PRICE_TABLE_VERSION, matched_entry: null });
  t.computeCost({ model: 'ACME-LLM-7', ts: NOV_2026 });
  t.computeCost({ model: 'other-1', ts: NOV_2026 });
  t.computeCost({ model: 'other-2', ts: NOV_2026 });
  t.computeCost({ model: 'other-3', ts: NOV_2026 });
  t.computeCost({ ts: NOV_2026 });
  const values = (await registry.getSingleMetric('lookout_cost_unknown_model_total')!.get()).values;
  const byLabel = Object.fromEntries(values.map((v) => [v.labels.model, v.value]));
  assert.deepEqual(byLabel, { 'acme-llm-7': 2, 'other-1': 1, __other__: 3 });
  // Known model without usage: matched but cost unknown, not counted as unknown model.
  assert.deepEqual(t.computeCost({ model: 'gpt-4o', ts: NOV_2026 }), { cost_usd: null, price_version: PRICE_TABLE_VERSION, matched_entry: 'gpt-4o@2024-10-02' });
});

test('overrides add families, add periods and replace prices; version changes', () => {
  const t = table({
    overrides: [
      { model: 'acme-llm', match: '^acme-llm(?:-\\d+)?$', prices: [{ effective_from: '2026-01-01', input: '1', output: 2 }] },
      { model: 'gpt-4o', prices: [{ effective_from: '2026-11-01', input: '1.5', output: '6' }] },
      { model: 'gpt-4o-mini', prices: [{ effective_from: '2024-07-18', input: '0.1', output: '0.5' }] },
    ],
  });
  assert.match(t.version, /^2026-11-01\+[0-9a-f]{8}$/);
  const usage = { input_tokens: 1_000_000, output_tokens: 1_000_000 };
  assert.equal(t.computeCost({ model: 'acme-llm-7', ts: NOV_2026, usage }).cost_usd, '3.0000000000');
  assert.equal(t.computeCost({ model: 'gpt-4o', ts: NOV_2026, usage }).matched_entry, 'gpt-4o@2026-11-01');
  assert.equal(t.computeCost({ model: 'gpt-4o', ts: Date.parse('2026-10-31'), usage }).cost_usd, '12.5000000000');
  assert.equal(t.computeCost({ model: 'gpt-4o-mini', ts: NOV_2026, usage }).cost_usd, '0.6000000000');
  // An override placed first shadows a built-in family for the names it matches.
  const shadow = table({ overrides: [{ model: 'my-sonnet', match: '^claude-sonnet-4-5', prices: [{ effective_from: '2025-01-01', input: '0', output: '0' }] }] });
  assert.equal(shadow.computeCost({ model: 'claude-sonnet-4-5-20250929', ts: NOV_2026, usage }).cost_usd, '0.0000000000');
});

test('invalid prices are rejected', () => {
  assert.throws(() => table({ overrides: [{ model: 'x', prices: [{ effective_from: '2026-01-01', input: '0.00001', output: '1' }] }] }), /4 fractional digits/);
  assert.throws(() => table({ overrides: [{ model: 'x', prices: [{ effective_from: '2026-01-01', input: 1e-7, output: '1' }] }] }), /4 fractional digits/);
  assert.throws(() => table({ overrides: [{ model: 'x', prices: [{ effective_from: '2026-01-01', input: '-1', output: '1' }] }] }));
  assert.throws(() => table({ overrides: [{ model: 'x', prices: [{ effective_from: 'soon', input: '1', output: '1' }] }] }));
});

test('normaliseModel and the default computeCost', () => {
  assert.equal(normaliseModel(' us.anthropic.Claude-Opus-4-1-20250805-v1:0 '), 'claude-opus-4-1-20250805');
  assert.equal(normaliseModel('deepseek-v3'), 'deepseek-v3');
  assert.equal(computeCost({ model: 'gpt-4o', ts: NOV_2026, usage: { output_tokens: 100 } }).cost_usd, '0.0010000000');
});
