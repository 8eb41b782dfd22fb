/**
 * Model price table and exact dollar cost of one model call.
 *
 * Billing rules (documented for analysts; the event contract is in schemas/events/v1.ts):
 * - `usage.input_tokens` is the whole prompt, cache reads and cache writes included (OpenAI and
 *   Gemini report it so; the contract example has input 812 with 512 cached). Uncached input =
 *   input - cached_input - cache_write, billed at `input`; cached_input tokens at `cached_input`
 *   instead of `input`; cache_write tokens at `cache_write`.
 *   A producer that forwards Anthropic's raw usage (input excludes cache reads and writes) is
 *   recognised when cached + written exceed input: input is then taken as the uncached part.
 * - `usage.output_tokens` includes reasoning tokens, billed at `output`; `reasoning_tokens` is
 *   informational. When reasoning exceeds output the producer evidently reported them apart
 *   (Gemini's thoughtsTokenCount), and both are billed at `output`.
 * - long_context: when the prompt (input incl. cache reads and writes) exceeds the threshold,
 *   every token of the request is billed at the long-context prices.
 * - Costs are integers in units of 1e-10 USD: prices carry at most 4 decimals per million
 *   tokens, so tokens x price is exact and the decimal string has exactly 10 fractional digits.
 * - Unknown model: cost null (never 0) and `lookout_cost_unknown_model_total{model}` + 1.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Counter, register as defaultRegistry, type Registry } from 'prom-client';
import type { UsageT } from '../../schemas/events/index.ts';
import { BUILTIN_PRICE_FAMILIES, PRICE_TABLE_VERSION } from './prices.v1.ts';

/** USD per million tokens: a plain decimal with at most 4 fractional digits. */
const Price = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .refine((s) => /^\d{1,7}(?:\.\d{1,4})?$/.test(s), {
    message: 'price per million tokens: a non-negative decimal with at most 4 fractional digits',
  });

const Tier = z.strictObject({
  input: Price,
  output: Price,
  cached_input: Price.optional(),
  cache_write: Price.optional(),
});

const PricePeriod = Tier.extend({
  effective_from: z.iso.date().describe('UTC date the prices take effect'),
  long_context: Tier.extend({ threshold_tokens: z.number().int().positive() }).optional(),
});

export const PriceFamilySchema = z.strictObject({
  model: z.string().min(1).max(128).describe('Family id, stored as matched_entry with the period date'),
  match: z.string().min(1).max(512).optional().describe('Regex on the normalised model name; default: model + snapshot suffix'),
  owner: z.string().max(64).optional(),
  providers: z.array(z.string().min(1)).optional().describe('Only for these hosts (event provider); default: any'),
  source: z.string().optional(),
  prices: z.array(PricePeriod).min(1),
});
export type PriceFamilyInput = z.input<typeof PriceFamilySchema>;
export const PriceOverridesSchema = z.array(PriceFamilySchema);

interface TierUnits {
  input: bigint;
  output: bigint;
  cachedInput: bigint;
  cacheWrite: bigint;
}
interface Period {
  effectiveFrom: string;
  startsAt: number;
  base: TierUnits;
  long?: TierUnits & { thresholdTokens: number };
}
interface Family {
  model: string;
  pattern: RegExp;
  providers: Set<string> | null;
  periods: Period[];
}

export interface CostInput {
  model?: string | null;
  provider?: string | null;
  /** Event time, epoch ms: picks the price period in force. */
  ts: number;
  usage?: Partial<UsageT> | null;
}
export interface CostResult {
  /** USD with exactly 10 fractional digits, or null when the model or usage is unknown. */
  cost_usd: string | null;
  price_version: string;
  /** `family@effective_from` of the price used, null when no family matched. */
  matched_entry: string | null;
}

export interface PriceTableOptions {
  /** User entries: a family with the same `model` as a built-in one replaces its match/providers
   * and adds or replaces periods by effective_from; new families are tried before built-ins. */
  overrides?: PriceFamilyInput[];
  registry?: Registry;
  /** Distinct model label values on the unknown-model counter; the rest count as "__other__". */
  maxUnknownModelLabels?: number;
  /**
   * Receives each unknown model's label instead of the counter: a pipeline worker thread passes
   * them to the main thread, whose table counts them (countUnknownModel) where /metrics is served.
   */
  onUnknownModel?: (label: string) => void;
}

