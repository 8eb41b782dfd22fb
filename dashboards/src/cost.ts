/** Cost: spend by tenant, model and service, per conversation, the most expensive, unpriced, caching. */
import { EVENTS, HOURLY, SCOPE, latestAlerts, scopeVariables } from './common.ts';
import { dashboard, row, stat, table, timeseries } from './grafana.ts';

/** Only responses are priced (processors/pipeline.ts), so every rollup panel reads their rows. */
const PRICED = `type = 'response' AND $__timeFilter(hour) AND ${SCOPE}`;

/** Stacked hourly spend split by one dimension of the rollup. */
function spendBy(dimension: 'tenant' | 'model' | 'service', title: string, description: string) {
  return timeseries({
    title,
    description,
    w: 8, h: 8, unit: 'currencyUSD', bars: true, stack: true,
    sql: `
SELECT $__timeInterval(hour) AS time, ${dimension}, toFloat64(sum(cost_usd)) AS spend
FROM ${HOURLY}
WHERE ${PRICED}
GROUP BY time, ${dimension}
ORDER BY time`,
  });
}

export const cost = dashboard({
  uid: 'lookout-cost',
  title: 'Lookout / Cost',
  description: 'Model spend computed at ingest from the versioned price table (events_hourly rollup; raw events for conversations and response-cache hits).',
  variables: scopeVariables(),
  refresh: '5m',
  from: 'now-7d',
  panels: [
    stat({
      title: 'Spend',
      description: 'Sum of cost_usd of priced responses. Unpriced responses are not in it (see Unpriced responses).',
      w: 4, h: 4, unit: 'currencyUSD', decimals: 2,
      sql: `SELECT toFloat64(sum(cost_usd)) AS spend FROM ${HOURLY} WHERE ${PRICED}`,
    }),
    stat({
      title: 'Cost per conversation',
      description: 'Spend divided by the conversations that had a response in the time range.',
      w: 4, h: 4, unit: 'currencyUSD', decimals: 4,
      sql: `SELECT toFloat64(sum(cost_usd)) / nullIf(uniqMerge(conversations), 0) AS per_conversation FROM ${HOURLY} WHERE ${PRICED}`,
    }),
    stat({
      title: 'Responses',
      description: 'Responses in the time range.',
      w: 4, h: 4,
      sql: `SELECT sum(events) AS responses FROM ${HOURLY} WHERE ${PRICED}`,
    }),
    stat({
      title: 'Unpriced responses',
      description: 'Responses with tokens but no price entry for their model: cost unknown, not zero. Add the model to the price table or LOOKOUT_PRICE_OVERRIDES.',
      w: 4, h: 4,
      thresholds: [{ value: 1, color: 'orange' }],
      sql: `SELECT sum(unpriced_events) AS unpriced FROM ${HOURLY} WHERE ${PRICED}`,
    }),
    stat({
      title: 'Prompt-cache share of input tokens',
      description: 'cached_input_tokens / input_tokens: input tokens served from the provider prompt cache (billed at the cached price).',
      w: 4, h: 4, unit: 'percentunit', decimals: 1,
      sql: `SELECT sum(cached_input_tokens) / nullIf(sum(input_tokens), 0) AS cached_share FROM ${HOURLY} WHERE ${PRICED}`,
    }),
    stat({
      title: 'Response-cache hits',
      description: 'Share of responses answered from a response cache (cache_hit).',
      w: 4, h: 4, unit: 'percentunit', decimals: 1,
      sql: `SELECT countIf(cache_hit) / count() AS cache_hits FROM ${EVENTS} WHERE type = 'response' AND $__timeFilter(ts) AND ${SCOPE}`,
    }),

    row('Spend over time'),
    spendBy('tenant', 'Spend by tenant', 'cost_usd per interval (at least an hour: the rollup is hourly).'),
    spendBy('model', 'Spend by model', 'cost_usd per interval and model.'),
    spendBy('service', 'Spend by service', 'cost_usd per interval and service (feature).'),
    timeseries({
      title: 'Cost per conversation by tenant',
      description: 'Spend per conversation with a response in each interval, by tenant.',
      w: 12, h: 8, unit: 'currencyUSD',
      sql: `
SELECT $__timeInterval(hour) AS time, tenant, toFloat64(sum(cost_usd)) / nullIf(uniqMerge(conversations), 0) AS per_conversation
FROM ${HOURLY}
WHERE ${PRICED}
GROUP BY time, tenant
ORDER BY time`,
    }),
    timeseries({
      title: 'Cache share',
      description: 'Share of input tokens from the provider prompt cache, by tenant.',
      w: 12, h: 8, unit: 'percentunit', max: 1,
      sql: `
SELECT $__timeInterval(hour) AS time, tenant, sum(cached_input_tokens) / nullIf(sum(input_tokens), 0) AS prompt_cache_share
FROM ${HOURLY}
WHERE ${PRICED}
GROUP BY time, tenant
ORDER BY time`,
    }),

    row('Where the money goes'),
    table({
      title: 'Spend by tenant, service and model',
      description: 'Totals of the time range, most expensive first.',
      w: 24, h: 8,
      sql: `
SELECT tenant, service, model, provider, sum(events) AS responses, uniqMerge(conversations) AS conversation_count,
       sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens, sum(output_tokens) AS output_tokens,
       round(toFloat64(sum(cost_usd)), 4) AS spend_usd, round(toFloat64(sum(cost_usd)) / nullIf(conversation_count, 0), 6) AS usd_per_conversation,
       sum(unpriced_events) AS unpriced
FROM ${HOURLY}
WHERE ${PRICED}
GROUP BY tenant, service, model, provider
ORDER BY spend_usd DESC`,
    }),
    table({
      title: 'Most expensive conversations',
      description: 'Conversations with the highest spend in the time range (runaway loops show here first).',
      w: 16, h: 9,
      sql: `
SELECT conversation_id, tenant, service, arrayStringConcat(groupUniqArray(model), ', ') AS models, count() AS responses,
       sum(input_tokens + output_tokens) AS tokens, round(toFloat64(sum(cost_usd)), 4) AS spend_usd, min(ts) AS first_response, max(ts) AS last_response
FROM ${EVENTS}
WHERE type = 'response' AND $__timeFilter(ts) AND ${SCOPE}
GROUP BY conversation_id, tenant, service
ORDER BY spend_usd DESC
LIMIT 20`,
    }),
    table({
      title: 'Unpriced models',
      description: 'Models that answered without a price entry: their cost is missing from every panel here.',
      w: 8, h: 9,
      sql: `
SELECT model, provider, sum(unpriced_events) AS unpriced_responses, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
FROM ${HOURLY}
WHERE ${PRICED}
GROUP BY model, provider
HAVING unpriced_responses > 0
ORDER BY unpriced_responses DESC`,
    }),
    table({
      title: 'Cost alerts',
      description: 'Latest state of each budget, anomaly and runaway alert raised in the time range (alerts table).',
      w: 24, h: 8,
      sql: latestAlerts(['cost_budget', 'cost_anomaly', 'runaway_conversation']),
    }),
  ],
});
