/**
 * The judge run against the real ClickHouse: seeded events → sample → a real local HTTP server
 * speaking the OpenAI API → judge_scores / judge_daily → quality alert through the alert engine
 * and its ClickHouse store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { chTime, type ClickHouseClient } from '../../common/clickhouse.ts';
import { testConfig, migratedDatabase } from '../../test/env.ts';
import { ClickHouseAlertStore } from '../alerts/clickhouse-store.ts';
import { AlertOptions } from '../alerts/options.ts';
import { processAlerts } from '../alerts/run.ts';
import { createEmbedder } from '../drift/embed.ts';
import { llmJudge } from './judges.ts';
import { OFFLINE_JUDGE_MODEL, offlineJudge } from './offline.ts';
import { openAiProvider } from './providers.ts';
import { loadRubric } from './rubric.ts';
import { runJudge, type JudgeRunOptions } from './run.ts';
import { judgment, startFakeLlm, type FakeLlm } from './testing/fake-llm.ts';

const DAY = '2026-11-20';
const START = Date.UTC(2026, 10, 20);
const window = { start: START, end: START + 86_400_000 };
const TOPICS = [
  { doc: 'returns-window', q: 'Can I still return my jacket?', a: 'You can return unused items within 30 days.', snippet: 'Unused items can be returned within 30 days of delivery.' },
  { doc: 'shipping-times', q: 'When will my order arrive?', a: 'Standard shipping takes 2 to 4 business days.', snippet: 'Standard shipping takes 2-4 business days.' },
  { doc: 'billing-invoice', q: 'Where do I find my invoice?', a: 'Invoices are under Account, then Orders.', snippet: 'Download invoices from Account > Orders.' },
];

let ch: ClickHouseClient;
let db: string;
let llm: FakeLlm;

/** Seeded: acme 200 and globex 100 conversations on DAY, plus one the day before and one the day after. */
const acmeTruth: number[] = [];
function seedEvents(): Record<string, unknown>[] {
  let s = 7;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const rows: Record<string, unknown>[] = [];
  const conv = (tenant: string, id: string, at: number) => {
    const topic = TOPICS[Math.floor(rnd() * 3)]!;
    if (tenant === 'acme' && at >= START && at < START + 86_400_000) acmeTruth.push(topic.doc === 'returns-window' ? 1 : 4);
    const turns = rnd() < 0.7 ? 1 : 2;
    const base = { tenant, service: 'chat', environment: 'production', conversation_id: id, channel: 'web', schema_version: 1 };
    let ts = at;
    const failed = rnd() < 0.04;
    for (let turn = 0; turn < turns; turn++) {
      rows.push({ ...base, event_id: randomUUID(), type: 'request', turn, ts: chTime(ts), input_text: topic.q });
      rows.push({ ...base, event_id: randomUUID(), type: 'retrieval', turn, ts: chTime(ts + 50), query_text: topic.q, retrieved_doc_ids: [topic.doc, 'faq'], retrieved_snippets: [topic.snippet, 'FAQ'], retrieved_scores: [0.8, 0.3] });
      const lastFailed = failed && turn === turns - 1;
      rows.push({
        ...base, event_id: randomUUID(), type: 'response', turn, ts: chTime(ts + 1500), input_text: topic.q, output_text: lastFailed ? '' : topic.a,
        status: lastFailed ? 'timeout' : 'ok', latency_ms: rnd() < 0.05 ? 30_000 : 1400, model: 'gpt-4o-mini', provider: 'openai',
        retrieved_doc_ids: [topic.doc], retrieved_snippets: [topic.snippet], retrieved_scores: [0.8], guardrail_triggers: rnd() < 0.03 ? ['pii_detected'] : [],
      });
      ts += 60_000;
    }
    if (rnd() < 0.08) rows.push({ ...base, event_id: randomUUID(), type: 'escalation', turn: turns - 1, ts: chTime(ts), escalation_reason: 'user_request' });
    if (rnd() < 0.3) rows.push({ ...base, event_id: randomUUID(), type: 'feedback', turn: turns - 1, ts: chTime(ts + 1000), feedback_thumbs: rnd() < 0.2 ? -1 : 1, feedback_source: 'user' });
  };
  for (let i = 0; i < 200; i++) conv('acme', `acme-${i}`, START + Math.floor(rnd() * 80_000_000));
  for (let i = 0; i < 100; i++) conv('globex', `globex-${i}`, START + Math.floor(rnd() * 80_000_000));
  conv('acme', 'acme-yesterday', START - 3_600_000);
  conv('acme', 'acme-tomorrow', START + 86_400_000 + 3_600_000);
  return rows;
}

