/**
 * `lookout demo`: streams simulated support traffic through the producer client so a new user
 * sees data flowing within minutes. Simulated days are compressed into the run; the event rate
 * (wall clock) is configurable, and progress is reported on long runs.
 */
import { createProducer, type LookoutProducer, type ProducerOptions, type Totals } from '../producer/index.ts';
import { DemoGenerator, defaultIncidents, type Incidents } from './generator.ts';

export interface DemoOptions {
  /** A producer to use, or options to create one (brokers/topic or http). */
  producer: LookoutProducer | Omit<ProducerOptions, 'service' | 'tenant'>;
  /** Simulated days of history, ending now. Default 14. */
  days?: number;
  /** Conversations per simulated weekday (weekends get 60%). Default 300. */
  conversationsPerDay?: number;
  /** Events per second, wall clock; 0 sends as fast as the producer takes them. Default 2000. */
  rate?: number;
  /** Stop after this many seconds even if days remain. Default: no limit. */
  maxDurationSeconds?: number;
  seed?: number;
  /** Override scripted incident days/topic/tenant; false disables all of them. */
  incidents?: Partial<Incidents> | false;
  /** Simulated time ends here. Default now. */
  endMs?: number;
  /** Progress lines (default: stderr); null for none. */
  progress?: ((line: string) => void) | null;
  progressEveryMs?: number;
  signal?: AbortSignal;
}

export interface DemoResult {
  events: number;
  days: number;
  elapsedMs: number;
  incidents: Incidents | null;
  delivery: Totals;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const days = options.days ?? 14;
  const incidents: Incidents =
    options.incidents === false
      ? { newTopicDay: -1, staleKbTopic: '', staleKbDay: -1, costSpikeTenant: '', costSpikeDay: -1 }
      : { ...defaultIncidents(days), ...options.incidents };
  const gen = new DemoGenerator({
    days,
    conversationsPerDay: options.conversationsPerDay ?? 300,
    endMs: options.endMs ?? Date.now(),
    seed: options.seed ?? 42,
    incidents,
  });
  const owned = !('record' in options.producer);
  const producer: LookoutProducer = owned
    ? createProducer({ ...(options.producer as ProducerOptions), service: 'lookout-demo', tenant: 'acme', clientId: 'lookout-demo' })
    : (options.producer as LookoutProducer);
  const rate = options.rate ?? 2000;
  const say = options.progress === undefined ? (l: string) => process.stderr.write(`${l}\n`) : options.progress;
  const every = options.progressEveryMs ?? 2000;
  const started = Date.now();
  const deadline = options.maxDurationSeconds ? started + options.maxDurationSeconds * 1000 : Infinity;
  let sent = 0;
  let lastReport = started;
  let day = 0;

  outer: for (; day < days; day++) {
    const events = gen.day(day);
    for (let i = 0; i < events.length; i++) {
      if (options.signal?.aborted || Date.now() >= deadline) break outer;
      producer.record(events[i]! as Parameters<LookoutProducer['record']>[0]);
      sent++;
      if (sent % 200 === 0) {
        // Pace to the rate, and let the producer drain rather than drop demo data.
        if (rate > 0) {
          const ahead = (sent / rate) * 1000 - (Date.now() - started);
          if (ahead > 0) await sleep(ahead);
        }
        while (producer.room().events < 5000 && !options.signal?.aborted) await sleep(20);
        if (rate <= 0) await new Promise((r) => setImmediate(r));
        const now = Date.now();
        if (say && now - lastReport >= every) {
          lastReport = now;
          const s = producer.stats();
          say(`demo: day ${day + 1}/${days}, ${sent} events recorded, ${s.sent} delivered, ${Math.round(sent / ((now - started) / 1000))} events/s`);
        }
      }
    }
  }
  const delivery = owned ? await producer.shutdown({ timeoutMs: 30_000 }) : await producer.flush({ timeoutMs: 30_000 });
  const elapsedMs = Date.now() - started;
  say?.(`demo: done, ${sent} events over ${Math.min(day + 1, days)} simulated days in ${(elapsedMs / 1000).toFixed(1)} s (delivered ${delivery.sent}, dropped ${delivery.dropped}, failed ${delivery.failed})`);
  return { events: sent, days: Math.min(day + 1, days), elapsedMs, incidents: options.incidents === false ? null : incidents, delivery };
}

export { DemoGenerator, defaultIncidents, type Incidents } from './generator.ts';
