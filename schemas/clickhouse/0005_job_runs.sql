-- Scheduled job runs, keyed by job and window so re-running a window never duplicates its output.
CREATE TABLE IF NOT EXISTS {{db}}.job_runs {{on_cluster}}
(
    job             LowCardinality(String) COMMENT 'judge | drift | cost | alerts | ...',
    window_start    DateTime64(3, 'UTC') COMMENT 'Start of the data window the run covers',
    window_end      DateTime64(3, 'UTC') COMMENT 'End of the data window (exclusive)',
    run_id          UUID COMMENT 'One id per attempt',
    status          LowCardinality(String) COMMENT 'running | succeeded | failed | skipped',
    started_at      DateTime64(3, 'UTC') COMMENT 'Attempt start',
    finished_at     Nullable(DateTime64(3, 'UTC')) COMMENT 'Attempt end, NULL while running',
    updated_at      DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'Row version: the newest row per run wins',
    host            String COMMENT 'Host and pid that ran it',
    error           String COMMENT 'Error message when failed',
    stats           String COMMENT 'JSON statistics of the run (rows read, alerts raised, ...)'
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (job, window_start, window_end, run_id)
COMMENT 'Job run history; read with FINAL';
