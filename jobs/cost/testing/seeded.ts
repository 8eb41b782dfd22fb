/** Seeded random numbers and data generators for reproducible statistical tests. */
import { rng } from '../../../common/random.ts';
import type { HourlyPoint, HourlySeries } from '../anomaly.ts';

export { rng };

const HOUR = 3_600_000;
const WEEK = 168 * HOUR;

/** Standard normal by Box-Muller. */
export function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const START = Date.parse('2026-10-05T00:00:00Z'); // a Monday

export interface Gen {
  peakRequests: number;
  /** Per-hour log-noise of cost per request and tokens per request. */
  noise: number;
  /** Probability of a benign traffic burst (x1.3-1.6 requests) in an hour. */
  burstRate: number;
}

/** Five weeks of history plus the hour under test, with a diurnal and weekly pattern. */
export function hourlySeries(seed: number, g: Gen, spike: { spend?: number; tpr?: number } = {}): { s: HourlySeries; hour: number } {
  const r = rng(seed);
  const hour = START + 4 * WEEK + Math.floor(r() * 168) * HOUR;
  const points: HourlyPoint[] = [];
  for (let t = START; t <= hour; t += HOUR) {
    const d = new Date(t);
    const hod = d.getUTCHours();
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.5 : 1;
    const rate = g.peakRequests * weekend * (0.25 + 0.75 * Math.exp(-((hod - 14) ** 2) / 32)) * (r() < g.burstRate ? 1.3 + 0.3 * r() : 1);
    const requests = Math.max(0, Math.round(rate + Math.sqrt(rate) * normal(r)));
    let tpr = 1800 * Math.exp(g.noise * normal(r));
    let cost = requests * 0.004 * (tpr / 1800) * Math.exp((g.noise / 2) * normal(r));
    if (t === hour) {
      tpr *= spike.tpr ?? 1;
      cost *= (spike.spend ?? 1) * (spike.tpr ?? 1);
    }
    if (requests > 0) points.push({ hour: t, requests, cost_usd: cost, tokens: Math.round(requests * tpr) });
  }
  return { s: { tenant: 'acme', feature: 'chat-bot', points }, hour };
}

