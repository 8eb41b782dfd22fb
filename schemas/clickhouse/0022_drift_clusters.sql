-- Topics of each drift run: every baseline cluster with its share change, and every emerging
-- topic (a coherent group of outliers), with labels and redacted examples for alerts and dashboards.
CREATE TABLE IF NOT EXISTS {{db}}.drift_clusters {{on_cluster}}
(
    run_id          UUID                            COMMENT 'drift_runs.run_id',
    tenant          LowCardinality(String)          COMMENT 'Tenant of the run',
    started_at      DateTime64(3, 'UTC')            COMMENT 'Run start, copied for partitioning and time filters',
    kind            Enum8('baseline' = 1, 'emerging' = 2) COMMENT 'baseline: a cluster of the baseline; emerging: an outlier group of the current window',
    cluster_id      UInt16                          COMMENT 'Cluster index within the run (baseline) or rank by size (emerging)',
    label           String                          COMMENT 'Label from distinctive terms (class-based TF-IDF)',
    terms           Array(String)                   COMMENT 'Top distinctive terms, best first',
    baseline_share  Float64                         COMMENT 'Share of held-out baseline inputs in the cluster (0 for emerging)',
    current_share   Float64                         COMMENT 'Share of current inputs in the cluster or topic',
    current_count   UInt32                          COMMENT 'Current inputs in the cluster or topic',
    direction       Enum8('none' = 0, 'grew' = 1, 'shrank' = 2, 'new' = 3) COMMENT 'Significant change (BH-corrected) or new for emerging topics',
    p_value         Nullable(Float64)               COMMENT 'Fisher exact test of the cluster share, baseline vs current',
    q_value         Nullable(Float64)               COMMENT 'Benjamini-Hochberg adjusted p-value',
    nearest_cluster Nullable(UInt16)                COMMENT 'Emerging topics: closest baseline cluster',
    examples        Array(String)                   COMMENT 'A few redacted example inputs closest to the centre',
    centroid        Array(Float32)                  COMMENT 'Cluster centre in embedding space'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(started_at)
ORDER BY (tenant, started_at, run_id, kind, cluster_id)
COMMENT 'Clusters and emerging topics per drift run';
