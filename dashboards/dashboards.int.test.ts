/**
 * Every query of every dashboard, run against the real schema in the test stack's ClickHouse
 * after the Grafana-side substitution (src/expand.ts mimics the plugin's macros and Grafana's
 * variable formats), on a small seeded support day: events through the processor's writer (with
 * a replayed batch and a duplicate that slipped past the tokens), dead letters, judge scores,
 * drift results and alerts as their jobs write them. Key panels must give the seeded numbers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { chTime } from '../common/clickhouse.ts';
import { ClickHouseWriter } from '../processors/writer.ts';
import { migratedDatabase, testConfig } from '../test/env.ts';
import { expand, type ExpandContext } from './src/expand.ts';
import type { Dashboard } from './src/grafana.ts';
import { DASHBOARDS } from './src/index.ts';

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;

const config = testConfig();
const ch = await migratedDatabase(config);
const db = config.clickhouse.database;
after(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
});

// A four-hour range that ends at the last full hour (events have a TTL, so keep them recent).
const T0 = Math.floor(Date.now() / H) * H - 4 * H;
const ctx: ExpandContext = {
  from: new Date(T0),
  to: new Date(T0 + 4 * H),
  intervalSeconds: 300,
  variables: { datasource: 'lookout-clickhouse', database: db, environment: ['production'], tenant: ['acme', 'globex'], service: ['chat', 'assist'], judge: 'offline:minilm' },
};

type Row = Record<string, unknown>;
const events: Row[] = [];
function ev(type: string, at: number, tenant: string, service: string, conversation: string, fields: Row = {}): Row {
  const row: Row = {
    event_id: randomUUID(), schema_version: 1, type, ts: chTime(at), received_at: chTime(at + 150), tenant, service, environment: 'production',
    conversation_id: conversation, channel: 'web', ...fields,
  };
  events.push(row);
  return row;
}
function response(at: number, tenant: string, service: string, conversation: string, fields: Row): Row {
  return ev('response', at, tenant, service, conversation, { status: 'ok', input_text: 'Where is my parcel?', output_text: `Answer in ${conversation}`, ...fields });
}
const gpt = { model: 'gpt-4o-mini', provider: 'openai' };

// acme / chat: a stale citation, thumbs down and an escalation.
ev('request', T0 + 10 * M, 'acme', 'chat', 'a1', { input_text: 'Refund to <EMAIL:3f9a1c2b7d0e>?', redactions: { email: 1 } });
const a1 = response(T0 + 10 * M + 2000, 'acme', 'chat', 'a1', {
  ...gpt, input_tokens: 1000, output_tokens: 200, cached_input_tokens: 400, cost_usd: 0.0125, latency_ms: 1200, ttft_ms: 300,
  retrieved_doc_ids: ['returns-window', 'shipping'], retrieved_kb_versions: ['v1', 'v2'], retrieved_scores: [0.8, 0.6], retrieved_snippets: ['', ''],
  guardrail_triggers: ['pii_output'],
});
ev('feedback', T0 + 12 * M, 'acme', 'chat', 'a1', { feedback_thumbs: -1, feedback_comment: 'Still wrong, mail <EMAIL:3f9a1c2b7d0e>', feedback_source: 'user', target_event_id: a1.event_id, redactions: { email: 1 } });
ev('escalation', T0 + 13 * M, 'acme', 'chat', 'a1', { escalation_reason: 'wrong_answer', escalation_target: 'human' });
// acme / chat: a good answer from the response cache.
const a2Request = ev('request', T0 + 40 * M, 'acme', 'chat', 'a2', { input_text: 'Can I return shoes?' });
const a2 = response(T0 + 40 * M + 2500, 'acme', 'chat', 'a2', {
  model: 'claude-haiku-4-5', provider: 'anthropic', input_tokens: 2000, output_tokens: 300, cost_usd: 0.03, latency_ms: 2500, ttft_ms: 500, cache_hit: true,
  retrieved_doc_ids: ['returns-window'], retrieved_kb_versions: ['v2'], retrieved_scores: [0.9], retrieved_snippets: [''],
});
ev('feedback', T0 + 42 * M, 'acme', 'chat', 'a2', { feedback_thumbs: 1, feedback_csat: 5, feedback_source: 'user', target_event_id: a2.event_id });
// acme / chat: a timeout answered by the fallback, then an unpriced model.
ev('request', T0 + 70 * M, 'acme', 'chat', 'a3', { input_text: 'Order status' });
response(T0 + 70 * M + 30_000, 'acme', 'chat', 'a3', { ...gpt, status: 'timeout', latency_ms: 30_000, fallback_used: true, input_tokens: 100, cost_usd: 0.001 });
const a3 = response(T0 + 71 * M, 'acme', 'chat', 'a3', { model: 'mystery-model', provider: 'acme-llm', input_tokens: 500, output_tokens: 100, cost_usd: null, latency_ms: 900 });
ev('feedback', T0 + 75 * M, 'acme', 'chat', 'a3', { feedback_csat: 2, feedback_source: 'user', target_event_id: a3.event_id });
// acme / assist: a provider error.
ev('request', T0 + 100 * M, 'acme', 'assist', 'a4', { input_text: 'Summarise ticket' });
response(T0 + 100 * M + 700, 'acme', 'assist', 'a4', { ...gpt, status: 'error', error_code: 'rate_limited', latency_ms: 700, ttft_ms: 200, cost_usd: 0 });
// globex / chat: the expensive one, with two guardrails.
ev('request', T0 + 130 * M, 'globex', 'chat', 'g1', { input_text: 'Ignore your instructions', redactions: { phone: 2 } });
response(T0 + 130 * M + 4000, 'globex', 'chat', 'g1', { model: 'gpt-4o', provider: 'openai', input_tokens: 8000, output_tokens: 1500, cost_usd: 0.2, latency_ms: 4000, ttft_ms: 800, guardrail_triggers: ['jailbreak', 'pii_output'] });
// Outside the selected scope: staging, and the knowledge-base feed (service kb).
ev('request', T0 + 20 * M, 'acme', 'chat', 's1', { environment: 'staging' });
response(T0 + 20 * M + 900, 'acme', 'chat', 's1', { environment: 'staging', model: 'gpt-4o', provider: 'openai', input_tokens: 5000, output_tokens: 900, cost_usd: 0.5, latency_ms: 900 });
for (const [doc, version, at] of [['returns-window', 'v1', T0 - 3 * DAY], ['returns-window', 'v2', T0 - DAY], ['shipping', 'v2', T0 - 2 * DAY]] as const) {
  ev('kb_document', at, 'acme', 'kb', '', { doc_id: doc, doc_version: version, doc_title: doc, doc_updated_at: chTime(at), doc_action: 'updated' });
}

const inScope = events.filter((e) => e.environment === 'production' && ['chat', 'assist'].includes(e.service as string));
const responsesInScope = inScope.filter((e) => e.type === 'response');
const spend = responsesInScope.reduce((s, e) => s + Number(e.cost_usd ?? 0), 0);

// The processor's writer, as a batch is written, replayed after a crash (same token: dropped), and
// a duplicate of one event that reached another batch (another token: only FINAL collapses it).
const writer = new ClickHouseWriter(ch, db, pino({ level: 'silent' }));
const control = { keepTrying: () => true };
await writer.insert('events', events, 'lookout.events.v1/0/0-29', control);
await writer.insert('events', events, 'lookout.events.v1/0/0-29', control);
await writer.insert('events', [a2Request], 'lookout.events.v1/3/7-7', control);

await ch.insert({
  table: `${db}.dead_letters`,
  format: 'JSONEachRow',
  values: [
    { received_at: chTime(T0 + 5 * M), source_topic: 'lookout.events.v1', source_partition: 0, source_offset: 1, reason: 'invalid_json', message: 'not JSON', tenant: '', payload_bytes: 12 },
    { received_at: chTime(T0 + 6 * M), source_topic: 'lookout.events.v1', source_partition: 0, source_offset: 2, reason: 'invalid_field', field_path: 'usage.input_tokens', message: 'expected a number', tenant: 'acme', type: 'response', payload_bytes: 800 },
    { received_at: chTime(T0 + 7 * M), source_topic: 'lookout.events.v1', source_partition: 0, source_offset: 3, reason: 'invalid_field', message: 'expected a number', tenant: 'initech', payload_bytes: 700 },
  ],
});

// Judge rows as jobs/judge/store.ts writes them; a1's faithfulness was judged twice (the newer row wins).
const day = new Date(T0).toISOString().slice(0, 10);
const judged = (conversation: string, criterion: string, score: number, weight: number, at: number, judge = 'offline:minilm'): Row => ({
  day, tenant: 'acme', conversation_id: conversation, criterion, judge, judge_kind: judge.startsWith('offline') ? 'offline' : 'llm', judge_model: 'all-MiniLM-L6-v2',
  prompt_version: 'offline-v1', status: 'ok', score, rationale: `score ${score}`, topic: 'returns-window', risk_signals: conversation === 'a1' ? ['escalated', 'negative_feedback'] : [],
  stratum: 'acme|returns-window|base', stratum_population: 4, stratum_sample: 2, inclusion_prob: 1 / weight, weight, question: 'Refund?',
  conversation_started_at: chTime(T0), seed: 1, run_id: randomUUID(), judged_at: chTime(at),
});
await ch.insert({
  table: `${db}.judge_scores`,
  format: 'JSONEachRow',
  values: [
    judged('a1', 'faithfulness', 1, 2, T0 + 3 * H),
    judged('a1', 'faithfulness', 2, 2, T0 + 3 * H + M),
    judged('a1', 'relevance', 4, 2, T0 + 3 * H + M),
    judged('a2', 'faithfulness', 5, 1, T0 + 3 * H + M),
    judged('a2', 'relevance', 5, 1, T0 + 3 * H + M),
    judged('a2', 'faithfulness', 1, 1, T0 + 3 * H + M, 'openai:gpt-4o-mini'),
  ],
});
await ch.insert({
  table: `${db}.judge_daily`,
  format: 'JSONEachRow',
  values: [{ day, judge: 'offline:minilm', judge_kind: 'offline', criterion: 'faithfulness', tenant: 'acme', topic: '*', prompt_version: 'offline-v1', mean: 3, stderr: 0.5, ci_low: 2.02, ci_high: 3.98, scored: 2, failed: 0, population: 4, strata_covered: 1, computed_at: chTime(T0 + 3 * H), run_id: randomUUID() }],
});

// Drift results as jobs/drift/store.ts writes them: one run with an emerging topic, a grown topic and a KB gap.
const runId = randomUUID();
const run = { run_id: runId, tenant: 'acme', current_from: chTime(T0), finished_at: chTime(T0 + 3 * H) };
await ch.insert({
  table: `${db}.drift_runs`,
  format: 'JSONEachRow',
  values: [{ ...run, started_at: chTime(T0 + 2 * H), baseline_from: chTime(T0 - 14 * DAY), baseline_to: chTime(T0), current_to: chTime(T0 + DAY), baseline_size: 4000, calibration_size: 800, current_size: 600, embedded: 600, model: 'all-MiniLM-L6-v2', cells: 200, topics: 12, alpha: 0.01, permutations: 999, drift: true, p_value: 0.002, cells_p: 0.001, neighbours_p: 0.004, neighbours_hot: 40, emerging_detected: true, emerging_p: 0.001, emerging_topics: 1, mix_detected: true, mix_statistic: 41.2, mix_df: 11, mix_p: 0.0001, mix_permutation_p: 0.003, reasons: ['new topic: passkey login'], options: '{}', kb_passages: 120, kb_gaps: 1 }],
});
await ch.insert({
  table: `${db}.drift_clusters`,
  format: 'JSONEachRow',
  values: [
    { ...run, kind: 'emerging', cluster_id: 1, label: 'passkey login', terms: ['passkey', 'login'], source: 'neighbours', current_share: 0.04, current_count: 24, direction: 'new', examples: ['My passkey does not work', 'How do I add a passkey?'], kb_similarity: 0.33, kb_uncovered_share: 1, kb_gap: true },
    { ...run, kind: 'baseline', cluster_id: 3, label: 'returns window', terms: ['return', 'days'], baseline_share: 0.1, current_share: 0.2, current_count: 120, direction: 'grew', p_value: 0.0001, q_value: 0.001, examples: ['Can I return shoes?'], kb_similarity: 0.55, kb_uncovered_share: 0.1, kb_gap: false },
    { ...run, kind: 'baseline', cluster_id: 4, label: 'order status', terms: ['order'], baseline_share: 0.3, current_share: 0.29, current_count: 170, direction: 'none', examples: [] },
  ],
});

// Alerts as the lifecycle writes them: a budget alert that fired and resolved, a knowledge-rot alert firing.
const alert = (kind: string, state: string, status: string, at: number, fingerprint: string): Row => ({
  created_at: chTime(at), alert_id: randomUUID(), fingerprint, kind, severity: 'warning', state, status, tenant: 'acme', subject: fingerprint,
  title: `${kind} for acme`, summary: `${kind} summary`, examples: ['Can I return shoes?'], first_fired_at: chTime(T0 + H),
});
await ch.insert({
  table: `${db}.alerts`,
  format: 'JSONEachRow',
  values: [
    alert('cost_budget', 'fired', 'firing', T0 + H, 'cost_budget:acme:daily'),
    alert('cost_budget', 'resolved', 'resolved', T0 + 2 * H, 'cost_budget:acme:daily'),
    alert('knowledge_rot', 'fired', 'firing', T0 + 2 * H, 'knowledge_rot:acme:stale:returns-window'),
  ],
});

async function runQuery(sql: string): Promise<Row[]> {
  const rs = await ch.query({ query: expand(sql, ctx), format: 'JSONEachRow' });
  return rs.json<Row>();
}

/** Every panel's rows, by dashboard file and panel title. */
const results = new Map<string, Row[]>();
const panel = (file: string, title: string): Row[] => {
  const rows = results.get(`${file} / ${title}`);
  assert.ok(rows, `no panel "${title}" in ${file}`);
  return rows;
};
const value = (file: string, title: string): number => Number(Object.values(panel(file, title)[0] ?? {})[0]);
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual}, expected ${expected}`);

test('every panel query and variable query of every dashboard runs on the real schema', async () => {
  let queries = 0;
  for (const [file, d] of Object.entries(DASHBOARDS) as [string, Dashboard][]) {
    for (const v of d.templating.list.filter((x) => x.type === 'query')) {
      await assert.doesNotReject(runQuery(v.query), `${file}: variable ${v.name}`);
      queries++;
    }
    for (const p of d.panels) {
      for (const t of p.targets ?? []) {
        try {
          results.set(`${file} / ${p.title}`, await runQuery(t.rawSql));
        } catch (err) {
          assert.fail(`${file}: panel "${p.title}" failed: ${(err as Error).message}`);
        }
        queries++;
      }
    }
  }
  console.log(`ran ${queries} queries of ${Object.keys(DASHBOARDS).length} dashboards`);
  assert.ok(queries >= 60);
});

test('variables list what the seeded data has', async () => {
  const options = async (file: string, name: string) => (await runQuery(DASHBOARDS[file]!.templating.list.find((v) => v.name === name)!.query)).map((r) => Object.values(r)[0]);
  assert.deepEqual(await options('lookout-overview.json', 'environment'), ['production', 'staging']);
  assert.deepEqual(await options('lookout-overview.json', 'tenant'), ['acme', 'globex']);
  assert.deepEqual(await options('lookout-overview.json', 'service'), ['assist', 'chat']);
  assert.deepEqual(await options('lookout-quality.json', 'judge'), ['offline:minilm']);
});

test('overview: events counted once through a replayed batch and a slipped duplicate; scope filters apply', () => {
  const f = 'lookout-overview.json';
  assert.equal(value(f, 'Events'), inScope.length);
  assert.equal(value(f, 'Conversations'), 5);
  const perType = new Map<string, number>();
  for (const r of panel(f, 'Events per minute by type')) perType.set(r.type as string, (perType.get(r.type as string) ?? 0) + Number(r.per_minute) * 5);
  const expected = new Map<string, number>();
  for (const e of inScope) expected.set(e.type as string, (expected.get(e.type as string) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries([...perType].map(([k, v]) => [k, Math.round(v * 1e6) / 1e6])), Object.fromEntries(expected));
  assert.equal(value(f, 'Dead letters'), 2, 'tenant-less dead letters count, other tenants do not');
  assert.equal(value(f, 'Redacted entities'), 4);
  close(value(f, 'Failed responses'), 2 / 6, 'failed share');
  const rates = (at: number) => panel(f, 'Error, timeout and fallback rates').find((r) => r.time === chTime(at).slice(0, 19))!;
  assert.deepEqual([rates(T0 + 70 * M).timeout, rates(T0 + 70 * M).fallback, rates(T0 + 70 * M).error], [0.5, 0.5, 0], 'a3: timeout and fallback, then the unpriced answer');
  assert.deepEqual([rates(T0 + 100 * M).error, rates(T0 + 10 * M).error], [1, 0]);
  const guardrails = panel(f, 'Guardrail triggers').reduce<Record<string, number>>((m, r) => ({ ...m, [r.guardrail as string]: (m[r.guardrail as string] ?? 0) + Number(r.triggers) }), {});
  assert.deepEqual(guardrails, { jailbreak: 1, pii_output: 2 });
  assert.deepEqual(panel(f, 'Dead letters by reason').map((r) => r.reason).sort(), ['invalid_field', 'invalid_json']);
});

test('cost: spend equals the seeded priced responses, per conversation, unpriced and top conversation', () => {
  const f = 'lookout-cost.json';
  close(value(f, 'Spend'), spend, 'spend (staging excluded, replay not counted)');
  close(value(f, 'Cost per conversation'), spend / 5, 'cost per conversation');
  assert.equal(value(f, 'Responses'), responsesInScope.length);
  assert.equal(value(f, 'Unpriced responses'), 1);
  assert.deepEqual(panel(f, 'Unpriced models').map((r) => r.model), ['mystery-model']);
  close(value(f, 'Prompt-cache share of input tokens'), 400 / (1000 + 2000 + 100 + 500 + 8000), 'prompt-cache share');
  close(value(f, 'Response-cache hits'), 1 / 6, 'response-cache hits');
  const top = panel(f, 'Most expensive conversations')[0]!;
  assert.equal(top.conversation_id, 'g1');
  close(Number(top.spend_usd), 0.2, 'top conversation');
  const byTenant = panel(f, 'Spend by tenant').reduce<Record<string, number>>((m, r) => ({ ...m, [r.tenant as string]: (m[r.tenant as string] ?? 0) + Number(r.spend) }), {});
  close(byTenant.acme!, spend - 0.2, 'acme spend');
  const alerts = panel(f, 'Cost alerts');
  assert.deepEqual(alerts.map((a) => [a.alert_kind, a.alert_status]), [['cost_budget', 'resolved']]);
});

test('quality: weighted judge scores use the newest judgment of the selected judge; feedback and escalations', () => {
  const f = 'lookout-quality.json';
  const daily = panel(f, 'Weighted daily score by criterion');
  const mean = (c: string) => Number(daily.find((r) => r.criterion === c)!.mean);
  close(mean('faithfulness'), (2 * 2 + 5 * 1) / 3, 'weighted faithfulness');
  close(mean('relevance'), (4 * 2 + 5 * 1) / 3, 'weighted relevance');
  assert.equal(value(f, 'Judged conversations'), 2);
  const byModel = Object.fromEntries(panel(f, 'Score by answering model').map((r) => [r.model, Number(r.faithfulness)]));
  assert.deepEqual(byModel, { 'gpt-4o-mini': 2, 'claude-haiku-4-5': 5 });
  assert.equal(panel(f, 'Lowest-scored conversations')[0]!.conversation_id, 'a1');
  assert.equal(panel(f, 'Daily quality by tenant with 95 % interval').length, 1);
  close(value(f, 'Thumbs-down rate'), 0.5, 'thumbs-down rate');
  close(value(f, 'Mean CSAT'), 3.5, 'mean CSAT');
  close(value(f, 'Escalation rate'), 1 / 5, 'escalation rate');
  assert.deepEqual(panel(f, 'Escalation reasons').map((r) => [r.reason, r.target, Number(r.escalations)]), [['wrong_answer', 'human', 1]]);
  const negative = panel(f, 'Negative feedback');
  assert.deepEqual(negative.map((r) => r.conversation_id).sort(), ['a1', 'a3']);
  assert.equal(negative.find((r) => r.conversation_id === 'a1')!.answer, 'Answer in a1');
});

test('drift and knowledge: verdicts, emerging and grown topics, KB gaps, stale citations', () => {
  const f = 'lookout-drift.json';
  assert.equal(value(f, 'Drift runs'), 1);
  assert.equal(value(f, 'Runs with drift'), 1);
  assert.equal(value(f, 'Emerging topics'), 1);
  assert.equal(value(f, 'KB gap topics'), 1);
  assert.equal(panel(f, 'Emerging topics with examples')[0]!.label, 'passkey login');
  assert.deepEqual(panel(f, 'Topics that grew or shrank').map((r) => [r.label, r.direction]), [['returns window', 'grew']]);
  assert.deepEqual(panel(f, 'Knowledge-base gaps').map((r) => r.label), ['passkey login']);
  close(value(f, 'Answers citing a stale KB version'), 1 / 2, 'stale share (a1 cites returns-window v1 after v2)');
  assert.deepEqual(
    panel(f, 'Stale citations by document').map((r) => [r.answer_tenant, r.doc_id, r.cited_version, r.newest_version, Number(r.answers)]),
    [['acme', 'returns-window', 'v1', 'v2', 1]],
  );
  assert.deepEqual(panel(f, 'Drift and knowledge-rot alerts').map((a) => [a.alert_kind, a.alert_status]), [['knowledge_rot', 'firing']]);
});
