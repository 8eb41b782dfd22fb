-- Topics of each drift run: every baseline topic with its share in both windows, and every
-- emerging topic, with labels and redacted examples for alerts and dashboards. Replaced with the
-- run (same run_id) when a tenant and window are run again.
CREATE TABLE IF NOT EXISTS {{db}}.drift_clusters {{on_cluster}}
(
    run_id          UUID                            COMMENT 'drift_runs.run_id',
    tenant          LowCardinality(String)          COMMENT 'Tenant of the run',
    current_from    DateTime64(3, 'UTC')            COMMENT 'Current window start, copied for partitioning and time filters',
    finished_at     DateTime64(3, 'UTC')            COMMENT 'When the run finished (version of the row)',
    kind            Enum8('baseline' = 1, 'emerging' = 2) COMMENT 'baseline: a topic of the baseline model; emerging: a new group of current inputs',
    cluster_id      UInt16                          COMMENT 'Topic id within the run (baseline) or rank, strongest first (emerging)',
    label           String                          COMMENT 'Label from distinctive terms (class-based TF-IDF)',
    terms           Array(String)                   COMMENT 'Top distinctive terms, best first',
    source          LowCardinality(String)          COMMENT 'Emerging topics: neighbours (hot inputs of the neighbour graph) or cells (grown cell region); empty for baseline',
    baseline_share  Float64                         COMMENT 'Share of held-out baseline inputs in the topic (0 for emerging)',
    current_share   Float64                         COMMENT 'Share of current inputs in the topic',
    current_count   UInt32                          COMMENT 'Current inputs in the topic (emerging: the inputs picked as new)',
    expected_count  Nullable(Float64)               COMMENT 'Emerging topics from cells: current inputs the region''s reference share predicts',
    statistic       Nullable(Float64)               COMMENT 'Emerging topics from cells: signed-root likelihood ratio of the region count',
    direction       Enum8('none' = 0, 'grew' = 1, 'shrank' = 2, 'new' = 3) COMMENT 'Significant change (BH-corrected), or new for emerging topics',
    p_value         Nullable(Float64)               COMMENT 'Fisher exact test of the topic share, baseline vs current (changed topics)',
    q_value         Nullable(Float64)               COMMENT 'Benjamini-Hochberg adjusted p-value (changed topics)',
    near_topics     Array(UInt16)                   COMMENT 'Emerging topics: baseline topic ids its members fall in, most first',
    examples        Array(String)                   COMMENT 'A few redacted example inputs closest to the topic centre'
)
ENGINE = ReplacingMergeTree(finished_at)
PARTITION BY toYYYYMM(current_from)
ORDER BY (tenant, current_from, run_id, kind, cluster_id)
COMMENT 'Topics and emerging topics per drift run';
