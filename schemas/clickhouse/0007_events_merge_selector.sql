-- Fewer, wider background merges for the events table: with the default base (5) each row was
-- rewritten by merges several times while a steady stream of inserts arrived, which cost about as
-- much ClickHouse CPU as the inserts themselves. A larger base keeps a few more parts per
-- partition between merges (8 instead of 4 after 200,000 rows) and cuts that work.
ALTER TABLE {{db}}.events {{on_cluster}} MODIFY SETTING merge_selector_base = 20;
