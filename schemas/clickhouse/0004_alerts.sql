-- Alert lifecycle log: one row per state change of an alert, identified by its fingerprint.
CREATE TABLE IF NOT EXISTS {{db}}.alerts {{on_cluster}}
(
    created_at      DateTime64(3, 'UTC') COMMENT 'When this lifecycle row was written',
    alert_id        UUID COMMENT 'One id per occurrence of a problem (from first fire to resolve)',
    fingerprint     String COMMENT 'Identifies the same problem across runs (kind + tenant + subject)',
    kind            LowCardinality(String) COMMENT 'drift | knowledge_rot | quality | cost_budget | cost_anomaly | runaway_conversation | pipeline_health',
    severity        LowCardinality(String) COMMENT 'info | warning | critical',
    state           LowCardinality(String) COMMENT 'fired | notified | suppressed | escalated | resolved | delivery_failed',
    tenant          LowCardinality(String) COMMENT 'Tenant concerned, empty for global alerts',
    title           String COMMENT 'One-line title',
    summary         String COMMENT 'One paragraph with the numbers: value, baseline, change, window',
    facts           Map(String, String) COMMENT 'Label/value facts shown in the message',
    examples        Array(String) COMMENT 'A few redacted example inputs',
    links           Map(String, String) COMMENT 'Label/URL links (Grafana, drift report)',
    window_start    Nullable(DateTime64(3, 'UTC')) COMMENT 'Start of the window the alert is about',
    window_end      Nullable(DateTime64(3, 'UTC')) COMMENT 'End of that window',
    channel         String COMMENT 'Delivery channel name for notified/delivery_failed rows',
    details         String COMMENT 'Extra JSON detail (delivery errors, statistics)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(created_at)
ORDER BY (fingerprint, created_at)
COMMENT 'Alert lifecycle: fired, re-notified, escalated, resolved';