/** A steady week before DAY: every criterion at 4.2 for both tenants and overall. */
async function seedHistory(judge: string): Promise<void> {
  const rows = [];
  for (let d = 1; d <= 7; d++) {
    const day = new Date(START - d * 86_400_000).toISOString().slice(0, 10);
    for (const tenant of ['acme', 'globex', '*']) {
      for (const criterion of ['faithfulness', 'relevance', 'resolution', 'tone', 'safety']) {
        rows.push({ day, judge, judge_kind: 'llm', criterion, tenant, topic: '*', prompt_version: 'support-v1@x', mean: 4.2 + (d % 2) * 0.04, stderr: 0.1, ci_low: 4, ci_high: 4.4, scored: 50, failed: 0, population: 300, strata_covered: 6, computed_at: chTime(Date.now()), run_id: randomUUID() });
      }
    }
  }
  await ch.insert({ table: `${db}.judge_daily`, values: rows, format: 'JSONEachRow' });
}

const options = (o: Partial<JudgeRunOptions> = {}): JudgeRunOptions => ({
  day: DAY, window, seed: 11, sampleSize: 60, riskOversample: 4, minPerStratum: 2, maxTopicsPerTenant: 20, slowTurnMs: 15_000, concurrency: 4,
  budget: { maxTokens: 0, maxUsd: 0 }, baselineDays: 14, alert: { alpha: 0.01, minDrop: 0.3, minBaselineDays: 5 }, ...o,
});
const judgeFor = (model: string) => llmJudge(openAiProvider({ baseUrl: `${llm.url}/v1`, model, apiKey: 'k', timeoutMs: 5000, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1000 } }), loadRubric('support-v1'));
const q = async <T>(query: string): Promise<T[]> => (await ch.query({ query, format: 'JSONEachRow' })).json<T>();

before(async () => {
  const config = testConfig();
  ch = await migratedDatabase(config);
  db = config.clickhouse.database;
  llm = await startFakeLlm();
  // acme's answers about returns are unfaithful today; everything else is fine.
  llm.fallback = (req) => {
    const user = req.body.messages[1]!.content;
    return { kind: 'judgment', judgment: judgment({ faithfulness: user.includes('tenant acme') && user.includes('[returns-window]') ? 1 : 4 }, 'scripted by the fake server') };
  };
  await ch.insert({ table: `${db}.events`, values: seedEvents(), format: 'JSONEachRow' });
});
after(async () => {
  await llm?.close();
  await ch?.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch?.close();
});

