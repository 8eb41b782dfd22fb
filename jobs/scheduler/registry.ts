/** The set of jobs a scheduler runs. Drift, judge and others add theirs in builtin.ts. */
import cron from 'node-cron';
import type { JobDefinition } from './job.ts';

export class JobRegistry {
  private readonly jobs = new Map<string, JobDefinition>();

  register(def: JobDefinition): this {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(def.name)) throw new Error(`job name "${def.name}": lower-case letters, digits and "-"`);
    if (this.jobs.has(def.name)) throw new Error(`job "${def.name}" is registered twice`);
    if (!cron.validate(def.schedule)) throw new Error(`job "${def.name}": invalid cron expression "${def.schedule}"`);
    this.jobs.set(def.name, def);
    return this;
  }

  get(name: string): JobDefinition | undefined {
    return this.jobs.get(name);
  }

  all(): JobDefinition[] {
    return [...this.jobs.values()];
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }
}
