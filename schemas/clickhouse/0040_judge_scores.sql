-- One row per judged conversation, criterion and judge (lookout judge run). A re-run of the same
-- day replaces rows with the same key (ReplacingMergeTree on judged_at: read with FINAL), and a
-- repeated identical insert is dropped by its deduplication token.
CREATE TABLE IF NOT EXISTS {{db}}.judge_scores {{on_cluster}}
(
    day                     Date COMMENT 'UTC day the conversation started (the sampled day)',
    tenant                  LowCardinality(String) COMMENT 'Tenant of the conversation',
    conversation_id         String COMMENT 'Judged conversation (events.conversation_id)',
    criterion               LowCardinality(String) COMMENT 'faithfulness | relevance | resolution | tone | safety',
    judge                   LowCardinality(String) COMMENT 'Judge id: provider:model for LLM judges (openai:gpt-4o-mini), offline:minilm for the offline judge',
    judge_kind              LowCardinality(String) COMMENT 'llm | offline: offline scores come from embeddings and detectors, not from a model API',
    judge_model             LowCardinality(String) COMMENT 'Model that judged (LLM name, or the embedding model of the offline judge)',
    prompt_version          LowCardinality(String) COMMENT 'Rubric file and content hash (support-v1@1a2b3c4d), or the offline heuristics version',
    status                  LowCardinality(String) COMMENT 'ok: scored | not_applicable: judge could not assess this criterion | failed: judge failure, no score',
    score                   Nullable(UInt8) COMMENT '1 (worst) to 5 (best); NULL unless status = ok',
    rationale               String COMMENT 'Judge rationale (from redacted texts), at most 500 characters',
    error                   LowCardinality(String) COMMENT 'Failure code when status = failed (malformed_answer, http_429, timeout, ...)',
    attempts                UInt8 COMMENT 'Model calls made for this conversation (2 when the first answer was malformed)',
    topic                   String COMMENT 'Topic stratum: first retrieved doc id of the conversation, (other) for rare ones, (none) without retrieval',
    risk_signals            Array(LowCardinality(String)) COMMENT 'Risk signals that put it in a risk stratum: escalated, negative_feedback, guardrail, failed, slow',
    stratum                 String COMMENT 'Sampling stratum: tenant|topic|risk or tenant|topic|base',
    stratum_population      UInt32 COMMENT 'Conversations of the day in the stratum (N_h)',
    stratum_sample          UInt32 COMMENT 'Conversations sampled from the stratum (n_h)',
    inclusion_prob          Float64 COMMENT 'Probability this conversation was sampled (n_h / N_h)',
    weight                  Float64 COMMENT 'Design weight 1 / inclusion_prob: sum(weight * score) / sum(weight) estimates the day mean',
    input_tokens            UInt32 COMMENT 'Judge prompt tokens for the conversation (same on its five rows: sum one criterion)',
    output_tokens           UInt32 COMMENT 'Judge answer tokens for the conversation (same on its five rows)',
    question                String COMMENT 'First customer message, redacted, at most 300 characters (for examples)',
    conversation_started_at DateTime64(3, 'UTC') COMMENT 'First event of the conversation',
    seed                    UInt64 COMMENT 'Sampling seed of the run',
    run_id                  UUID COMMENT 'Judge run that wrote the row',
    judged_at               DateTime64(3, 'UTC') COMMENT 'When it was judged; the newest row per key wins'
)
ENGINE = ReplacingMergeTree(judged_at)
PARTITION BY toYYYYMM(day)
ORDER BY (day, tenant, conversation_id, criterion, judge)
SETTINGS non_replicated_deduplication_window = 1000
COMMENT 'LLM-as-judge and offline judge scores of sampled conversations, with sampling weights; read with FINAL';
