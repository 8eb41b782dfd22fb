-- Hourly cost, token and latency rollups, maintained at insert by a materialized view, so the
-- dashboards and the cost job never scan raw events. Read with the -Merge combinators, e.g.
--   SELECT hour, sum(cost_usd), quantilesMerge(0.5, 0.9, 0.99)(latency_ms_q) FROM events_hourly GROUP BY hour
CREATE TABLE IF NOT EXISTS {{db}}.events_hourly {{on_cluster}}
(
    hour                DateTime('UTC') COMMENT 'Start of the hour (event ts)',
    tenant              LowCardinality(String) COMMENT 'Tenant',
    service             LowCardinality(String) COMMENT 'Service (feature)',
    environment         LowCardinality(String) COMMENT 'Environment',
    model               LowCardinality(String) COMMENT 'Model',
    provider            LowCardinality(String) COMMENT 'Provider',
    type                LowCardinality(String) COMMENT 'Event type',
    events              SimpleAggregateFunction(sum, UInt64) COMMENT 'Number of events',
    errors              SimpleAggregateFunction(sum, UInt64) COMMENT 'Responses with status other than ok',
    input_tokens        SimpleAggregateFunction(sum, UInt64) COMMENT 'Sum of input tokens',
    output_tokens       SimpleAggregateFunction(sum, UInt64) COMMENT 'Sum of output tokens',
    cached_input_tokens SimpleAggregateFunction(sum, UInt64) COMMENT 'Sum of cached input tokens',
    cache_write_tokens  SimpleAggregateFunction(sum, UInt64) COMMENT 'Sum of cache-write tokens',
    cost_usd            SimpleAggregateFunction(sum, Decimal(38, 10)) COMMENT 'Sum of cost_usd (priced events only)',
    unpriced_events     SimpleAggregateFunction(sum, UInt64) COMMENT 'Events with tokens but no price entry (cost unknown)',
    conversations       AggregateFunction(uniq, String) COMMENT 'Distinct conversations: uniqMerge(conversations)',
    latency_ms_q        AggregateFunction(quantiles(0.5, 0.9, 0.99), UInt32) COMMENT 'Latency quantiles state: quantilesMerge(0.5, 0.9, 0.99)(latency_ms_q)',
    ttft_ms_q           AggregateFunction(quantiles(0.5, 0.9, 0.99), UInt32) COMMENT 'Time-to-first-token quantiles state'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant, hour, service, environment, model, provider, type)
TTL hour + INTERVAL 400 DAY
-- The view's inserts carry the source insert's deduplication token; this window lets a replayed
-- batch be dropped here too, so rollups never double-count.
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Hourly rollup of events for cost, token and latency questions';

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.events_hourly_mv {{on_cluster}} TO {{db}}.events_hourly AS
SELECT
    toStartOfHour(e.ts) AS hour, e.tenant AS tenant, e.service AS service, e.environment AS environment,
    e.model AS model, e.provider AS provider, e.type AS type,
    count() AS events,
    countIf(e.type = 'response' AND e.status != 'ok') AS errors,
    sum(toUInt64(e.input_tokens)) AS input_tokens,
    sum(toUInt64(e.output_tokens)) AS output_tokens,
    sum(toUInt64(e.cached_input_tokens)) AS cached_input_tokens,
    sum(toUInt64(e.cache_write_tokens)) AS cache_write_tokens,
    sum(toDecimal128(ifNull(e.cost_usd, toDecimal64(0, 10)), 10)) AS cost_usd,
    countIf(e.cost_usd IS NULL AND (e.input_tokens + e.output_tokens) > 0) AS unpriced_events,
    uniqState(e.conversation_id) AS conversations,
    quantilesStateIf(0.5, 0.9, 0.99)(ifNull(e.latency_ms, 0), e.latency_ms IS NOT NULL) AS latency_ms_q,
    quantilesStateIf(0.5, 0.9, 0.99)(ifNull(e.ttft_ms, 0), e.ttft_ms IS NOT NULL) AS ttft_ms_q
FROM {{db}}.events AS e
GROUP BY hour, tenant, service, environment, model, provider, type;
