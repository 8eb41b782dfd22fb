/** Every job the scheduler knows: one import and one register line each. */
import { alertDeliveryJob } from '../alerts/job.ts';
import { costJob } from '../cost/job.ts';
import { driftJob } from '../drift/job.ts';
import { judgeJob } from '../judge/job.ts';
import { JobRegistry } from './registry.ts';

export function builtinJobs(): JobRegistry {
  return new JobRegistry().register(costJob).register(alertDeliveryJob).register(judgeJob).register(driftJob);
}
