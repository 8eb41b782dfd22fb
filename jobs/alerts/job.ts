/**
 * `alert-delivery`: retries pending deliveries (failed sends, rate-limited messages) every few
 * minutes, so a Slack outage delays a message rather than waiting for the next hourly job run.
 */
import { deliverPending } from './run.ts';
import type { JobDefinition } from '../scheduler/job.ts';
import { lastMinutes } from '../scheduler/windows.ts';

export const alertDeliveryJob: JobDefinition = {
  name: 'alert-delivery',
  description: 'retry pending alert deliveries (failed or rate-limited sends)',
  schedule: '*/5 * * * *',
  window: lastMinutes(5),
  async run(ctx) {
    const r = await deliverPending(ctx.alertDeps);
    return { sent: r.sent, pending: r.pending, failed: r.failed, superseded: r.superseded };
  },
};
