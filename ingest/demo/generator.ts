/**
 * Deterministic demo traffic: simulated days of support conversations (same seed, same events),
 * with three scripted incidents the rest of Lookout should notice:
 *  - a new topic (passkey_login) appears on `newTopicDay` and grows; the KB has nothing on it;
 *  - the KB goes stale for one topic on `staleKbDay`: a new version of its documents is published
 *    (kb_document events) but retrieval keeps returning the old version, scores sag and escalations
 *    and negative feedback rise;
 *  - one tenant's cost spikes from `costSpikeDay`: an expensive model, long answers, looping turns.
 */
import { CHANNELS, EXPENSIVE_MODEL, FALLBACK_MODEL, MODELS, NEW_TOPIC, PII, PROMPT_VERSIONS, RETURN_WINDOW_DAYS, TENANTS, TOPICS, type Model, type Topic } from './templates.ts';
import { rng } from '../../common/random.ts';

export type DemoEvent = { type: string; tenant: string; service: string; event_id: string; ts: number } & Record<string, unknown>;

export interface Incidents {
  /** Day index (0-based) the new topic appears; -1 disables. */
  newTopicDay: number;
  staleKbTopic: string;
  /** Day index the KB for `staleKbTopic` goes stale; -1 disables. */
  staleKbDay: number;
  costSpikeTenant: string;
  /** Day index the tenant's cost spikes; -1 disables. */
  costSpikeDay: number;
}

export interface GeneratorOptions {
  days: number;
  conversationsPerDay: number;
  /** Simulated time ends here (epoch ms); day `days - 1` is the last 24 hours before it. */
  endMs: number;
  seed: number;
  incidents: Incidents;
}

export function defaultIncidents(days: number): Incidents {
  return {
    newTopicDay: Math.max(1, days - 4),
    staleKbTopic: 'returns_policy',
    staleKbDay: Math.max(1, days - 6),
    costSpikeTenant: 'globex',
    costSpikeDay: Math.max(1, days - 3),
  };
}

const DAY = 86_400_000;


