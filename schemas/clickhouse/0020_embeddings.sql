-- Sentence-embedding cache for drift detection: a text is embedded once per model, looked up by
-- the hash of its (already redacted) text. Re-inserting a hash is harmless: ReplacingMergeTree
-- keeps one row per (tenant, model, text_hash).
CREATE TABLE IF NOT EXISTS {{db}}.embeddings {{on_cluster}}
(
    tenant      LowCardinality(String)  COMMENT 'Tenant the text came from; keeps per-tenant deletion simple',
    model       LowCardinality(String)  COMMENT 'Embedding model id, e.g. all-MiniLM-L6-v2',
    text_hash   FixedString(64)         COMMENT 'SHA-256 (lower-case hex) of the redacted input text',
    dims        UInt16                  COMMENT 'Vector length',
    vector      Array(Float32)          COMMENT 'Unit-length sentence embedding (mean-pooled, L2-normalised)',
    created_at  DateTime64(3, 'UTC')    COMMENT 'When the vector was computed'
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY (tenant, model, text_hash)
COMMENT 'Embedding cache by text hash for drift and knowledge-rot jobs';
