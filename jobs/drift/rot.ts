/**
 * Knowledge rot per tenant and topic (topic = the first document retrieval returned for the
 * conversation's first answer): answers citing a document version older than the newest one
 * published, retrieval scores falling, escalation and thumbs-down rates rising, each against the
 * baseline window. SQL over `events` and `kb_documents`; the tests here are one-sided and
 * Bonferroni-corrected over the topics of a signal.
 */
import type { ClickHouseClient } from '../../common/clickhouse.ts';
import { fmtNum, fmtTime, type AlertDraftInput } from '../alerts/model.ts';
import { normalSf } from './stats.ts';
import type { TimeRange } from './store.ts';

export interface RotOptions {
  /** Family-wise false-alarm rate per signal and tenant (split over its topics). */
  alpha: number;
  /** Stale citations: at least this many answers and this share of the topic's cited answers. */
  minStaleAnswers: number;
  minStaleShare: number;
  /** Rates and scores need this many current and baseline observations per topic. */
  minObservations: number;
  /** Smallest change worth an alert: score drop (absolute) and rate rise (percentage points). */
  minScoreDrop: number;
  minRateRisePoints: number;
}

export const DEFAULT_ROT_OPTIONS: RotOptions = {
  alpha: 0.01,
  minStaleAnswers: 5,
  minStaleShare: 0.1,
  minObservations: 10,
  minScoreDrop: 0.05,
  minRateRisePoints: 5,
};

