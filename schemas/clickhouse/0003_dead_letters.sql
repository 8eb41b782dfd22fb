-- Events that could not be stored, with the reason. Text is redacted, or absent when redaction
-- itself failed: nothing here is ever in the clear.
CREATE TABLE IF NOT EXISTS {{db}}.dead_letters {{on_cluster}}
(
    received_at     DateTime64(3, 'UTC') COMMENT 'When Lookout consumed the message',
    source_topic    LowCardinality(String) COMMENT 'Kafka topic the message came from',
    source_partition UInt32 COMMENT 'Kafka partition',
    source_offset   UInt64 COMMENT 'Kafka offset',
    reason          LowCardinality(String) COMMENT 'Reason code: invalid_json, invalid_utf8, too_large, invalid_field, redaction_failed, ...',
    field_path      String COMMENT 'Dotted path of the offending field, empty for the whole event',
    message         String COMMENT 'What was wrong, without the offending value',
    event_id        String COMMENT 'event_id if one could be read, else empty',
    tenant          LowCardinality(String) COMMENT 'Tenant if one could be read, else empty',
    type            LowCardinality(String) COMMENT 'Event type if one could be read, else empty',
    payload_bytes   UInt32 COMMENT 'Size of the original message',
    payload_redacted String COMMENT 'The message after redaction, or empty when it could not be redacted safely'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (received_at, source_partition, source_offset)
TTL toDateTime(received_at) + INTERVAL {{events_ttl_days}} DAY
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Rejected events with reason codes (also on the Kafka DLQ topic)';
