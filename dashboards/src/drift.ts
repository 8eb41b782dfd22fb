/** Drift and knowledge: drift verdicts, emerging and changed topics, KB gaps, stale kb_version citations. */
import { DB, EVENTS, SCOPE, TENANT, latestAlerts, scopeVariables } from './common.ts';
import { dashboard, row, stat, table, timeseries } from './grafana.ts';

/** Drift tables have a tenant only; runs are placed in time by their current window's start. */
const RUNS = `${DB}.drift_runs FINAL`;
const CLUSTERS = `${DB}.drift_clusters FINAL`;
const IN_RANGE = `$__timeFilter(current_from) AND ${TENANT}`;

/**
 * Newest version of each KB document published by the end of the range (kb_documents, fed by
 * kb_document events), as the drift job's knowledge-rot check reads it.
 */
const NEWEST = `
newest AS (
    SELECT tenant, doc_id, argMax(version, updated_at) AS version, max(updated_at) AS since
    FROM ${DB}.kb_documents FINAL
    WHERE ${TENANT} AND updated_at <= $__toTime AND action != 'retired'
    GROUP BY tenant, doc_id)`;

/** One row per (answer, cited document): responses' retrieved documents and the KB version each cited. */
const CITATIONS = `
citations AS (
    SELECT tenant, event_id, ts, cited.1 AS doc_id, cited.2 AS cited_version
    FROM ${EVENTS}
    ARRAY JOIN arrayZip(retrieved_doc_ids, retrieved_kb_versions) AS cited
    WHERE type = 'response' AND $__timeFilter(ts) AND ${SCOPE})`;

/** A citation is stale when a newer version of its document had been published before the answer. */
const STALE = `n.version != '' AND c.cited_version != n.version AND c.ts >= n.since`;

