-- One row per drift run of a tenant and day: the windows compared and the verdict. run_id is
-- derived from tenant and window, so a re-run replaces its rows (the job deletes them first, and
-- ReplacingMergeTree collapses any left by a crash between delete and insert; FINAL for exact reads).
CREATE TABLE IF NOT EXISTS {{db}}.drift_runs {{on_cluster}}
(
    run_id              UUID                    COMMENT 'Deterministic id from tenant and current window, shared with drift_clusters rows',
    tenant              LowCardinality(String)  COMMENT 'Tenant whose inputs were compared',
    started_at          DateTime64(3, 'UTC')    COMMENT 'When the run started',
    finished_at         DateTime64(3, 'UTC')    COMMENT 'When the run finished (version of the row)',
    baseline_from       DateTime64(3, 'UTC')    COMMENT 'Baseline window start (inclusive)',
    baseline_to         DateTime64(3, 'UTC')    COMMENT 'Baseline window end (exclusive)',
    current_from        DateTime64(3, 'UTC')    COMMENT 'Current window start (inclusive)',
    current_to          DateTime64(3, 'UTC')    COMMENT 'Current window end (exclusive)',
    baseline_size       UInt32                  COMMENT 'Baseline inputs used (a deterministic sample of request input_text)',
    calibration_size    UInt32                  COMMENT 'Baseline inputs held out of k-means; reference shares come from them',
    current_size        UInt32                  COMMENT 'Current inputs compared',
    embedded            UInt32                  COMMENT 'Texts embedded by this run (the rest came from the embeddings cache)',
    model               LowCardinality(String)  COMMENT 'Embedding model id',
    cells               UInt16                  COMMENT 'Micro-cells (k-means clusters) of the baseline model',
    topics              UInt16                  COMMENT 'Baseline topics (cuts of the cell tree)',
    alpha               Float64                 COMMENT 'Per-window false-alarm rate of the verdict',
    permutations        UInt32                  COMMENT 'Permutations of each null distribution',
    drift               Bool                    COMMENT 'Verdict: combined p_value <= alpha',
    p_value             Float64                 COMMENT 'Bonferroni-combined p-value of the cell and neighbour tests',
    cells_p             Float64                 COMMENT 'Permutation p-value of the micro-cell counts (min-p of concentration, spread, mix)',
    neighbours_p        Float64                 COMMENT 'Permutation p-value of the nearest-neighbour test',
    neighbours_hot      UInt32                  COMMENT 'Current inputs whose nearest neighbours are mostly current inputs',
    emerging_detected   Bool                    COMMENT 'At least one emerging topic was found',
    emerging_p          Float64                 COMMENT 'Smaller of the neighbour and cell concentration p-values',
    emerging_topics     UInt16                  COMMENT 'Emerging topics stored in drift_clusters (kind emerging)',
    mix_detected        Bool                    COMMENT 'At least one baseline topic grew or shrank (Fisher exact, Benjamini-Hochberg)',
    mix_statistic       Float64                 COMMENT 'G statistic (Williams-corrected) of topic shares, baseline vs current',
    mix_df              UInt16                  COMMENT 'Degrees of freedom of the G-test',
    mix_p               Float64                 COMMENT 'Asymptotic p-value of the G-test (reference only)',
    mix_permutation_p   Float64                 COMMENT 'Permutation p-value of the topic-mix statistic',
    reasons             Array(String)           COMMENT 'Human-readable reasons for the verdict',
    options             String                  COMMENT 'Detection and sampling options used, as JSON'
)
ENGINE = ReplacingMergeTree(finished_at)
PARTITION BY toYYYYMM(current_from)
ORDER BY (tenant, current_from, run_id)
COMMENT 'Drift detection runs and their verdicts, one per tenant and window';
