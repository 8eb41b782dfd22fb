-- Latest known version of every knowledge-base document, fed from kb_document events. Knowledge
-- rot compares the kb_version an answer cites with the newest version known here.
CREATE TABLE IF NOT EXISTS {{db}}.kb_documents {{on_cluster}}
(
    tenant          LowCardinality(String) COMMENT 'Tenant owning the knowledge base',
    doc_id          String COMMENT 'Document id, as cited in retrieved_doc_ids',
    version         String COMMENT 'Document version, as cited in retrieved_kb_versions',
    title           String COMMENT 'Title, redacted',
    updated_at      DateTime64(3, 'UTC') COMMENT 'When this version was published',
    action          LowCardinality(String) COMMENT 'published | updated | retired',
    url             String COMMENT 'Document URL',
    text            String COMMENT 'Document text, redacted (optional)',
    event_id        UUID COMMENT 'The kb_document event that announced this version',
    received_at     DateTime64(3, 'UTC') COMMENT 'When Lookout consumed that event'
)
ENGINE = ReplacingMergeTree(received_at)
ORDER BY (tenant, doc_id, version)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Knowledge-base document versions. Newest per doc: argMax(version, updated_at) GROUP BY tenant, doc_id';

CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.kb_documents_mv {{on_cluster}} TO {{db}}.kb_documents AS
SELECT tenant, doc_id, doc_version AS version, doc_title AS title,
       ifNull(doc_updated_at, ts) AS updated_at, doc_action AS action, doc_url AS url, doc_text AS text,
       event_id, received_at
FROM {{db}}.events
WHERE type = 'kb_document';