async function rows<T>(ch: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  return (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

const ms = 'fromUnixTimestamp64Milli';

export interface StaleCitation {
  tenant: string;
  topic: string;
  doc_id: string;
  cited_version: string;
  newest_version: string;
  /** When the newest version was published (epoch ms). */
  newest_since: number;
  stale_answers: number;
  /** Current answers on the topic that cite any document. */
  topic_answers: number;
}

/**
 * Current answers that cite a version of a document older than the newest version published
 * before the answer, per tenant, topic and stale (document, cited version).
 */
export function staleCitations(ch: ClickHouseClient, db: string, window: TimeRange, tenants: string[]): Promise<StaleCitation[]> {
  return rows<StaleCitation>(
    ch,
    `WITH answers AS (
       SELECT tenant, event_id, ts, retrieved_doc_ids[1] AS topic, retrieved_doc_ids AS docs, retrieved_kb_versions AS versions
       FROM ${db}.events FINAL
       WHERE type = 'response' AND tenant IN {tenants:Array(String)} AND notEmpty(retrieved_doc_ids)
         AND ts >= ${ms}({from:Int64}) AND ts < ${ms}({to:Int64})),
     newest AS (
       SELECT tenant, doc_id, argMax(version, updated_at) AS version, max(updated_at) AS since
       FROM ${db}.kb_documents FINAL WHERE tenant IN {tenants:Array(String)} AND updated_at < ${ms}({to:Int64}) AND action != 'retired'
       GROUP BY tenant, doc_id),
     cited AS (
       SELECT a.tenant AS tenant, a.topic AS topic, a.ts AS ts, a.event_id AS event_id, p.1 AS doc_id, p.2 AS version
       FROM answers AS a ARRAY JOIN arrayZip(a.docs, a.versions) AS p),
     totals AS (SELECT tenant, topic, count() AS topic_answers FROM answers GROUP BY tenant, topic)
     SELECT c.tenant AS tenant, c.topic AS topic, c.doc_id AS doc_id, c.version AS cited_version, n.version AS newest_version,
            toUnixTimestamp64Milli(any(n.since)) AS newest_since, uniqExact(c.event_id) AS stale_answers, any(t.topic_answers) AS topic_answers
     FROM cited AS c
     INNER JOIN newest AS n ON n.tenant = c.tenant AND n.doc_id = c.doc_id
     INNER JOIN totals AS t ON t.tenant = c.tenant AND t.topic = c.topic
     WHERE c.version != n.version AND c.ts >= n.since
     GROUP BY tenant, topic, doc_id, cited_version, newest_version
     ORDER BY tenant, topic, stale_answers DESC`,
    { tenants, from: window.start, to: window.end },
  ).then((r) => r.map((x) => ({ ...x, newest_since: Number(x.newest_since), stale_answers: Number(x.stale_answers), topic_answers: Number(x.topic_answers) })));
}

export interface TopicOutcomes {
  tenant: string;
  topic: string;
  current: 0 | 1;
  conversations: number;
  escalated: number;
  feedback: number;
  thumbs_down: number;
}

/** Per tenant, topic and window (baseline 0, current 1): conversations, escalated ones, thumbs feedback and thumbs down. */
export async function topicOutcomes(ch: ClickHouseClient, db: string, baseline: TimeRange, window: TimeRange, tenants: string[]): Promise<TopicOutcomes[]> {
  const r = await rows<TopicOutcomes>(
    ch,
    `SELECT tenant, topic, toUInt8(started >= ${ms}({cur:Int64})) AS current, count() AS conversations, sum(escalated) AS escalated,
            sum(feedback) AS feedback, sum(down) AS thumbs_down
     FROM (
       SELECT tenant, conversation_id,
              argMinIf(retrieved_doc_ids[1], ts, type = 'response' AND notEmpty(retrieved_doc_ids)) AS topic,
              minIf(ts, type = 'response') AS started,
              max(type = 'escalation') AS escalated,
              countIf(type = 'feedback' AND feedback_thumbs IS NOT NULL) AS feedback,
              countIf(type = 'feedback' AND feedback_thumbs = -1) AS down
       FROM ${db}.events FINAL
       WHERE tenant IN {tenants:Array(String)} AND type IN ('response', 'escalation', 'feedback') AND conversation_id != ''
         AND ts >= ${ms}({from:Int64}) AND ts < ${ms}({to:Int64}) + INTERVAL 1 DAY
       GROUP BY tenant, conversation_id
       HAVING topic != '' AND started >= ${ms}({from:Int64}) AND started < ${ms}({to:Int64})
         AND (started < ${ms}({baseEnd:Int64}) OR started >= ${ms}({cur:Int64})))
     GROUP BY tenant, topic, current`,
    { tenants, from: baseline.start, baseEnd: baseline.end, cur: window.start, to: window.end },
  );
  return r.map((x) => ({ ...x, current: Number(x.current) as 0 | 1, conversations: Number(x.conversations), escalated: Number(x.escalated), feedback: Number(x.feedback), thumbs_down: Number(x.thumbs_down) }));
}

export interface TopicScores {
  tenant: string;
  topic: string;
  current: 0 | 1;
  n: number;
  mean: number;
  variance: number;
}

/** Top retrieval score per retrieval event: count, mean and variance per tenant, topic and window. */
export async function retrievalScores(ch: ClickHouseClient, db: string, baseline: TimeRange, window: TimeRange, tenants: string[]): Promise<TopicScores[]> {
  const r = await rows<TopicScores>(
    ch,
    `SELECT tenant, retrieved_doc_ids[1] AS topic, toUInt8(ts >= ${ms}({cur:Int64})) AS current,
            count() AS n, avg(s) AS mean, varSamp(s) AS variance
     FROM (SELECT tenant, ts, retrieved_doc_ids, toFloat64(assumeNotNull(retrieved_scores[1])) AS s
           FROM ${db}.events FINAL
           WHERE type = 'retrieval' AND tenant IN {tenants:Array(String)} AND notEmpty(retrieved_doc_ids) AND retrieved_scores[1] IS NOT NULL
             AND ((ts >= ${ms}({from:Int64}) AND ts < ${ms}({baseEnd:Int64})) OR (ts >= ${ms}({cur:Int64}) AND ts < ${ms}({to:Int64}))))
     GROUP BY tenant, topic, current`,
    { tenants, from: baseline.start, baseEnd: baseline.end, cur: window.start, to: window.end },
  );
  return r.map((x) => ({ ...x, current: Number(x.current) as 0 | 1, n: Number(x.n), mean: Number(x.mean), variance: Number.isFinite(Number(x.variance)) ? Number(x.variance) : 0 }));
}

/** One-sided two-proportion z-test that p1 (current) > p0 (baseline), pooled variance. */
export function proportionRiseP(x1: number, n1: number, x0: number, n0: number): number {
  const p = (x1 + x0) / (n1 + n0);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0));
  if (se === 0) return 1;
  return normalSf((x1 / n1 - x0 / n0) / se);
}