export const drift = dashboard({
  uid: 'lookout-drift',
  title: 'Lookout / Drift and knowledge',
  description:
    'Daily drift runs per tenant (drift_runs, drift_clusters): verdicts, emerging and changed topics with examples, knowledge-base gaps, and answers citing stale knowledge-base versions (events, kb_documents). Drift panels follow the tenant variable only.',
  variables: scopeVariables(),
  refresh: '15m',
  from: 'now-30d',
  panels: [
    stat({
      title: 'Drift runs',
      description: 'Tenant-days compared with their baseline.',
      w: 4, h: 4,
      sql: `SELECT count() AS runs FROM ${RUNS} WHERE ${IN_RANGE}`,
    }),
    stat({
      title: 'Runs with drift',
      description: 'Runs whose combined p-value was at or below alpha.',
      w: 4, h: 4,
      thresholds: [{ value: 1, color: 'orange' }],
      sql: `SELECT countIf(drift) AS drifted FROM ${RUNS} WHERE ${IN_RANGE}`,
    }),
    stat({
      title: 'Emerging topics',
      description: 'New groups of inputs far from every baseline topic.',
      w: 4, h: 4,
      sql: `SELECT count() AS emerging FROM ${CLUSTERS} WHERE ${IN_RANGE} AND kind = 'emerging'`,
    }),
    stat({
      title: 'KB gap topics',
      description: 'Topics most of whose inputs no knowledge-base passage covers.',
      w: 4, h: 4,
      thresholds: [{ value: 1, color: 'orange' }],
      sql: `SELECT countIf(kb_gap) AS gaps FROM ${CLUSTERS} WHERE ${IN_RANGE}`,
    }),
    stat({
      title: 'Answers citing a stale KB version',
      description: 'Share of answers with retrieved documents that cite a version older than one published before the answer.',
      w: 8, h: 4, unit: 'percentunit', decimals: 1,
      thresholds: [{ value: 0.05, color: 'orange' }],
      sql: `
WITH ${NEWEST},
${CITATIONS}
SELECT uniqExactIf(c.event_id, ${STALE}) / uniqExact(c.event_id) AS stale_share
FROM citations AS c
LEFT JOIN newest AS n ON n.tenant = c.tenant AND n.doc_id = c.doc_id`,
    }),

    row('Drift'),
    timeseries({
      title: 'Drift p-value by tenant',
      description: 'Combined p-value of each daily run (log scale); drift when at or below the run\u2019s alpha (LOOKOUT_DRIFT_ALPHA, 0.01 by default).',
      w: 12, h: 8, logScale: true,
      sql: `
SELECT current_from AS time, tenant, p_value
FROM ${RUNS}
WHERE ${IN_RANGE}
ORDER BY time`,
    }),
    table({
      title: 'Drift runs and verdicts',
      description: 'Verdict and test p-values of each run, newest first.',
      w: 12, h: 8,
      sql: `
SELECT toDate(current_from) AS day, tenant, drift, round(p_value, 4) AS p_value, alpha, round(cells_p, 4) AS cells_p,
       round(neighbours_p, 4) AS neighbours_p, emerging_topics, mix_detected, round(mix_permutation_p, 4) AS mix_p, kb_gaps,
       current_size, baseline_size, arrayStringConcat(reasons, '; ') AS reasons
FROM ${RUNS}
WHERE ${IN_RANGE}
ORDER BY current_from DESC, tenant
LIMIT 200`,
    }),
    table({
      title: 'Emerging topics with examples',
      description: 'New topics with their label, distinctive terms and redacted example inputs.',
      w: 24, h: 8,
      sql: `
SELECT toDate(current_from) AS day, tenant, cluster_id AS rank, label, arrayStringConcat(terms, ', ') AS terms, source,
       current_count AS inputs, round(current_share, 3) AS share, kb_gap, arrayStringConcat(examples, ' | ') AS examples
FROM ${CLUSTERS}
WHERE ${IN_RANGE} AND kind = 'emerging'
ORDER BY current_from DESC, tenant, cluster_id
LIMIT 100`,
    }),
    table({
      title: 'Topics that grew or shrank',
      description: 'Baseline topics whose share changed significantly (Fisher exact test, Benjamini-Hochberg q-value).',
      w: 24, h: 8,
      sql: `
SELECT toDate(current_from) AS day, tenant, label, direction, round(baseline_share, 3) AS baseline_share, round(current_share, 3) AS current_share,
       round(current_share - baseline_share, 3) AS change, current_count AS inputs, q_value, arrayStringConcat(examples, ' | ') AS examples
FROM ${CLUSTERS}
WHERE ${IN_RANGE} AND kind = 'baseline' AND direction IN ('grew', 'shrank')
ORDER BY current_from DESC, abs(current_share - baseline_share) DESC
LIMIT 100`,
    }),

    row('Knowledge'),
    table({
      title: 'Knowledge-base gaps',
      description: 'Topics whose inputs are mostly far from every KB passage: questions the knowledge base does not answer.',
      w: 24, h: 8,
      sql: `
SELECT toDate(current_from) AS day, tenant, kind, label, current_count AS inputs, round(kb_uncovered_share, 2) AS uncovered_share,
       round(kb_similarity, 2) AS median_similarity, kb_nearest_doc AS nearest_doc, arrayStringConcat(examples, ' | ') AS examples
FROM ${CLUSTERS}
WHERE ${IN_RANGE} AND kb_gap
ORDER BY current_from DESC, kb_uncovered_share DESC
LIMIT 100`,
    }),
    timeseries({
      title: 'Stale KB citations by tenant',
      description: 'Share of answers with retrieved documents that cite an outdated version, per tenant.',
      w: 12, h: 8, unit: 'percentunit',
      sql: `
WITH ${NEWEST},
${CITATIONS}
SELECT $__timeInterval(c.ts) AS time, c.tenant AS answer_tenant, uniqExactIf(c.event_id, ${STALE}) / uniqExact(c.event_id) AS stale_share
FROM citations AS c
LEFT JOIN newest AS n ON n.tenant = c.tenant AND n.doc_id = c.doc_id
GROUP BY time, answer_tenant
ORDER BY time`,
    }),
    table({
      title: 'Stale citations by document',
      description: 'Documents cited at an outdated version: which version answers used, the newest one and since when.',
      w: 12, h: 8,
      sql: `
WITH ${NEWEST},
${CITATIONS}
SELECT c.tenant AS answer_tenant, c.doc_id AS doc_id, c.cited_version AS cited_version, any(n.version) AS newest_version,
       any(n.since) AS newest_since, uniqExact(c.event_id) AS answers, max(c.ts) AS last_cited
FROM citations AS c
INNER JOIN newest AS n ON n.tenant = c.tenant AND n.doc_id = c.doc_id
WHERE ${STALE}
GROUP BY answer_tenant, doc_id, cited_version
ORDER BY answers DESC
LIMIT 100`,
    }),
    table({
      title: 'Drift and knowledge-rot alerts',
      description: 'Latest state of each drift and knowledge_rot alert raised in the time range, with its examples.',
      w: 24, h: 8,
      sql: latestAlerts(['drift', 'knowledge_rot']),
    }),
  ],
});
