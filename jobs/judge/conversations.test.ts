import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rebuildConversations, type EventRow } from './conversations.ts';
import { renderTranscript } from './rubric.ts';

const row = (o: Partial<EventRow>): EventRow => ({
  event_id: 'e', type: 'request', ts: '2026-11-21 10:00:00.000', turn: 0, tenant: 'acme', conversation_id: 'c1', service: 'chat', channel: 'web',
  input_text: '', output_text: '', query_text: '', retrieved_doc_ids: [], retrieved_snippets: [], retrieved_scores: [], status: '', latency_ms: null,
  guardrail_triggers: [], feedback_thumbs: null, feedback_csat: null, feedback_comment: '', escalation_reason: '', tool_name: '', tool_status: '', tool_result: '', ...o,
});

describe('rebuildConversations', () => {
  const rows = [
    row({ event_id: 'f', type: 'feedback', ts: '2026-11-21 10:05:00.000', turn: 1, feedback_thumbs: -1, feedback_comment: 'wrong window' }),
    row({ event_id: 'r1', type: 'response', ts: '2026-11-21 10:01:01.000', turn: 1, output_text: 'Within 60 days.', status: 'ok', latency_ms: 800, retrieved_doc_ids: ['returns-window'], retrieved_snippets: ['Returns within 30 days.'], retrieved_scores: [0.7] }),
    row({ event_id: 'q1', type: 'request', ts: '2026-11-21 10:01:00.000', turn: 1, input_text: 'And returns?' }),
    row({ event_id: 'r0', type: 'response', ts: '2026-11-21 10:00:02.000', turn: 0, output_text: 'It ships tomorrow.', status: 'ok' }),
    row({ event_id: 'x0', type: 'retrieval', ts: '2026-11-21 10:00:01.000', turn: 0, query_text: 'shipping time', retrieved_doc_ids: ['shipping', 'returns-window'], retrieved_snippets: ['Ships in 1 day.', 'Returns within 30 days.'], retrieved_scores: [0.9, 0.4] }),
    row({ event_id: 'q0', type: 'request', turn: 0, input_text: 'When does it ship?' }),
    row({ event_id: 'q0', type: 'request', turn: 0, input_text: 'When does it ship?' }),
    row({ event_id: 'e1', type: 'escalation', ts: '2026-11-21 10:06:00.000', turn: 1, escalation_reason: 'wrong_answer' }),
    row({ event_id: 'other', conversation_id: 'c2', input_text: 'hello' }),
  ];

  it('orders turns, merges retrieved context, counts replays once, and keeps the outcome', () => {
    const [c1, c2] = rebuildConversations(rows);
    assert.equal(c2!.conversation_id, 'c2');
    assert.equal(c1!.turns.length, 2);
    assert.deepEqual(c1!.turns.map((t) => [t.input, t.output, t.status]), [['When does it ship?', 'It ships tomorrow.', 'ok'], ['And returns?', 'Within 60 days.', 'ok']]);
    assert.deepEqual(c1!.turns[0]!.context.map((d) => d.doc_id), ['shipping', 'returns-window']);
    assert.equal(c1!.escalation, 'wrong_answer');
    assert.deepEqual(c1!.feedback, [{ thumbs: -1, csat: null, comment: 'wrong window' }]);
    assert.equal(c1!.started_at, Date.UTC(2026, 10, 21, 10));
    assert.equal(c2!.turns[0]!.status, 'missing');
  });

  it('renders the transcript the judge reads, in order, with context and the outcome', () => {
    const text = renderTranscript(rebuildConversations(rows)[0]!);
    const order = ['When does it ship?', '[shipping] Ships in 1 day.', 'Assistant: It ships tomorrow.', 'And returns?', '[returns-window] Returns within 30 days.', 'Assistant: Within 60 days.', 'escalated to a human (reason: wrong_answer)', 'thumbs down'];
    let at = -1;
    for (const s of order) {
      const i = text.indexOf(s, at + 1);
      assert.ok(i > at, `"${s}" out of order in:\n${text}`);
      at = i;
    }
  });
});
