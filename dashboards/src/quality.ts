/** Quality: judge scores (judge_scores, judge_daily), thumbs and CSAT, escalations, negative feedback. */
import { DB, EVENTS, HOURLY, SCOPE, TENANT, scopeVariables } from './common.ts';
import { dashboard, queryVariable, row, stat, table, timeseries } from './grafana.ts';

/** Judge tables have a tenant but no service or environment; scores of one judge never mix with another's. */
const SCORES = `${DB}.judge_scores FINAL`;
const JUDGED = `$__dateFilter(day) AND ${TENANT} AND judge = \${judge:singlequote}`;
const CRITERIA = ['faithfulness', 'relevance', 'resolution', 'tone', 'safety'];

/** Design-weighted mean per criterion (sum(w * score) / sum(w)): an estimate for all conversations, not just the sample. */
const weightedByCriterion = (p = ''): string =>
  CRITERIA.map((c) => `round(sumIf(${p}weight * ${p}score, ${p}criterion = '${c}') / sumIf(${p}weight, ${p}criterion = '${c}'), 2) AS ${c}`).join(',\n       ');

const FEEDBACK = `type = 'feedback' AND $__timeFilter(ts) AND ${SCOPE}`;

export const quality = dashboard({
  uid: 'lookout-quality',
  title: 'Lookout / Quality',
  description:
    'Judge scores of sampled conversations (weighted to speak for all of them), user feedback and escalations. Judge panels follow the tenant variable only: judge tables have no service or environment.',
  variables: [
    ...scopeVariables(),
    queryVariable('judge', 'Judge', `SELECT DISTINCT judge FROM ${DB}.judge_daily WHERE $__dateFilter(day) ORDER BY judge`, { multi: false }),
  ],
  refresh: '15m',
  from: 'now-30d',
  panels: [
    stat({
      title: 'Judged conversations',
      description: 'Conversations the selected judge scored in the time range.',
      w: 4, h: 4,
      sql: `SELECT uniqExact(conversation_id) AS judged FROM ${SCORES} WHERE ${JUDGED}`,
    }),
    stat({
      title: 'Judge failures',
      description: 'Share of judged criteria with no score because the judge failed (malformed answer, timeouts).',
      w: 4, h: 4, unit: 'percentunit', decimals: 1,
      thresholds: [{ value: 0.05, color: 'orange' }],
      sql: `SELECT countIf(status = 'failed') / count() AS failed FROM ${SCORES} WHERE ${JUDGED}`,
    }),
    stat({
      title: 'Thumbs-down rate',
      description: 'Thumbs down / all thumbs in feedback events.',
      w: 4, h: 4, unit: 'percentunit', decimals: 1,
      sql: `SELECT countIf(feedback_thumbs = -1) / countIf(feedback_thumbs IS NOT NULL) AS down_rate FROM ${EVENTS} WHERE ${FEEDBACK}`,
    }),
    stat({
      title: 'Mean CSAT',
      description: 'Mean of CSAT ratings (1-5) in feedback events.',
      w: 4, h: 4, decimals: 2,
      sql: `SELECT avg(feedback_csat) AS csat FROM ${EVENTS} WHERE ${FEEDBACK} AND feedback_csat IS NOT NULL`,
    }),
    stat({
      title: 'Escalation rate',
      description: 'Conversations escalated / conversations with a request, in the time range.',
      w: 4, h: 4, unit: 'percentunit', decimals: 1,
      sql: `
SELECT uniqExactIf(conversation_id, type = 'escalation') / uniqExactIf(conversation_id, type = 'request') AS escalation_rate
FROM ${EVENTS}
WHERE type IN ('request', 'escalation') AND $__timeFilter(ts) AND ${SCOPE}`,
    }),
    stat({
      title: 'Conversations',
      description: 'Conversations with a response in the time range (rollup).',
      w: 4, h: 4,
      sql: `SELECT uniqMerge(conversations) AS conversation_count FROM ${HOURLY} WHERE type = 'response' AND $__timeFilter(hour) AND ${SCOPE}`,
    }),

    row('Judge scores'),
    timeseries({
      title: 'Weighted daily score by criterion',
      description: 'sum(weight * score) / sum(weight) per day and criterion over the selected tenants (1 worst, 5 best).',
      w: 12, h: 8, decimals: 2,
      sql: `
SELECT toDateTime(day, 'UTC') AS time, criterion, sum(weight * score) / sum(weight) AS mean
FROM ${SCORES}
WHERE ${JUDGED} AND status = 'ok'
GROUP BY time, criterion
ORDER BY time`,
    }),
    table({
      title: 'Daily quality by tenant with 95 % interval',
      description: 'Precomputed by the judge job (judge_daily, all topics): stratified weighted mean and its interval.',
      w: 12, h: 8,
      sql: `
SELECT day, tenant, criterion, round(mean, 2) AS mean, round(ci_low, 2) AS ci_low, round(ci_high, 2) AS ci_high, scored, failed, population
FROM ${DB}.judge_daily FINAL
WHERE ${JUDGED} AND topic = '*'
ORDER BY day DESC, tenant, criterion
LIMIT 200`,
    }),
    table({
      title: 'Score by topic',
      description: 'Weighted mean per criterion for each topic stratum (first retrieved document of the conversation).',
      w: 12, h: 8,
      sql: `
SELECT topic, uniqExact(conversation_id) AS conversations,
       ${weightedByCriterion()}
FROM ${SCORES}
WHERE ${JUDGED} AND status = 'ok'
GROUP BY topic
ORDER BY conversations DESC
LIMIT 50`,
    }),
    table({
      title: 'Score by answering model',
      description: 'Weighted mean per criterion by the model of the conversation\u2019s last response (joined from events).',
      w: 12, h: 8,
      sql: `
SELECT m.model AS model, uniqExact(s.conversation_id) AS conversations,
       ${weightedByCriterion('s.')}
FROM ${DB}.judge_scores AS s FINAL
INNER JOIN (
    SELECT tenant, conversation_id, argMax(model, ts) AS model
    FROM ${EVENTS}
    WHERE type = 'response' AND ts >= toDateTime(toDate($__fromTime)) AND ts <= $__toTime + INTERVAL 1 DAY AND ${TENANT}
    GROUP BY tenant, conversation_id
) AS m ON m.tenant = s.tenant AND m.conversation_id = s.conversation_id
WHERE $__dateFilter(s.day) AND s.tenant IN (\${tenant:singlequote}) AND s.judge = \${judge:singlequote} AND s.status = 'ok'
GROUP BY model
ORDER BY conversations DESC`,
    }),
    table({
      title: 'Lowest-scored conversations',
      description: 'The judge\u2019s worst scores with its rationale and the (redacted) first question.',
      w: 24, h: 9,
      sql: `
SELECT day, tenant, topic, conversation_id, criterion, score, rationale, question, arrayStringConcat(risk_signals, ', ') AS risk_signals
FROM ${SCORES}
WHERE ${JUDGED} AND status = 'ok'
ORDER BY score, weight DESC
LIMIT 50`,
    }),

    row('Feedback and escalations'),
    timeseries({
      title: 'Thumbs up and down',
      description: 'Feedback events with a thumb, per interval.',
      w: 8, h: 8, bars: true,
      sql: `
SELECT $__timeInterval(ts) AS time, countIf(feedback_thumbs = 1) AS up, countIf(feedback_thumbs = -1) AS down
FROM ${EVENTS}
WHERE ${FEEDBACK}
GROUP BY time
ORDER BY time`,
    }),
    timeseries({
      title: 'Mean CSAT by service',
      description: 'Mean CSAT rating (1-5) per interval, by service.',
      w: 8, h: 8, decimals: 2,
      sql: `
SELECT $__timeInterval(ts) AS time, service, avg(feedback_csat) AS csat
FROM ${EVENTS}
WHERE ${FEEDBACK} AND feedback_csat IS NOT NULL
GROUP BY time, service
ORDER BY time`,
    }),
    timeseries({
      title: 'Escalation rate by service',
      description: 'Conversations escalated / conversations with a request, per interval and service.',
      w: 8, h: 8, unit: 'percentunit',
      sql: `
SELECT $__timeInterval(ts) AS time, service,
       uniqExactIf(conversation_id, type = 'escalation') / uniqExactIf(conversation_id, type = 'request') AS escalation_rate
FROM ${EVENTS}
WHERE type IN ('request', 'escalation') AND $__timeFilter(ts) AND ${SCOPE}
GROUP BY time, service
ORDER BY time`,
    }),
    table({
      title: 'Escalation reasons',
      description: 'Why conversations were escalated and where to.',
      w: 8, h: 9,
      sql: `
SELECT escalation_reason AS reason, escalation_target AS target, count() AS escalations, uniqExact(conversation_id) AS conversations
FROM ${EVENTS}
WHERE type = 'escalation' AND $__timeFilter(ts) AND ${SCOPE}
GROUP BY reason, target
ORDER BY escalations DESC`,
    }),
    table({
      title: 'Negative feedback',
      description: 'Thumbs down or CSAT of 2 or less, with the answer it was about (all text redacted at ingest).',
      w: 16, h: 9,
      sql: `
SELECT f.ts AS ts, f.tenant AS tenant, f.service AS service, f.conversation_id AS conversation_id, f.feedback_thumbs AS thumbs,
       f.feedback_csat AS csat, f.feedback_comment AS comment, r.model AS model, r.input_text AS question, r.output_text AS answer
FROM ${DB}.events AS f FINAL
LEFT JOIN (
    SELECT event_id, model, input_text, output_text
    FROM ${EVENTS}
    WHERE type = 'response' AND ts >= $__fromTime - INTERVAL 1 DAY AND ts <= $__toTime AND ${SCOPE}
) AS r ON r.event_id = f.target_event_id
WHERE f.type = 'feedback' AND f.ts >= $__fromTime AND f.ts <= $__toTime
  AND f.tenant IN (\${tenant:singlequote}) AND f.service IN (\${service:singlequote}) AND f.environment IN (\${environment:singlequote})
  AND (f.feedback_thumbs = -1 OR f.feedback_csat <= 2)
ORDER BY ts DESC
LIMIT 50`,
    }),
  ],
});
