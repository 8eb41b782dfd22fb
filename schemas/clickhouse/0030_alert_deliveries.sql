-- Outbox of alert messages (jobs/alerts/store.ts DeliveryRecord): one row per state change of one
-- message to one channel; a delivery's state is its row with the greatest `at`. Pending rows are
-- retried by every alert run. Webhook URLs are never stored: `channel` is the configured name and
-- `last_error` a short code (http_429, timeout, rate_limited...).
CREATE TABLE IF NOT EXISTS {{db}}.alert_deliveries {{on_cluster}}
(
    delivery_id     String COMMENT 'notification_id/channel',
    notification_id String COMMENT 'fingerprint@decision time',
    fingerprint     String COMMENT 'The alert (kind + tenant + subject)',
    channel         LowCardinality(String) COMMENT 'Configured channel name',
    notice          LowCardinality(String) COMMENT 'firing | escalated | reminder | resolved',
    status          LowCardinality(String) COMMENT 'sent | pending | failed | superseded',
    attempts        UInt32 COMMENT 'Runs that tried and failed so far',
    last_error      Nullable(String) COMMENT 'Short redacted error code',
    at              DateTime64(3, 'UTC') COMMENT 'When this row was written',
    notified_at     DateTime64(3, 'UTC') COMMENT 'When the notification was decided',
    first_fired_at  DateTime64(3, 'UTC') COMMENT 'Start of the firing episode',
    alert           String COMMENT 'Alert snapshot as JSON, to (re)send' CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (channel, delivery_id, at)
TTL toDateTime(at) + INTERVAL 180 DAY
COMMENT 'Alert delivery outbox: pending, sent, failed, superseded';
