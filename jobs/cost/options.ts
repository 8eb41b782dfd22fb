/** Options of the cost job from the configuration (cost.* keys). */
import { z } from 'zod';
import { ConfigError, type Config } from '../../common/config.ts';
import { DEFAULT_ANOMALY_OPTIONS, type AnomalyOptions } from './anomaly.ts';
import { BudgetOptions, type Budget } from './budget.ts';
import { DEFAULT_RUNAWAY_OPTIONS } from './runaway.ts';

const num = z.number().finite();
const AnomalyOverrides = z.strictObject({
  weeks: z.number().int().min(1).max(12),
  neighbourHours: z.number().int().min(0).max(3),
  minBaselinePoints: z.number().int().min(1),
  zWarning: num,
  zCritical: num,
  minRatio: num,
  minRequests: z.number().int().min(0),
  minSpendUsd: num,
  minLogScale: z.number().positive(),
}).partial();

const RunawayOverrides = z.strictObject({
  zThreshold: num,
  minTokens: z.number().int().min(0),
  minTurns: z.number().int().min(0),
  criticalTokens: z.number().int().positive(),
  minBaseline: z.number().int().min(1),
  minLogScale: z.number().positive(),
  /** Conversations active in the window are summed over this many hours before its end. */
  lookbackHours: z.number().int().min(1).max(24 * 7),
  /** The norm: conversations of the previous days. */
  baselineDays: z.number().int().min(1).max(60),
  /** At most this many baseline conversations per tenant and service (a stable sample). */
  baselineSample: z.number().int().min(50).max(100_000),
}).partial();

export interface CostJobOptions {
  budgets: Budget[];
  anomaly: AnomalyOptions;
  runaway: typeof DEFAULT_RUNAWAY_OPTIONS & { lookbackHours: number; baselineDays: number; baselineSample: number };
  /** Share of the period after which the forecast alone can alert. */
  forecastMinElapsed: number;
  dashboardUrl: string;
}

function parse<T>(key: string, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ConfigError(key, `${key}: ${z.prettifyError(r.error).replace(/\n/g, ' ')}`);
  return r.data;
}

export function costOptionsFromConfig(config: Config): CostJobOptions {
  return {
    budgets: parse('cost.budgets', z.array(BudgetOptions), config.cost.budgets),
    anomaly: { ...DEFAULT_ANOMALY_OPTIONS, ...parse('cost.anomaly', AnomalyOverrides, config.cost.anomaly) },
    runaway: { ...DEFAULT_RUNAWAY_OPTIONS, lookbackHours: 24, baselineDays: 7, baselineSample: 5_000, ...parse('cost.runaway', RunawayOverrides, config.cost.runaway) },
    forecastMinElapsed: 0.2,
    dashboardUrl: config.cost.dashboardUrl,
  };
}