class Dice {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  weighted<T extends { weight: number }>(xs: readonly T[]): T {
    const total = xs.reduce((s, x) => s + x.weight, 0);
    let r = this.next() * total;
    for (const x of xs) if ((r -= x.weight) < 0) return x;
    return xs[xs.length - 1]!;
  }
  /** Log-normal around a median with the given spread (sigma of the log). */
  lognormal(median: number, sigma: number): number {
    const u = Math.max(1e-12, this.next());
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
    return median * Math.exp(sigma * z);
  }
  uuid(): string {
    const h = Array.from({ length: 16 }, () => Math.floor(this.next() * 256));
    h[6] = (h[6]! & 0x0f) | 0x40;
    h[8] = (h[8]! & 0x3f) | 0x80;
    const x = h.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** KB versions are named after their publication day (weekly, plus the stale-topic incident day). */
function kbVersionFor(dayStart: number): string {
  return `kb-${isoDate(dayStart)}`;
}

export class DemoGenerator {
  private readonly dice: Dice;
  private readonly startMs: number;
  /** Per topic: the version retrieval currently serves and the newest published. */
  private readonly kb = new Map<string, { served: string; newest: string }>();

  constructor(readonly opts: GeneratorOptions) {
    this.dice = new Dice(rng(opts.seed));
    this.startMs = opts.endMs - opts.days * DAY;
  }

  /** All events of one simulated day, in time order: KB publications first, then conversations. */
  day(d: number): DemoEvent[] {
    const dayStart = this.startMs + d * DAY;
    const events: DemoEvent[] = [...this.kbPublications(d, dayStart)];
    const convs: DemoEvent[][] = [];
    // Weekends are quieter.
    const weekday = new Date(dayStart).getUTCDay();
    const volume = Math.round(this.opts.conversationsPerDay * (weekday === 0 || weekday === 6 ? 0.6 : 1));
    for (let i = 0; i < volume; i++) convs.push(this.conversation(d, dayStart));
    convs.sort((a, b) => a[0]!.ts - b[0]!.ts);
    for (const c of convs) events.push(...c);
    return events;
  }

  private kbPublications(d: number, dayStart: number): DemoEvent[] {
    const out: DemoEvent[] = [];
    const { staleKbDay, staleKbTopic } = this.opts.incidents;
    for (const topic of TOPICS) {
      const weekly = d % 7 === 0;
      const staleNow = d === staleKbDay && topic.id === staleKbTopic;
      if (!weekly && !staleNow) continue;
      const version = staleNow ? `${kbVersionFor(dayStart)}-returns-14d` : kbVersionFor(dayStart);
      const state = this.kb.get(topic.id);
      const stale = staleKbDay >= 0 && d >= staleKbDay && topic.id === staleKbTopic;
      // Once stale, retrieval keeps serving the old index while new versions keep being published.
      this.kb.set(topic.id, { served: stale && state ? state.served : version, newest: version });
      for (const tenant of TENANTS) for (const doc of topic.docs) {
        const text = topic.id === 'returns_policy' && doc.id === 'returns-window' ? `Unused items can be returned within ${staleNow || stale ? RETURN_WINDOW_DAYS.new : RETURN_WINDOW_DAYS.old} days of delivery.` : (doc.body ?? doc.snippet);
        out.push({
          type: 'kb_document',
          tenant: tenant.id,
          service: 'kb-sync',
          event_id: this.dice.uuid(),
          ts: dayStart + 60_000,
          schema_version: 1,
          document: { doc_id: doc.id, version, title: doc.title, updated_at: dayStart + 60_000, action: state ? 'updated' : 'published', text },
        });
      }
    }
    return out;
  }

  private topicFor(d: number): Topic {
    const { newTopicDay } = this.opts.incidents;
    if (newTopicDay >= 0 && d >= newTopicDay) {
      // Grows from ~6% on the first day to ~20% of conversations.
      const share = Math.min(0.2, 0.06 + 0.05 * (d - newTopicDay));
      if (this.dice.chance(share)) return NEW_TOPIC;
    }
    return this.dice.weighted(TOPICS);
  }

  private fill(template: string, slots: Record<string, string>): string {
    return template.replace(/\{(\w+)\}/g, (_, k: string) => slots[k] ?? k);
  }

  private conversation(d: number, dayStart: number): DemoEvent[] {
    const dice = this.dice;
    const tenantDef = dice.weighted(TENANTS);
    const tenant = tenantDef.id;
    const service = dice.pick(tenantDef.services);
    const topic = this.topicFor(d);
    const channel = dice.weighted(CHANNELS).id;
    const spike = this.opts.incidents.costSpikeDay >= 0 && d >= this.opts.incidents.costSpikeDay && tenant === this.opts.incidents.costSpikeTenant;
    const model: Model = spike ? EXPENSIVE_MODEL : dice.weighted(MODELS);
    const staleTopic = this.opts.incidents.staleKbDay >= 0 && d >= this.opts.incidents.staleKbDay && topic.id === this.opts.incidents.staleKbTopic;
    const kbState = this.kb.get(topic.id);
    const kbVersion = kbState?.served ?? kbVersionFor(this.startMs);
    // Busier in (UTC) business hours.
    const hour = dice.chance(0.75) ? dice.int(8, 19) : dice.int(0, 23);
    let ts = Math.min(this.opts.endMs - 60_000, dayStart + hour * 3_600_000 + dice.int(0, 3_599_999));
    const conversation_id = `conv-${isoDate(dayStart).replaceAll('-', '')}-${dice.uuid().slice(0, 8)}`;
    const base = { tenant, service, conversation_id, user_id: `user-${dice.int(1000, 99999)}`, channel, schema_version: 1 };
    const slots: Record<string, string> = {
      order: String(dice.int(10000, 99999)),
      amount: `€${dice.int(12, 240)}.${dice.int(10, 99)}`,
      last4: String(dice.int(1000, 9999)),
      date: isoDate(ts - dice.int(1, 9) * DAY),
      days: String(dice.int(3, 21)),
      // The assistant keeps quoting the old return window: that is what a stale KB looks like.
      window: String(RETURN_WINDOW_DAYS.old),
      email: dice.pick(PII.emails),
      phone: dice.pick(PII.phones),
      card: dice.pick(PII.cards),
      address: dice.pick(PII.addresses),
    };
    const turns = spike && dice.chance(0.3) ? dice.int(6, 12) : dice.weighted([{ n: 1, weight: 45 }, { n: 2, weight: 30 }, { n: 3, weight: 17 }, { n: 4, weight: 8 }]).n;
    const events: DemoEvent[] = [];
    const promptVersion = d < this.opts.days / 2 ? PROMPT_VERSIONS[0]! : PROMPT_VERSIONS[1]!;
    let historyTokens = 0;
    let lastResponseId = '';
    let negative = false;

    for (let turn = 0; turn < turns; turn++) {
      let text = this.fill(turn === 0 ? dice.pick(topic.questions) : dice.pick(topic.followUps), slots);
      if (dice.chance(turn === 0 ? 0.18 : 0.08)) text += this.fill(dice.pick(PII.sentences), slots);
      const common = { ...base, turn, model: model.name, provider: model.provider, prompt_version: promptVersion, kb_version: kbVersion };
      events.push({ ...common, type: 'request', event_id: dice.uuid(), ts, input_text: text });

      // Retrieval: weaker matches for a stale KB, almost nothing for the undocumented new topic.
      const retrieved = (topic.docs.length > 0 ? topic.docs : [{ id: 'account-password-reset', title: 'Resetting your password', snippet: 'Reset links are valid for 30 minutes.' }]).map((doc, i) => ({
        doc_id: doc.id,
        kb_version: kbVersion,
        title: doc.title,
        score: round(Math.max(0.05, Math.min(0.99, (topic === NEW_TOPIC ? 0.32 : staleTopic ? 0.6 : 0.82) - i * 0.08 + (dice.next() - 0.5) * 0.12)), 3),
        snippet: doc.snippet,
      }));
      const retrievalMs = round(dice.lognormal(45, 0.4), 0);
      ts += retrievalMs;
      events.push({ ...base, turn, type: 'retrieval', event_id: dice.uuid(), ts, kb_version: kbVersion, query_text: text, retrieved, latency_ms: retrievalMs });

      if (topic.tool && turn === 0 && dice.chance(0.6)) {
        const toolMs = round(dice.lognormal(120, 0.5), 0);
        ts += toolMs;
        events.push({
          ...common,
          type: 'tool_call',
          event_id: dice.uuid(),
          ts,
          tool: { name: topic.tool.name, arguments: this.fill(topic.tool.args, slots), result: this.fill(topic.tool.result, slots), status: dice.chance(0.97) ? 'ok' : 'error', latency_ms: toolMs },
        });
      }

      const failed = dice.chance(0.015);
      const fallback = !failed && !spike && dice.chance(0.025);
      const answeredBy = fallback ? FALLBACK_MODEL : model;
      const inputTokens = Math.round(dice.lognormal(spike ? 5200 : 900, 0.35)) + historyTokens;
      const outputTokens = failed ? 0 : Math.max(8, Math.round(dice.lognormal(answeredBy.outputTokens, 0.45)));
      historyTokens += Math.round(outputTokens + text.length / 4);
      const cached = dice.chance(0.5) ? Math.min(inputTokens, Math.round(inputTokens * dice.next() * 0.8)) : 0;
      const latency = Math.min(120_000, Math.round(dice.lognormal(answeredBy.latencyMs * (1 + outputTokens / 2000), 0.35) + (fallback ? dice.lognormal(900, 0.4) : 0)));
      const guardrails = text.includes('@') || /\d{4}[ -]?\d{4}[ -]?\d{4}/.test(text) ? ['pii_detected'] : [];
      ts += latency;
      lastResponseId = dice.uuid();
      events.push({
        ...common,
        model: answeredBy.name,
        provider: answeredBy.provider,
        type: 'response',
        event_id: lastResponseId,
        ts,
        output_text: failed ? '' : this.fill(dice.pick(topic.answers), slots),
        retrieved: retrieved.slice(0, 2),
        usage: { input_tokens: inputTokens, output_tokens: outputTokens, cached_input_tokens: cached, cache_write_tokens: 0, reasoning_tokens: 0 },
        latency_ms: latency,
        ttft_ms: Math.min(latency, Math.round(dice.lognormal(answeredBy.ttftMs, 0.3))),
        status: failed ? (dice.chance(0.5) ? 'timeout' : 'error') : 'ok',
        ...(failed ? { error: { code: dice.pick(['rate_limit_exceeded', 'upstream_timeout', 'overloaded']), message: 'model call failed' } } : {}),
        fallback_used: fallback,
        cache_hit: cached > 0,
        guardrail_triggers: guardrails,
        ...(fallback ? { attributes: { primary_model: model.name } } : {}),
      });
      if (failed) negative = true;
      ts += Math.round(dice.lognormal(40_000, 0.6));
    }

    const escalationP = topic.escalation * (staleTopic ? 3.5 : 1) + (negative ? 0.2 : 0);
    const escalated = dice.chance(escalationP);
    if (escalated) {
      events.push({
        ...base,
        type: 'escalation',
        event_id: dice.uuid(),
        ts,
        turn: turns - 1,
        escalation: { reason: dice.pick(staleTopic || topic === NEW_TOPIC ? ['low_confidence', 'user_request', 'wrong_answer'] : ['user_request', 'policy', 'low_confidence']), target: dice.pick(['human', 'tier2', 'billing-team']) },
      });
    }
    if (dice.chance(0.35)) {
      const unhappy = escalated || negative || dice.chance(staleTopic ? 0.45 : topic === NEW_TOPIC ? 0.5 : 0.12);
      ts += Math.round(dice.lognormal(30_000, 0.5));
      events.push({
        ...base,
        type: 'feedback',
        event_id: dice.uuid(),
        ts,
        turn: turns - 1,
        target_event_id: lastResponseId,
        feedback: {
          thumbs: unhappy ? 'down' : 'up',
          ...(dice.chance(0.4) ? { csat: unhappy ? dice.int(1, 2) : dice.int(4, 5) } : {}),
          ...(unhappy && dice.chance(0.3) ? { comment: staleTopic ? 'The return window you told me is wrong.' : 'That did not answer my question.' } : {}),
          source: 'user',
        },
      });
    }
    const ceiling = this.opts.endMs - 1;
    for (const e of events) if (e.ts > ceiling) e.ts = ceiling;
    return events;
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