/** One-sided Welch z-test that the current mean is below the baseline mean. */
export function meanDropP(cur: { n: number; mean: number; variance: number }, base: { n: number; mean: number; variance: number }): number {
  const se = Math.sqrt(cur.variance / cur.n + base.variance / base.n);
  if (se === 0) return cur.mean < base.mean ? 0 : 1;
  return normalSf((base.mean - cur.mean) / se);
}

export interface RotSignal {
  tenant: string;
  topic: string;
  signal: 'stale_kb' | 'retrieval_score' | 'escalation_rate' | 'thumbs_down_rate';
  /** One line with the numbers. */
  text: string;
  metric: string;
  value: number;
  baseline: number | null;
  pValue: number | null;
  since?: number;
}

const pct = (x: number) => `${fmtNum(100 * x, 1)}%`;
const fmtP = (p: number) => (p < 1e-4 ? p.toExponential(1) : fmtNum(p, 4));

export interface RotInputs {
  stale: StaleCitation[];
  outcomes: TopicOutcomes[];
  scores: TopicScores[];
}

/** Pure: which rot signals fire, from the query results. */
export function rotSignals(input: RotInputs, o: RotOptions = DEFAULT_ROT_OPTIONS): RotSignal[] {
  const out: RotSignal[] = [];
  for (const s of input.stale) {
    const share = s.topic_answers > 0 ? s.stale_answers / s.topic_answers : 0;
    if (s.stale_answers < o.minStaleAnswers || share < o.minStaleShare) continue;
    out.push({
      tenant: s.tenant, topic: s.topic, signal: 'stale_kb', metric: `answers citing a stale version of ${s.doc_id}`, value: s.stale_answers, baseline: null, pValue: null, since: s.newest_since,
      text: `${s.stale_answers} of ${s.topic_answers} answers (${pct(share)}) cited ${s.doc_id} version ${s.cited_version}; version ${s.newest_version} exists since ${fmtTime(s.newest_since)}`,
    });
  }
  const pairs = <T extends { tenant: string; topic: string; current: 0 | 1 }>(xs: T[]) => {
    const m = new Map<string, { cur?: T; base?: T }>();
    for (const x of xs) {
      const k = `${x.tenant}\u0000${x.topic}`;
      const e = m.get(k) ?? {};
      if (x.current) e.cur = x;
      else e.base = x;
      m.set(k, e);
    }
    return [...m.values()].filter((e): e is { cur: T; base: T } => !!e.cur && !!e.base);
  };
  const perTenant = <T extends { cur: { tenant: string } }>(xs: T[]) => {
    const n = new Map<string, number>();
    for (const x of xs) n.set(x.cur.tenant, (n.get(x.cur.tenant) ?? 0) + 1);
    return n;
  };

  const scorePairs = pairs(input.scores).filter((e) => e.cur.n >= o.minObservations && e.base.n >= o.minObservations);
  const scoreTests = perTenant(scorePairs);
  for (const { cur, base } of scorePairs) {
    const p = meanDropP(cur, base);
    if (base.mean - cur.mean < o.minScoreDrop || p > o.alpha / scoreTests.get(cur.tenant)!) continue;
    out.push({
      tenant: cur.tenant, topic: cur.topic, signal: 'retrieval_score', metric: 'mean top retrieval score', value: cur.mean, baseline: base.mean, pValue: p,
      text: `top retrieval score ${fmtNum(cur.mean, 3)} over ${cur.n} retrievals vs ${fmtNum(base.mean, 3)} over ${base.n} in the baseline (p=${fmtP(p)})`,
    });
  }

  const outcomePairs = pairs(input.outcomes);
  const rate = (name: 'escalation_rate' | 'thumbs_down_rate', x: (t: TopicOutcomes) => number, n: (t: TopicOutcomes) => number, what: string, of: string) => {
    const eligible = outcomePairs.filter((e) => n(e.cur) >= o.minObservations && n(e.base) >= o.minObservations);
    const tests = perTenant(eligible);
    for (const { cur, base } of eligible) {
      const r1 = x(cur) / n(cur);
      const r0 = x(base) / n(base);
      const p = proportionRiseP(x(cur), n(cur), x(base), n(base));
      if (100 * (r1 - r0) < o.minRateRisePoints || p > o.alpha / tests.get(cur.tenant)!) continue;
      out.push({
        tenant: cur.tenant, topic: cur.topic, signal: name, metric: `${what} rate`, value: r1, baseline: r0, pValue: p,
        text: `${what} rate ${pct(r1)} (${x(cur)} of ${n(cur)} ${of}) vs ${pct(r0)} (${x(base)} of ${n(base)}) in the baseline (p=${fmtP(p)})`,
      });
    }
  };
  rate('escalation_rate', (t) => t.escalated, (t) => t.conversations, 'escalation', 'conversations');
  rate('thumbs_down_rate', (t) => t.thumbs_down, (t) => t.feedback, 'thumbs-down', 'rated conversations');
  return out;
}

