-- Weighted daily quality per judge, criterion, tenant and topic ('*' = all), written by each
-- judge run from the day's scores. Re-runs replace the day's rows (read with FINAL).
CREATE TABLE IF NOT EXISTS {{db}}.judge_daily {{on_cluster}}
(
    day             Date COMMENT 'UTC day the conversations started',
    judge           LowCardinality(String) COMMENT 'Judge id (see judge_scores.judge)',
    judge_kind      LowCardinality(String) COMMENT 'llm | offline',
    criterion       LowCardinality(String) COMMENT 'faithfulness | relevance | resolution | tone | safety',
    tenant          LowCardinality(String) COMMENT 'Tenant, or * for all tenants',
    topic           String COMMENT 'Topic stratum, or * for all topics',
    prompt_version  LowCardinality(String) COMMENT 'Rubric version of the scores (the newest when several)',
    mean            Float64 COMMENT 'Estimated mean score of all the day''s conversations in the domain (stratified, design-weighted)',
    stderr          Float64 COMMENT 'Standard error of mean (stratified, with finite-population correction)',
    ci_low          Float64 COMMENT 'mean - 1.96 stderr',
    ci_high         Float64 COMMENT 'mean + 1.96 stderr',
    scored          UInt32 COMMENT 'Conversations scored on this criterion',
    failed          UInt32 COMMENT 'Sampled conversations whose judgment failed (no score)',
    population      UInt32 COMMENT 'Conversations the estimate speaks for (sum of N_h over strata with a score)',
    strata_covered  UInt32 COMMENT 'Strata with at least one score',
    computed_at     DateTime64(3, 'UTC') COMMENT 'When the row was computed; the newest per key wins',
    run_id          UUID COMMENT 'Judge run that computed it'
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMM(day)
ORDER BY (day, judge, criterion, tenant, topic)
COMMENT 'Daily weighted judge quality per criterion, tenant and topic; read with FINAL';
