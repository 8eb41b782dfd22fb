-- Knowledge-base coverage of each drift run's topics (jobs/drift/kb-gap.ts): how close the day's
-- inputs of a topic come to the nearest passage of the newest version of any KB document.
ALTER TABLE {{db}}.drift_runs {{on_cluster}}
    ADD COLUMN IF NOT EXISTS kb_passages UInt32 COMMENT 'KB passages compared with the inputs (0: the tenant has no KB documents, coverage not measured)',
    ADD COLUMN IF NOT EXISTS kb_gaps UInt16 COMMENT 'Topics flagged as KB gaps (most of their inputs far from every passage)';

ALTER TABLE {{db}}.drift_clusters {{on_cluster}}
    ADD COLUMN IF NOT EXISTS kb_similarity Nullable(Float64) COMMENT 'Median over the topic''s current inputs of the cosine similarity to the nearest KB passage; NULL when not measured',
    ADD COLUMN IF NOT EXISTS kb_uncovered_share Nullable(Float64) COMMENT 'Share of the topic''s current inputs with no KB passage at least drift.kbGapSimilarity similar',
    ADD COLUMN IF NOT EXISTS kb_nearest_doc String COMMENT 'Document whose passage is most often the nearest to the topic''s inputs',
    ADD COLUMN IF NOT EXISTS kb_gap Bool COMMENT 'The topic is a KB gap: enough inputs, and at least drift.kbGapShare of them uncovered';