/** One alert per tenant and topic with every signal that fired; critical when the KB is stale and outcomes worsened. */
export function rotDrafts(signals: RotSignal[], window: TimeRange, links: (tenant: string) => { label: string; url: string }[] = () => []): AlertDraftInput[] {
  const byTopic = new Map<string, RotSignal[]>();
  for (const s of signals) {
    const k = `${s.tenant}\u0000${s.topic}`;
    byTopic.set(k, [...(byTopic.get(k) ?? []), s]);
  }
  return [...byTopic.values()].map((ss) => {
    const { tenant, topic } = ss[0]!;
    const stale = ss.find((s) => s.signal === 'stale_kb');
    const outcomes = ss.filter((s) => s.signal === 'escalation_rate' || s.signal === 'thumbs_down_rate');
    const lead = stale ?? ss[0]!;
    const what = stale ? 'answers cite an outdated document version' : ss.map((s) => s.metric).join(', ') + ' worsened';
    return {
      kind: 'knowledge_rot' as const,
      severity: stale && outcomes.length > 0 ? ('critical' as const) : ('warning' as const),
      tenant,
      subject: `topic:${topic}`,
      title: `Knowledge rot on "${topic}" (${tenant}): ${stale ? 'stale KB citations' : ss.map((s) => s.signal.replace(/_/g, ' ')).join(', ')}`.slice(0, 150),
      summary: `On topic "${topic}", ${what}.\n${ss.map((s) => `• ${s.text}`).join('\n')}`.slice(0, 2000),
      measure: {
        metric: lead.metric.slice(0, 120),
        value: lead.value,
        baseline: lead.baseline,
        change_pct: lead.baseline ? (100 * (lead.value - lead.baseline)) / lead.baseline : null,
        window_start: window.start,
        window_end: window.end,
      },
      facts: ss.slice(0, 10).map((s) => ({ label: s.signal.replace(/_/g, ' '), value: s.text.slice(0, 300) })),
      links: links(tenant),
    };
  });
}