/** Snapshot suffixes providers append to a family name. */
const SNAPSHOT_SUFFIX =
  '(?:-chat)?(?:-v\\d+)?(?:-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{4}|\\d{3}|latest|preview(?:-\\d{2}-\\d{2,4})?|exp(?:-\\d{2}-\\d{2,4})?))?';

const VENDOR_PREFIX = /^(?:(?:us|eu|apac|global|jp|au|us-gov)\.)?(?:anthropic|meta|mistral|amazon|cohere|ai21|deepseek|qwen|openai|google)\./;

/** Lower-case, drop routing prefixes (`openai/`, `models/`, Bedrock `us.anthropic.`), Vertex
 * `@date`, Bedrock `-v1:0` and bracketed variants (`[1m]`). */
export function normaliseModel(model: string): string {
  let m = model.trim().toLowerCase();
  m = m.slice(m.lastIndexOf('/') + 1);
  m = m.replace(/\[[^\]]*\]$/, '');
  m = m.replace(VENDOR_PREFIX, '');
  m = m.replace('@', '-');
  m = m.replace(/-v\d+:\d+$/, '');
  return m;
}

export function normaliseProvider(provider: string): string {
  return provider.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const UNITS_PER_PRICE_UNIT = 10_000n;

function priceUnits(decimal: string): bigint {
  const [int, frac = ''] = decimal.split('.');
  return BigInt(int!) * UNITS_PER_PRICE_UNIT + BigInt(frac.padEnd(4, '0'));
}

function tierUnits(t: z.output<typeof Tier>): TierUnits {
  const input = priceUnits(t.input);
  return {
    input,
    output: priceUnits(t.output),
    cachedInput: t.cached_input === undefined ? input : priceUnits(t.cached_input),
    cacheWrite: t.cache_write === undefined ? input : priceUnits(t.cache_write),
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Formats an amount in 1e-10 USD units as a decimal string with 10 fractional digits. */
export function formatUsd(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const s = abs.toString().padStart(11, '0');
  return `${neg ? '-' : ''}${s.slice(0, -10)}.${s.slice(-10)}`;
}

/** Parses a decimal USD string into 1e-10 units (for summing stored costs exactly). */
export function parseUsd(decimal: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,10}))?$/.exec(decimal.trim());
  if (!m) throw new Error('not a decimal USD amount with at most 10 fractional digits');
  const units = BigInt(m[2]!) * 10_000_000_000n + BigInt((m[3] ?? '').padEnd(10, '0'));
  return m[1] ? -units : units;
}

type UnknownCounter = { counter: Counter<'model'>; seen: Set<string> };
const countersByRegistry = new WeakMap<Registry, UnknownCounter>();

function unknownCounter(registry: Registry): UnknownCounter {
  let c = countersByRegistry.get(registry);
  if (!c) {
    const existing = registry.getSingleMetric('lookout_cost_unknown_model_total') as Counter<'model'> | undefined;
    c = {
      counter:
        existing ??
        new Counter({
          name: 'lookout_cost_unknown_model_total',
          help: 'Model calls whose cost is NULL because no price-table entry matches the model',
          labelNames: ['model'],
          registers: [registry],
        }),
      seen: new Set(),
    };
    countersByRegistry.set(registry, c);
  }
  return c;
}

function compileFamily(f: z.output<typeof PriceFamilySchema>): Family {
  const periods = [...f.prices]
    .sort((a, b) => a.effective_from.localeCompare(b.effective_from))
    .map((p): Period => ({
      effectiveFrom: p.effective_from,
      startsAt: Date.parse(`${p.effective_from}T00:00:00Z`),
      base: tierUnits(p),
      ...(p.long_context ? { long: { ...tierUnits(p.long_context), thresholdTokens: p.long_context.threshold_tokens } } : {}),
    }));
  for (let i = 1; i < periods.length; i++) {
    if (periods[i]!.effectiveFrom === periods[i - 1]!.effectiveFrom) {
      throw new Error(`price family ${f.model}: two periods effective ${periods[i]!.effectiveFrom}`);
    }
  }
  return {
    model: f.model,
    pattern: new RegExp(f.match ?? `^${escapeRegex(f.model.toLowerCase())}${SNAPSHOT_SUFFIX}$`),
    providers: f.providers ? new Set(f.providers.map(normaliseProvider)) : null,
    periods,
  };
}

