/** Reads and writes of `judge_scores` and `judge_daily` (migrations 0040, 0041). */
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '../../common/clickhouse.ts';
import type { SampledConversation } from './sample.ts';

/** One score: the sampled conversation (stratum, inclusion probability, weight) plus the judgment. */
export interface ScoreRow extends SampledConversation {
  day: string;
  criterion: string;
  judge: string;
  judge_kind: 'llm' | 'offline';
  judge_model: string;
  prompt_version: string;
  status: 'ok' | 'not_applicable' | 'failed';
  score: number | null;
  rationale: string;
  error: string;
  attempts: number;
  input_tokens: number;
  output_tokens: number;
  question: string;
  conversation_started_at: string;
  seed: number;
  run_id: string;
  judged_at: string;
}

export interface DailyRow {
  day: string;
  judge: string;
  judge_kind: string;
  criterion: string;
  tenant: string;
  topic: string;
  prompt_version: string;
  mean: number;
  stderr: number;
  ci_low: number;
  ci_high: number;
  scored: number;
  failed: number;
  population: number;
  strata_covered: number;
  computed_at: string;
  run_id: string;
}

/**
 * The token covers the judgment, not when or by which run it was made: inserting the very same
 * scores again (a retried insert, a re-run with identical answers) is dropped by ClickHouse.
 */
export function scoresToken(rows: ScoreRow[]): string {
  const h = createHash('sha256');
  for (const { run_id: _r, judged_at: _j, ...rest } of rows) h.update(JSON.stringify(rest)).update('\n');
  return `judge_scores/${h.digest('hex').slice(0, 32)}`;
}

export async function insertScores(ch: ClickHouseClient, db: string, rows: ScoreRow[]): Promise<void> {
  if (rows.length === 0) return;
  await ch.insert({ table: `${db}.judge_scores`, values: rows, format: 'JSONEachRow', clickhouse_settings: { insert_deduplication_token: scoresToken(rows) } });
}

export async function insertDaily(ch: ClickHouseClient, db: string, rows: DailyRow[]): Promise<void> {
  if (rows.length === 0) return;
  await ch.insert({ table: `${db}.judge_daily`, values: rows, format: 'JSONEachRow' });
}

export interface StoredScore {
  tenant: string;
  conversation_id: string;
  criterion: string;
  judge_kind: string;
  prompt_version: string;
  status: string;
  score: number | null;
  rationale: string;
  topic: string;
  stratum: string;
  stratum_population: number;
  question: string;
}

/** The day's current scores of one judge (latest row per key). */
export async function readDayScores(ch: ClickHouseClient, db: string, day: string, judge: string): Promise<StoredScore[]> {
  const rs = await ch.query({
    query: `SELECT tenant, conversation_id, criterion, judge_kind, prompt_version, status, score, rationale, topic, stratum, stratum_population, question
            FROM ${db}.judge_scores FINAL WHERE day = {day:Date} AND judge = {judge:String}`,
    query_params: { day, judge },
    format: 'JSONEachRow',
  });
  return rs.json<StoredScore>();
}

export interface HistoryRow {
  day: string;
  criterion: string;
  tenant: string;
  mean: number;
  stderr: number;
}

/** Tenant-level (topic '*') daily estimates of one judge in [from, to). */
export async function readHistory(ch: ClickHouseClient, db: string, judge: string, from: string, to: string): Promise<HistoryRow[]> {
  const rs = await ch.query({
    query: `SELECT day, criterion, tenant, mean, stderr FROM ${db}.judge_daily FINAL
            WHERE judge = {judge:String} AND topic = '*' AND day >= {from:Date} AND day < {to:Date} AND scored > 0
            ORDER BY day`,
    query_params: { judge, from, to },
    format: 'JSONEachRow',
  });
  return rs.json<HistoryRow>();
}
