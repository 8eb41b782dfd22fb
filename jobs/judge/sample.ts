/**
 * Stratified sampling of a day's conversations, deterministic for a seed and day.
 *
 * Strata are tenant × topic × risk (risk = any of escalation, negative feedback, guardrail hit,
 * failed turn, slow turn). Each stratum gets at least `minPerStratum` conversations (all of
 * them when smaller), the rest of the sample is allocated in proportion to N_h × f, where f is
 * `riskOversample` for risk strata and 1 otherwise (capped at N_h). Within a stratum the n_h
 * conversations with the smallest keyed hash of (seed, day, tenant, conversation id) are taken:
 * a simple random sample without replacement that does not depend on the order rows arrive in.
 * Inclusion probability π = n_h / N_h, design weight 1/π, so Σ weight × score over the sample is
 * the Horvitz-Thompson estimate of the day's total.
 *
 * Topics beyond the `maxTopicsPerTenant` most frequent of a tenant are pooled as "(other)", and
 * fewer are kept when the strata would not all fit `minPerStratum` into the sample size: every
 * stratum keeps a non-zero inclusion probability, which is what keeps the estimates unbiased.
 */
import { createHash } from 'node:crypto';
import { RISK_SIGNALS, type ConversationSummary } from './conversations.ts';

export const OTHER_TOPIC = '(other)';

export interface SampleOptions {
  size: number;
  seed: number;
  day: string;
  riskOversample: number;
  minPerStratum: number;
  maxTopicsPerTenant: number;
}

export const DEFAULT_SAMPLE_OPTIONS = { riskOversample: 4, minPerStratum: 2, maxTopicsPerTenant: 20 } as const;

export interface SampledConversation {
  tenant: string;
  conversation_id: string;
  /** Topic after pooling rare ones into "(other)": the stratum's topic. */
  topic: string;
  risk_signals: string[];
  stratum: string;
  stratum_population: number;
  stratum_sample: number;
  inclusion_prob: number;
  weight: number;
}

export interface StratumInfo {
  stratum: string;
  tenant: string;
  topic: string;
  risk: boolean;
  population: number;
  sample: number;
}

export interface Sample {
  population: number;
  topicsKept: number;
  strata: StratumInfo[];
  /** In a random order (hash rank), so a run cut short still holds a random subset of each stratum. */
  items: SampledConversation[];
}

function hashRank(seed: number, day: string, tenant: string, id: string): string {
  return createHash('sha256').update(`${seed}\u0000${day}\u0000${tenant}\u0000${id}`).digest('hex');
}

export function riskSignals(c: ConversationSummary): string[] {
  return RISK_SIGNALS.filter((s) => c[s]);
}

function collapseTopics(pop: ConversationSummary[], keep: number): Map<ConversationSummary, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const c of pop) {
    const t = counts.get(c.tenant) ?? new Map<string, number>();
    t.set(c.topic, (t.get(c.topic) ?? 0) + 1);
    counts.set(c.tenant, t);
  }
  const kept = new Map<string, Set<string>>();
  for (const [tenant, topics] of counts) {
    const ranked = [...topics].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, keep);
    kept.set(tenant, new Set(ranked.map(([t]) => t)));
  }
  return new Map(pop.map((c) => [c, kept.get(c.tenant)!.has(c.topic) ? c.topic : OTHER_TOPIC]));
}

/** Integer allocation: minimums, then proportional to measure with caps, then largest remainder. */
export function allocate(pop: number[], measure: number[], size: number, minimum: number): number[] {
  const n = pop.map((N) => Math.min(N, minimum));
  let left = size - n.reduce((a, b) => a + b, 0);
  const share = pop.map(() => 0);
  const open = new Set(pop.map((_, i) => i).filter((i) => pop[i]! > n[i]!));
  // Water-filling: strata whose proportional share exceeds their room are capped, the rest re-share.
  while (left > 1e-9 && open.size > 0) {
    const total = [...open].reduce((a, i) => a + measure[i]!, 0);
    if (total <= 0) break;
    let capped = false;
    for (const i of open) {
      const room = pop[i]! - n[i]! - share[i]!;
      if ((left * measure[i]!) / total >= room) {
        share[i]! += room;
        left -= room;
        open.delete(i);
        capped = true;
      }
    }
    if (capped) continue;
    for (const i of open) share[i]! += (left * measure[i]!) / total;
    left = 0;
  }
  const floors = share.map(Math.floor);
  let rest = Math.round(share.reduce((a, b) => a + b, 0)) - floors.reduce((a, b) => a + b, 0);
  const order = share.map((s, i) => ({ i, frac: s - floors[i]! })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (rest <= 0) break;
    if (n[i]! + floors[i]! < pop[i]!) {
      floors[i]! += 1;
      rest -= 1;
    }
  }
  return n.map((v, i) => v + floors[i]!);
}

export function drawSample(population: ConversationSummary[], o: SampleOptions): Sample {
  if (!Number.isInteger(o.size) || o.size < 1) throw new Error('sample size must be a positive integer');
  if (!(o.riskOversample >= 1)) throw new Error('riskOversample must be at least 1');
  let keep = o.maxTopicsPerTenant;
  for (;;) {
    const topicOf = collapseTopics(population, keep);
    const byStratum = new Map<string, { info: StratumInfo; members: ConversationSummary[] }>();
    for (const c of population) {
      const topic = topicOf.get(c)!;
      const risk = riskSignals(c).length > 0;
      const key = `${c.tenant}|${topic}|${risk ? 'risk' : 'base'}`;
      let s = byStratum.get(key);
      if (!s) byStratum.set(key, (s = { info: { stratum: key, tenant: c.tenant, topic, risk, population: 0, sample: 0 }, members: [] }));
      s.members.push(c);
      s.info.population += 1;
    }
    const strata = [...byStratum.values()].sort((a, b) => (a.info.stratum < b.info.stratum ? -1 : 1));
    const minimums = strata.reduce((a, s) => a + Math.min(s.info.population, o.minPerStratum), 0);
    if (minimums > o.size && keep > 0) {
      keep = Math.max(0, Math.min(keep - 1, Math.floor(keep / 2)));
      continue;
    }
    const pops = strata.map((s) => s.info.population);
    const sizes =
      population.length <= o.size
        ? pops
        : allocate(pops, strata.map((s) => s.info.population * (s.info.risk ? o.riskOversample : 1)), o.size, minimums > o.size ? 0 : o.minPerStratum);
    const items: (SampledConversation & { rank: string })[] = [];
    strata.forEach((s, i) => {
      const nh = sizes[i]!;
      s.info.sample = nh;
      const ranked = s.members
        .map((c) => ({ c, rank: hashRank(o.seed, o.day, c.tenant, c.conversation_id) }))
        .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
        .slice(0, nh);
      for (const { c, rank } of ranked) {
        items.push({
          tenant: c.tenant,
          conversation_id: c.conversation_id,
          topic: s.info.topic,
          risk_signals: riskSignals(c),
          stratum: s.info.stratum,
          stratum_population: s.info.population,
          stratum_sample: nh,
          inclusion_prob: nh / s.info.population,
          weight: s.info.population / nh,
          rank,
        });
      }
    });
    items.sort((a, b) => (a.rank < b.rank ? -1 : 1));
    return {
      population: population.length,
      topicsKept: keep,
      strata: strata.map((s) => s.info),
      items: items.map(({ rank: _rank, ...rest }) => rest),
    };
  }
}
