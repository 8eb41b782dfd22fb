-- Columns the lifecycle engine (jobs/alerts/engine.ts, AlertState) needs on `alerts` so that the
-- latest row of a fingerprint is its whole state: `state` holds AlertState.event
-- (fired | renotified | escalated | suppressed | resolved).
ALTER TABLE {{db}}.alerts {{on_cluster}}
    ADD COLUMN IF NOT EXISTS subject String COMMENT 'What the alert is about within kind and tenant (part of the fingerprint)',
    ADD COLUMN IF NOT EXISTS status LowCardinality(String) COMMENT 'firing | resolved',
    ADD COLUMN IF NOT EXISTS first_fired_at DateTime64(3, 'UTC') COMMENT 'Start of the current firing episode',
    ADD COLUMN IF NOT EXISTS last_notified_at DateTime64(3, 'UTC') COMMENT 'Last notification decided (fired, renotified, escalated)',
    ADD COLUMN IF NOT EXISTS notified_severity LowCardinality(String) COMMENT 'Severity of that notification; escalation is above it',
    ADD COLUMN IF NOT EXISTS measure String COMMENT 'Headline numbers as JSON: metric, value, baseline, change_pct, window';
