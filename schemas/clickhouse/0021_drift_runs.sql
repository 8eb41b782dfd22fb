-- One row per drift run (per tenant): the windows compared, the model chosen and the verdict.
CREATE TABLE IF NOT EXISTS {{db}}.drift_runs {{on_cluster}}
(
    run_id              UUID                    COMMENT 'Run id, shared with drift_clusters rows',
    tenant              LowCardinality(String)  COMMENT 'Tenant whose inputs were compared',
    started_at          DateTime64(3, 'UTC')    COMMENT 'When the run started',
    finished_at         DateTime64(3, 'UTC')    COMMENT 'When the run finished',
    baseline_from       DateTime64(3, 'UTC')    COMMENT 'Baseline window start (inclusive)',
    baseline_to         DateTime64(3, 'UTC')    COMMENT 'Baseline window end (exclusive)',
    current_from        DateTime64(3, 'UTC')    COMMENT 'Current window start (inclusive)',
    current_to          DateTime64(3, 'UTC')    COMMENT 'Current window end (exclusive)',
    baseline_size       UInt32                  COMMENT 'Baseline inputs used',
    current_size        UInt32                  COMMENT 'Current inputs compared',
    model               LowCardinality(String)  COMMENT 'Embedding model id and version',
    k                   UInt16                  COMMENT 'Number of baseline clusters (chosen by silhouette)',
    alpha               Float64                 COMMENT 'Per-window false-alarm rate of the verdict',
    drift               Bool                    COMMENT 'Verdict: emerging topic or topic-mix shift detected',
    emerging_detected   Bool                    COMMENT 'Outlier excess significant and at least one coherent outlier group',
    outliers            UInt32                  COMMENT 'Current inputs beyond their cluster outlier threshold',
    expected_outliers   Float64                 COMMENT 'Outliers expected under no drift, given the current cluster counts',
    emerging_p          Float64                 COMMENT 'p-value of the outlier count (sum of beta-binomials)',
    mix_detected        Bool                    COMMENT 'Topic-mix shift significant',
    mix_statistic       Float64                 COMMENT 'G statistic (Williams-corrected) of cluster shares, baseline vs current',
    mix_df              UInt16                  COMMENT 'Degrees of freedom of the G-test',
    mix_p               Float64                 COMMENT 'p-value of the G-test',
    reasons             Array(String)           COMMENT 'Human-readable reasons for the verdict',
    options             String                  COMMENT 'Detection options used, as JSON'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(started_at)
ORDER BY (tenant, started_at, run_id)
COMMENT 'Drift detection runs and their verdicts';