function mergeFamilies(
  builtin: z.output<typeof PriceFamilySchema>[],
  overrides: z.output<typeof PriceFamilySchema>[],
): z.output<typeof PriceFamilySchema>[] {
  const merged = builtin.map((f) => ({ ...f, prices: [...f.prices] }));
  const added: z.output<typeof PriceFamilySchema>[] = [];
  for (const o of overrides) {
    const target = merged.find((f) => f.model === o.model);
    if (!target) {
      added.push(o);
      continue;
    }
    if (o.match !== undefined) target.match = o.match;
    if (o.providers !== undefined) target.providers = o.providers;
    for (const p of o.prices) {
      const i = target.prices.findIndex((q) => q.effective_from === p.effective_from);
      if (i >= 0) target.prices[i] = p;
      else target.prices.push(p);
    }
  }
  return [...added, ...merged];
}

export class PriceTable {
  readonly version: string;
  private readonly families: Family[];
  private readonly unknown: UnknownCounter;
  private readonly maxLabels: number;
  private readonly onUnknownModel: ((label: string) => void) | undefined;

  constructor(options: PriceTableOptions = {}) {
    const builtin = BUILTIN_PRICE_FAMILIES.map((f) => PriceFamilySchema.parse(f));
    const overrides = PriceOverridesSchema.parse(options.overrides ?? []);
    this.families = mergeFamilies(builtin, overrides).map(compileFamily);
    // Overrides change costs, so they change the version stored with each cost.
    this.version =
      overrides.length === 0
        ? PRICE_TABLE_VERSION
        : `${PRICE_TABLE_VERSION}+${createHash('sha256').update(JSON.stringify(overrides)).digest('hex').slice(0, 8)}`;
    this.unknown = unknownCounter(options.registry ?? defaultRegistry);
    this.maxLabels = options.maxUnknownModelLabels ?? 100;
    this.onUnknownModel = options.onUnknownModel;
  }

  /** The family and the period in force at `ts`, or null. */
  lookup(model: string, provider: string | null | undefined, ts: number): { family: string; period: Period } | null {
    const name = normaliseModel(model);
    const host = provider ? normaliseProvider(provider) : null;
    const family = this.families.find(
      (f) => (f.providers === null || (host !== null && f.providers.has(host))) && f.pattern.test(name),
    );
    if (!family) return null;
    let period = family.periods[0]!;
    for (const p of family.periods) if (p.startsAt <= ts) period = p;
    return { family: family.model, period };
  }

  computeCost(input: CostInput): CostResult {
    const hit = input.model ? this.lookup(input.model, input.provider, input.ts) : null;
    if (!hit) {
      const label = (input.model ? normaliseModel(input.model) : '(missing)').slice(0, 100);
      if (this.onUnknownModel) this.onUnknownModel(label);
      else this.countUnknownModel(label);
      return { cost_usd: null, price_version: this.version, matched_entry: null };
    }
    const matched_entry = `${hit.family}@${hit.period.effectiveFrom}`;
    if (!input.usage) return { cost_usd: null, price_version: this.version, matched_entry };
    return { cost_usd: formatUsd(costUnits(hit.period, input.usage)), price_version: this.version, matched_entry };
  }

  countUnknownModel(label: string): void {
    const { counter, seen } = this.unknown;
    if (seen.has(label) || seen.size < this.maxLabels) {
      seen.add(label);
      counter.inc({ model: label });
    } else {
      counter.inc({ model: '__other__' });
    }
  }
}

function costUnits(period: Period, usage: Partial<UsageT>): bigint {
  const input = BigInt(usage.input_tokens ?? 0);
  const cached = BigInt(usage.cached_input_tokens ?? 0);
  const written = BigInt(usage.cache_write_tokens ?? 0);
  const output = BigInt(usage.output_tokens ?? 0);
  const reasoning = BigInt(usage.reasoning_tokens ?? 0);
  const inclusive = cached + written <= input;
  const uncached = inclusive ? input - cached - written : input;
  const prompt = uncached + cached + written;
  const billedOutput = reasoning > output ? output + reasoning : output;
  const t = period.long && prompt > BigInt(period.long.thresholdTokens) ? period.long : period.base;
  return uncached * t.input + cached * t.cachedInput + written * t.cacheWrite + billedOutput * t.output;
}

let defaultTable: PriceTable | undefined;

/** Cost with the built-in table (no overrides); the processor builds its own PriceTable from config. */
export function computeCost(input: CostInput): CostResult {
  defaultTable ??= new PriceTable();
  return defaultTable.computeCost(input);
}
