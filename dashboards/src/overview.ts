/** Overview and ingest health: traffic, dead letters, redactions, latency, failures, guardrails. */
import { DB, EVENTS, SCOPE, TENANT, scopeVariables } from './common.ts';
import { dashboard, row, stat, table, timeseries } from './grafana.ts';

const RESPONSES = `type = 'response' AND $__timeFilter(ts) AND ${SCOPE}`;

export const overview = dashboard({
  uid: 'lookout-overview',
  title: 'Lookout / Overview and ingest health',
  description: 'Traffic, dead letters, redactions, answer latency, failures and guardrails of the support services (events table and dead_letters).',
  variables: scopeVariables(),
  refresh: '1m',
  from: 'now-6h',
  panels: [
    stat({
      title: 'Events',
      description: 'Events stored in the time range (events FINAL: each event_id once).',
      w: 4, h: 4,
      sql: `SELECT count() AS events FROM ${EVENTS} WHERE $__timeFilter(ts) AND ${SCOPE}`,
    }),
    stat({
      title: 'Conversations',
      description: 'Distinct conversations with at least one event in the time range.',
      w: 4, h: 4,
      sql: `SELECT uniqExact(conversation_id) AS conversations FROM ${EVENTS} WHERE $__timeFilter(ts) AND ${SCOPE} AND type != 'kb_document'`,
    }),
    stat({
      title: 'Dead letters',
      description: 'Messages that could not be stored (dead_letters), including those whose tenant could not be read.',
      w: 4, h: 4,
      thresholds: [{ value: 1, color: 'orange' }],
      sql: `SELECT count() AS dead_letters FROM ${DB}.dead_letters WHERE $__timeFilter(received_at) AND (${TENANT} OR tenant = '')`,
    }),
    stat({
      title: 'Failed responses',
      description: "Share of responses whose status is not ok (error, timeout, filtered, cancelled).",
      w: 4, h: 4, unit: 'percentunit', decimals: 2,
      thresholds: [{ value: 0.02, color: 'orange' }, { value: 0.05, color: 'red' }],
      sql: `SELECT countIf(status != 'ok') / count() AS failed FROM ${EVENTS} WHERE ${RESPONSES}`,
    }),
    stat({
      title: 'Answer latency p95',
      description: 'p95 of latency_ms over responses in the time range.',
      w: 4, h: 4, unit: 'ms',
      sql: `SELECT quantile(0.95)(latency_ms) AS p95 FROM ${EVENTS} WHERE ${RESPONSES}`,
    }),
    stat({
      title: 'Redacted entities',
      description: 'PII and secrets replaced before storage, all entity types.',
      w: 4, h: 4,
      sql: `SELECT sum(n) AS redacted FROM ${EVENTS} ARRAY JOIN mapValues(redactions) AS n WHERE $__timeFilter(ts) AND ${SCOPE}`,
    }),

    row('Traffic'),
    timeseries({
      title: 'Events per minute by type',
      description: 'Rate of stored events by type (count in each interval divided by its minutes).',
      w: 12, h: 8, stack: true,
      sql: `
SELECT $__timeInterval(ts) AS time, type, count() / ($__interval_s / 60) AS per_minute
FROM ${EVENTS}
WHERE $__timeFilter(ts) AND ${SCOPE}
GROUP BY time, type
ORDER BY time`,
    }),
    timeseries({
      title: 'Events per minute by tenant / service',
      description: 'Rate of stored events for each tenant and service.',
      w: 12, h: 8, stack: true,
      sql: `
SELECT $__timeInterval(ts) AS time, concat(tenant, ' / ', service) AS tenant_service, count() / ($__interval_s / 60) AS per_minute
FROM ${EVENTS}
WHERE $__timeFilter(ts) AND ${SCOPE}
GROUP BY time, tenant_service
ORDER BY time`,
    }),
    timeseries({
      title: 'Pipeline delay p95',
      description: 'p95 of producer clock to processor (received_at - ts) and processor to ClickHouse (inserted_at - received_at). A rise means lag or a clock problem.',
      w: 12, h: 7, unit: 'ms',
      sql: `
SELECT $__timeInterval(ts) AS time,
       quantile(0.95)(dateDiff('millisecond', ts, received_at)) AS producer_to_processor,
       quantile(0.95)(dateDiff('millisecond', received_at, inserted_at)) AS processor_to_clickhouse
FROM ${EVENTS}
WHERE $__timeFilter(ts) AND ${SCOPE}
GROUP BY time
ORDER BY time`,
    }),
    timeseries({
      title: 'Redactions by entity',
      description: 'Entities redacted from stored events, by type (the per-event redactions column).',
      w: 12, h: 7, bars: true, stack: true,
      sql: `
SELECT $__timeInterval(ts) AS time, entity, sum(n) AS redacted
FROM ${EVENTS}
ARRAY JOIN mapKeys(redactions) AS entity, mapValues(redactions) AS n
WHERE $__timeFilter(ts) AND ${SCOPE}
GROUP BY time, entity
ORDER BY time`,
    }),

    row('Rejected messages'),
    timeseries({
      title: 'Dead letters by reason',
      description: 'Rejected messages per interval, by reason code.',
      w: 12, h: 8, bars: true, stack: true,
      sql: `
SELECT $__timeInterval(received_at) AS time, reason, count() AS dead_letters
FROM ${DB}.dead_letters
WHERE $__timeFilter(received_at) AND (${TENANT} OR tenant = '')
GROUP BY time, reason
ORDER BY time`,
    }),
    table({
      title: 'Latest dead letters',
      description: 'What was wrong, without the offending value; the redacted payload is in dead_letters.payload_redacted.',
      w: 12, h: 8,
      sql: `
SELECT received_at, reason, field_path, message, tenant, type, event_id, source_partition, source_offset, payload_bytes
FROM ${DB}.dead_letters
WHERE $__timeFilter(received_at) AND (${TENANT} OR tenant = '')
ORDER BY received_at DESC
LIMIT 100`,
    }),

    row('Answers'),
    timeseries({
      title: 'Answer latency p50 / p95 / p99',
      description: 'Request to full answer (latency_ms) of responses.',
      w: 12, h: 8, unit: 'ms',
      sql: `
SELECT $__timeInterval(ts) AS time, quantile(0.5)(latency_ms) AS p50, quantile(0.95)(latency_ms) AS p95, quantile(0.99)(latency_ms) AS p99
FROM ${EVENTS}
WHERE ${RESPONSES}
GROUP BY time
ORDER BY time`,
    }),
    timeseries({
      title: 'Time to first token p50 / p95 / p99',
      description: 'ttft_ms of streamed responses.',
      w: 12, h: 8, unit: 'ms',
      sql: `
SELECT $__timeInterval(ts) AS time, quantile(0.5)(ttft_ms) AS p50, quantile(0.95)(ttft_ms) AS p95, quantile(0.99)(ttft_ms) AS p99
FROM ${EVENTS}
WHERE ${RESPONSES} AND ttft_ms IS NOT NULL
GROUP BY time
ORDER BY time`,
    }),
    timeseries({
      title: 'Error, timeout and fallback rates',
      description: 'Share of responses with status error, timeout or filtered, and answered by a fallback model or path.',
      w: 12, h: 8, unit: 'percentunit',
      sql: `
SELECT $__timeInterval(ts) AS time,
       countIf(status = 'error') / count() AS error,
       countIf(status = 'timeout') / count() AS timeout,
       countIf(status = 'filtered') / count() AS filtered,
       countIf(fallback_used) / count() AS fallback
FROM ${EVENTS}
WHERE ${RESPONSES}
GROUP BY time
ORDER BY time`,
    }),
    timeseries({
      title: 'Guardrail triggers',
      description: 'Turns on which each guardrail fired.',
      w: 12, h: 8, bars: true, stack: true,
      sql: `
SELECT $__timeInterval(ts) AS time, guardrail, count() AS triggers
FROM ${EVENTS}
ARRAY JOIN guardrail_triggers AS guardrail
WHERE $__timeFilter(ts) AND ${SCOPE}
GROUP BY time, guardrail
ORDER BY time`,
    }),
    table({
      title: 'Responses by model',
      description: 'Volume, latency and failures of each model in the time range.',
      w: 12, h: 8,
      sql: `
SELECT model, provider, count() AS responses,
       round(quantile(0.5)(latency_ms)) AS p50_ms, round(quantile(0.95)(latency_ms)) AS p95_ms, round(quantile(0.99)(latency_ms)) AS p99_ms,
       round(quantile(0.95)(ttft_ms)) AS ttft_p95_ms,
       round(countIf(status != 'ok') / count(), 4) AS failed_share, round(countIf(fallback_used) / count(), 4) AS fallback_share
FROM ${EVENTS}
WHERE ${RESPONSES}
GROUP BY model, provider
ORDER BY responses DESC`,
    }),
    table({
      title: 'Failures by model and error code',
      description: 'Responses that did not end ok, grouped by what the provider or service reported.',
      w: 12, h: 8,
      sql: `
SELECT model, status, error_code, count() AS responses, max(ts) AS last_seen
FROM ${EVENTS}
WHERE ${RESPONSES} AND status != 'ok'
GROUP BY model, status, error_code
ORDER BY responses DESC
LIMIT 50`,
    }),
  ],
});