describe('judge run on seeded events', () => {
  it('samples, scores, aggregates with weights, raises a quality alert, and a re-run adds nothing', async () => {
    const judge = judgeFor('judge-model');
    await seedHistory(judge.id);
    const store = new ClickHouseAlertStore(ch, db);
    const alertOptions = AlertOptions.parse({});
    const alerts = (drafts: Parameters<typeof processAlerts>[0], scope: Parameters<typeof processAlerts>[1]) => processAlerts(drafts, scope, { store, options: alertOptions });
    const r = await runJudge(options(), { ch, database: db, judge, pricing: () => 0, alerts });

    assert.equal(r.population, 300, 'the conversations of the day only');
    assert.equal(r.sampled, 60);
    assert.equal(r.judged, 60);
    assert.equal(r.failed, 0);
    assert.equal(r.not_judged, 0);
    assert.equal(r.spent.tokens, 60 * 1020);

    const [counts] = await q<{ rows: number; convs: number; kinds: string[]; versions: string[]; w: number }>(
      `SELECT count() AS rows, uniqExact(conversation_id) AS convs, groupUniqArray(judge_kind) AS kinds, groupUniqArray(prompt_version) AS versions,
              sumIf(weight, criterion = 'tone') AS w FROM ${db}.judge_scores FINAL`);
    assert.equal(counts!.rows, 300);
    assert.equal(counts!.convs, 60);
    assert.deepEqual(counts!.kinds, ['llm']);
    assert.match(counts!.versions[0]!, /^support-v1@[0-9a-f]{8}$/);
    assert.ok(Math.abs(counts!.w - 300) < 1e-6, `weights sum to the population (${counts!.w})`);

    // Weighted daily estimate vs the truth the fake server encodes: acme returns conversations score 1, the rest 4.
    const [acme] = await q<{ mean: number; ci_low: number; ci_high: number }>(
      `SELECT mean, ci_low, ci_high FROM ${db}.judge_daily FINAL WHERE day = '${DAY}' AND judge = '${judge.id}' AND criterion = 'faithfulness' AND tenant = 'acme' AND topic = '*'`);
    const truth = acmeTruth.reduce((a, b) => a + b, 0) / acmeTruth.length;
    assert.ok(acme!.ci_low <= acme!.mean && acme!.mean <= acme!.ci_high);
    // Scores here are a function of tenant and topic, both stratum keys: the stratified estimate is exact.
    assert.ok(Math.abs(acme!.mean - truth) < 1e-9, `estimate ${acme!.mean} vs truth ${truth}`);
    const [topicRow] = await q<{ mean: number }>(`SELECT mean FROM ${db}.judge_daily FINAL WHERE day = '${DAY}' AND criterion = 'faithfulness' AND tenant = 'acme' AND topic = 'returns-window'`);
    assert.equal(topicRow!.mean, 1);

    // The drop is alerted for acme (and overall), not for globex or the steady criteria.
    const acmeDraft = r.drafts.find((d) => d.tenant === 'acme');
    assert.ok(acmeDraft, JSON.stringify(r.drafts.map((d) => d.title)));
    assert.match(acmeDraft.subject, /^faithfulness/);
    assert.match(acmeDraft.summary, /95% CI/);
    assert.ok(acmeDraft.examples!.length > 0 && acmeDraft.examples!.every((e) => e.includes('1/5')));
    assert.ok(!r.drafts.some((d) => d.tenant === 'globex' || !d.subject.startsWith('faithfulness')));
    assert.ok(r.alerts_handed_over);
    const firing = await store.firing({ kinds: ['quality'] });
    assert.ok(firing.some((a) => a.tenant === 'acme' && a.subject.startsWith('faithfulness')));

    // Same seed, same answers: the same sample, and the repeated insert is dropped (raw count, no FINAL).
    const again = await runJudge(options(), { ch, database: db, judge, pricing: () => 0 });
    assert.equal(again.judged, 60);
    const [raw] = await q<{ c: number }>(`SELECT count() AS c FROM ${db}.judge_scores WHERE judge = '${judge.id}'`);
    assert.equal(raw!.c, 300);
  });

  it('records malformed answers as failures after one retry, retries 429s, and leaves failures out of the estimates', async () => {
    const judge = judgeFor('judge-model-b');
    const before = llm.fallback;
    llm.script.push({ kind: 'status', status: 429, retryAfter: '0' });
    llm.fallback = (req) => (req.body.messages[1]!.content.includes('Conversation globex-') ? { kind: 'text', text: '{"faithfulness": "great"}' } : before(req));
    try {
      const r = await runJudge(options({ sampleSize: 30 }), { ch, database: db, judge, pricing: () => 0 });
      assert.ok(r.failed > 0 && r.judged > 0 && r.failed + r.judged === 30, JSON.stringify(r));
      const rows = await q<{ status: string; error: string; attempts: number; n: number; nulls: number }>(
        `SELECT status, error, attempts, count() AS n, countIf(score IS NULL) AS nulls FROM ${db}.judge_scores FINAL WHERE judge = '${judge.id}' GROUP BY status, error, attempts ORDER BY status`);
      const failed = rows.find((x) => x.status === 'failed')!;
      assert.equal(failed.error, 'malformed_answer');
      assert.equal(failed.attempts, 2);
      assert.equal(failed.n, failed.nulls, 'a failure never carries a score');
      assert.equal(failed.n, r.failed * 5);
      const [daily] = await q<{ failed: number; scored: number }>(`SELECT failed, scored FROM ${db}.judge_daily FINAL WHERE judge = '${judge.id}' AND criterion = 'tone' AND tenant = 'globex' AND topic = '*'`);
      assert.equal(daily!.scored, 0);
      assert.ok(daily!.failed > 0);
    } finally {
      llm.fallback = before;
    }
  });

  it('stops cleanly at the token budget', async () => {
    const judge = judgeFor('judge-model-c');
    const r = await runJudge(options({ budget: { maxTokens: 12_000, maxUsd: 0 }, concurrency: 3 }), { ch, database: db, judge, pricing: () => 0 });
    assert.ok(r.budget_exhausted);
    assert.ok(r.judged > 0 && r.judged < 60, `${r.judged} judged`);
    assert.equal(r.not_judged, 60 - r.judged);
    assert.ok(r.spent.tokens <= 12_000);
    const [c] = await q<{ n: number; failed: number }>(`SELECT uniqExact(conversation_id) AS n, countIf(status = 'failed') AS failed FROM ${db}.judge_scores FINAL WHERE judge = '${judge.id}'`);
    assert.equal(c!.n, r.judged);
    assert.equal(c!.failed, 0, 'conversations the budget left out are not failures');
  });

  it('the offline judge needs no key and is labelled offline', async () => {
    const judge = offlineJudge(await createEmbedder({ model: OFFLINE_JUDGE_MODEL, batchSize: 16 }));
    try {
      const r = await runJudge(options({ sampleSize: 20 }), { ch, database: db, judge, pricing: () => 0 });
      assert.equal(r.judged, 20);
      const [row] = await q<{ kinds: string[]; models: string[]; ok: number; na: number }>(
        `SELECT groupUniqArray(judge_kind) AS kinds, groupUniqArray(judge_model) AS models, countIf(status = 'ok') AS ok, countIf(status = 'not_applicable') AS na FROM ${db}.judge_scores FINAL WHERE judge = 'offline:minilm'`);
      assert.deepEqual(row!.kinds, ['offline']);
      assert.match(row!.models[0]!, /MiniLM/);
      assert.ok(row!.ok >= 80);
    } finally {
      await judge.dispose?.();
    }
  });
});
