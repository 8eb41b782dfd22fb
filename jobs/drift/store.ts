/**
 * What the drift job reads and writes in ClickHouse: the sampled input texts of a window, the
 * embedding cache (`embeddings`, by text hash), and the verdicts (`drift_runs`, `drift_clusters`).
 */
import { createHash } from 'node:crypto';
import { chTime, type ClickHouseClient } from '../../common/clickhouse.ts';
import type { DriftReport } from './detect.ts';
import type { Embedder, EmbedOptions } from './embed.ts';
import type { KbDocument, TopicCoverage } from './kb-gap.ts';

/** Half-open `[start, end)`, epoch ms. */
export interface TimeRange {
  start: number;
  end: number;
}

async function rows<T>(ch: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  return (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Tenants with request inputs in the range. */
export async function tenantsWithInputs(ch: ClickHouseClient, db: string, range: TimeRange): Promise<string[]> {
  const r = await rows<{ tenant: string }>(
    ch,
    `SELECT DISTINCT tenant FROM ${db}.events
     WHERE type = 'request' AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND input_text != ''
     ORDER BY tenant`,
    { from: range.start, to: range.end },
  );
  return r.map((x) => x.tenant);
}

export interface SampledInput {
  text: string;
  /**
   * For a later turn of a conversation (`turn` > 0), with `openings`: the conversation's first
   * request input, when it falls within a day before the range or in it.
   */
  opening?: string;
}

const DAY_MS = 86_400_000;

/**
 * Up to `limit` redacted request inputs of a tenant in the range: a deterministic sample (the
 * smallest hashes of event id and seed), so a re-run of a window sees the same inputs.
 */
export async function sampleInputs(ch: ClickHouseClient, db: string, tenant: string, range: TimeRange, limit: number, seed: number, opts: { openings?: boolean } = {}): Promise<SampledInput[]> {
  const sample = `SELECT input_text, conversation_id, ifNull(turn, 0) > 0 AS follow_up, sipHash64(event_id, {seed:UInt64}) AS h
     FROM ${db}.events FINAL
     WHERE tenant = {tenant:String} AND type = 'request' AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND input_text != ''
     ORDER BY h LIMIT {limit:UInt32}`;
  const params = { tenant, from: range.start, to: range.end, limit, seed, openFrom: range.start - DAY_MS };
  if (!opts.openings) {
    const r = await rows<{ input_text: string }>(ch, sample, params);
    return r.map((x) => ({ text: x.input_text }));
  }
  // Each sampled follow-up's conversation opener, from the same table in one round trip.
  const r = await rows<{ input_text: string; follow_up: number; opening: string }>(
    ch,
    `WITH sampled AS (${sample})
     SELECT s.input_text AS input_text, s.follow_up AS follow_up, o.opening AS opening
     FROM sampled AS s
     LEFT JOIN (
       SELECT conversation_id, argMin(input_text, ifNull(turn, 0)) AS opening
       FROM ${db}.events FINAL
       WHERE tenant = {tenant:String} AND type = 'request' AND ts >= fromUnixTimestamp64Milli({openFrom:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64}) AND input_text != ''
         AND conversation_id IN (SELECT conversation_id FROM sampled WHERE follow_up)
       GROUP BY conversation_id
     ) AS o ON s.conversation_id = o.conversation_id
     ORDER BY s.h`,
    params,
  );
  return r.map((x) => (Number(x.follow_up) === 1 && x.opening ? { text: x.input_text, opening: x.opening } : { text: x.input_text }));
}

/** The newest version of every document of a tenant published before `before` and not retired (title and text already redacted). */
export async function knownDocuments(ch: ClickHouseClient, db: string, tenant: string, before: number): Promise<KbDocument[]> {
  return rows<KbDocument>(
    ch,
    `SELECT doc_id, argMax(title, updated_at) AS title, argMax(text, updated_at) AS text
     FROM ${db}.kb_documents FINAL
     WHERE tenant = {tenant:String} AND updated_at < fromUnixTimestamp64Milli({before:Int64})
     GROUP BY doc_id
     HAVING argMax(action, updated_at) != 'retired'
     ORDER BY doc_id`,
    { tenant, before },
  );
}

export interface CachedEmbeddings {
  vectors: Float32Array[];
  /** Texts embedded now (distinct texts missing from the cache). */
  embedded: number;
}

// Hashes go to ClickHouse as one query parameter; its HTTP form caps a field at 128 KiB (http_max_field_value_size), ~67 bytes a hash.
const LOOKUP_CHUNK = 1000;
const EMBED_CHUNK = 2000;

/** Vectors for `texts` in order, embedding only the distinct texts the cache does not hold. */
export async function embedCached(ch: ClickHouseClient, db: string, tenant: string, embedder: Embedder, texts: readonly string[], opts: EmbedOptions = {}): Promise<CachedEmbeddings> {
  const hashes = texts.map(textHash);
  const distinct = [...new Set(hashes)];
  const found = new Map<string, Float32Array>();
  for (let i = 0; i < distinct.length; i += LOOKUP_CHUNK) {
    const r = await rows<{ text_hash: string; vector: number[] }>(
      ch,
      `SELECT text_hash, vector FROM ${db}.embeddings FINAL
       WHERE tenant = {tenant:String} AND model = {model:String} AND text_hash IN {hashes:Array(String)}`,
      { tenant, model: embedder.modelId, hashes: distinct.slice(i, i + LOOKUP_CHUNK) },
    );
    for (const x of r) found.set(x.text_hash, Float32Array.from(x.vector));
  }
  const missing: Array<{ hash: string; text: string }> = [];
  const queued = new Set<string>();
  hashes.forEach((h, i) => {
    if (!found.has(h) && !queued.has(h)) {
      queued.add(h);
      missing.push({ hash: h, text: texts[i]! });
    }
  });
  // Embedded and stored a chunk at a time: a run that dies half-way keeps what it embedded, and
  // the insert body stays small (one JSON body for 50,000 vectors peaked at ~1.8 GB RSS).
  for (let start = 0; start < missing.length; start += EMBED_CHUNK) {
    const chunk = missing.slice(start, start + EMBED_CHUNK);
    const vectors = await embedder.embed(
      chunk.map((m) => m.text),
      { onProgress: (done) => opts.onProgress?.(start + done, missing.length) },
    );
    const now = chTime(Date.now());
    await ch.insert({
      table: `${db}.embeddings`,
      values: chunk.map((m, i) => ({ tenant, model: embedder.modelId, text_hash: m.hash, dims: vectors[i]!.length, vector: Array.from(vectors[i]!), created_at: now })),
      format: 'JSONEachRow',
    });
    chunk.forEach((m, i) => found.set(m.hash, vectors[i]!));
  }
  return { vectors: hashes.map((h) => found.get(h)!), embedded: missing.length };
}

/** Stable UUID of a tenant's run over a window: a re-run replaces the same rows. */
export function driftRunId(tenant: string, window: TimeRange): string {
  const h = createHash('sha256').update(`drift\u0000${tenant}\u0000${window.start}\u0000${window.end}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface DriftRunRecord {
  runId: string;
  tenant: string;
  startedAt: number;
  finishedAt: number;
  baseline: TimeRange;
  current: TimeRange;
  model: string;
  embedded: number;
  options: Record<string, unknown>;
  report: DriftReport;
  /** KB coverage of the topics; absent when the tenant has no KB documents. */
  kb?: { passages: number; topics: TopicCoverage[] };
}

/** Replaces the run's rows: delete what an earlier run of the same tenant and window wrote, then insert. */
export async function storeDriftRun(ch: ClickHouseClient, db: string, run: DriftRunRecord): Promise<void> {
  const r = run.report;
  for (const table of ['drift_runs', 'drift_clusters']) {
    await ch.command({ query: `DELETE FROM ${db}.${table} WHERE run_id = {id:UUID}`, query_params: { id: run.runId } });
  }
  const common = { run_id: run.runId, tenant: run.tenant, current_from: chTime(run.current.start), finished_at: chTime(run.finishedAt) };
  await ch.insert({
    table: `${db}.drift_runs`,
    format: 'JSONEachRow',
    values: [
      {
        ...common,
        started_at: chTime(run.startedAt),
        baseline_from: chTime(run.baseline.start),
        baseline_to: chTime(run.baseline.end),
        current_to: chTime(run.current.end),
        baseline_size: r.sizes.baseline,
        calibration_size: r.sizes.calibration,
        current_size: r.sizes.current,
        embedded: run.embedded,
        model: run.model,
        cells: r.model.cells,
        topics: r.model.topics,
        alpha: r.alpha,
        permutations: r.test.permutations,
        drift: r.drift,
        p_value: r.test.pValue,
        cells_p: r.test.cells.pValue,
        neighbours_p: r.test.neighbours.pValue,
        neighbours_hot: r.test.neighbours.hot,
        emerging_detected: r.emerging.detected,
        emerging_p: r.emerging.pValue,
        emerging_topics: r.emerging.topics.length,
        mix_detected: r.mix.detected,
        mix_statistic: r.mix.statistic,
        mix_df: r.mix.df,
        mix_p: r.mix.pValue,
        mix_permutation_p: r.mix.permutationPValue,
        reasons: r.reasons,
        options: JSON.stringify(run.options),
        kb_passages: run.kb?.passages ?? 0,
        kb_gaps: run.kb?.topics.filter((t) => t.gap).length ?? 0,
      },
    ],
  });
  const changed = new Map(r.mix.changed.map((c) => [c.id, c]));
  const coverage = new Map(run.kb?.topics.map((t) => [`${t.kind}:${t.id}`, t]));
  const kbColumns = (kind: string, id: number) => {
    const c = coverage.get(`${kind}:${id}`);
    return { kb_similarity: c?.medianSimilarity ?? null, kb_uncovered_share: c?.uncoveredShare ?? null, kb_nearest_doc: c?.nearestDoc?.docId ?? '', kb_gap: c?.gap ?? false };
  };
  const clusters = [
    ...r.clusters.map((c) => {
      const ch = changed.get(c.id);
      return {
        ...common, kind: 'baseline', cluster_id: c.id, label: c.label, terms: ch?.terms ?? [], source: '',
        baseline_share: c.baselineShare, current_share: c.currentShare, current_count: Math.round(c.currentShare * r.sizes.current),
        expected_count: null, statistic: null, direction: ch?.direction ?? 'none', p_value: ch?.pValue ?? null, q_value: ch?.qValue ?? null,
        near_topics: [], examples: ch?.examples ?? c.examples, ...kbColumns('baseline', c.id),
      };
    }),
    ...r.emerging.topics.map((t, j) => ({
      ...common, kind: 'emerging', cluster_id: j, label: t.label, terms: t.terms, source: t.source,
      baseline_share: 0, current_share: t.share, current_count: t.size,
      expected_count: t.source === 'cells' ? t.expectedCount : null, statistic: t.statistic, direction: 'new', p_value: null, q_value: null,
      near_topics: t.nearTopics.map((n) => n.id), examples: t.examples, ...kbColumns('emerging', j),
    })),
  ];
  await ch.insert({ table: `${db}.drift_clusters`, format: 'JSONEachRow', values: clusters });
}
