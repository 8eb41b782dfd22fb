/** The dashboards Lookout ships, by the file name each is written to under dashboards/build/. */
import { cost } from './cost.ts';
import { drift } from './drift.ts';
import type { Dashboard } from './grafana.ts';
import { overview } from './overview.ts';
import { quality } from './quality.ts';

export const DASHBOARDS: Record<string, Dashboard> = {
  'lookout-overview.json': overview,
  'lookout-cost.json': cost,
  'lookout-quality.json': quality,
  'lookout-drift.json': drift,
};

/** The exact text of a built file: stable key order (as written in src/) and a final newline. */
export function render(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
