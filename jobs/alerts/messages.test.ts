import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slackMessage, webhookMessage } from './messages.ts';
import { toAlert } from './model.ts';

const SAMPLE = toAlert({
  kind: 'cost_anomaly',
  severity: 'critical',
  tenant: 'acme',
  subject: 'spend:chat-bot',
  title: 'Spend 5.2x the usual for chat-bot',
  summary: 'Spend was $41.60 in the hour from 2026-11-02 13:00 UTC, 5.2x the usual $8.00 (+420%).',
  facts: [
    { label: 'Value', value: '$41.60' },
    { label: 'Baseline', value: '$8.00 <median>' },
  ],
  examples: ['refund   for order <!channel> & more', 'second', 'third', 'fourth is not shown'],
  links: [{ label: 'Grafana', url: 'https://grafana.example.com/d/cost?var-tenant=acme' }],
});
const T_FIRED = Date.parse('2026-11-02T14:05:00Z');

test('firing message: exact Block Kit payload', () => {
  assert.deepEqual(slackMessage({ notice: 'firing', alert: SAMPLE, first_fired_at: T_FIRED, at: T_FIRED }), {
    text: ':red_circle: CRITICAL: Spend 5.2x the usual for chat-bot',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: ':red_circle: CRITICAL: Spend 5.2x the usual for chat-bot', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Spend was $41.60 in the hour from 2026-11-02 13:00 UTC, 5.2x the usual $8.00 (+420%).' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Value*\n$41.60' },
          { type: 'mrkdwn', text: '*Baseline*\n$8.00 &lt;median&gt;' },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: '*Examples*\n> refund for order &lt;!channel&gt; &amp; more\n> second\n> third' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `kind \`cost_anomaly\` · tenant \`acme\` · fingerprint \`${SAMPLE.fingerprint}\` · since 2026-11-02 14:05 UTC` }] },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'link_0', text: { type: 'plain_text', text: 'Grafana', emoji: true }, url: 'https://grafana.example.com/d/cost?var-tenant=acme' }],
      },
    ],
  });
});

test('escalation, reminder and resolve variants', () => {
  const at = T_FIRED + 3 * 3_600_000 + 20 * 60_000;
  const esc = slackMessage({ notice: 'escalated', alert: SAMPLE, first_fired_at: T_FIRED, at });
  assert.equal(esc.text, ':red_circle: CRITICAL (escalated): Spend 5.2x the usual for chat-bot');
  const warn = slackMessage({ notice: 'reminder', alert: { ...SAMPLE, severity: 'warning' }, first_fired_at: T_FIRED, at });
  assert.equal(warn.text, ':large_orange_circle: WARNING (still firing): Spend 5.2x the usual for chat-bot');
  assert.deepEqual(slackMessage({ notice: 'resolved', alert: SAMPLE, first_fired_at: T_FIRED, at }), {
    text: ':white_check_mark: RESOLVED: Spend 5.2x the usual for chat-bot',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: ':white_check_mark: RESOLVED: Spend 5.2x the usual for chat-bot', emoji: true } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'The condition cleared at 2026-11-02 17:25 UTC, 3 h 20 min after it fired (last severity critical).\n*Last summary:* Spend was $41.60 in the hour from 2026-11-02 13:00 UTC, 5.2x the usual $8.00 (+420%).',
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `kind \`cost_anomaly\` · tenant \`acme\` · fingerprint \`${SAMPLE.fingerprint}\` · resolved 2026-11-02 17:25 UTC` }] },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'link_0', text: { type: 'plain_text', text: 'Grafana', emoji: true }, url: 'https://grafana.example.com/d/cost?var-tenant=acme' }],
      },
    ],
  });
});

test('Slack length limits are respected', () => {
  const long = { ...SAMPLE, title: 'x'.repeat(400), summary: 'y'.repeat(5000), facts: Array.from({ length: 10 }, (_, i) => ({ label: `f${i}`, value: 'z'.repeat(300) })) };
  const msg = slackMessage({ notice: 'firing', alert: long, first_fired_at: T_FIRED, at: T_FIRED }) as { blocks: { type: string; text?: { text: string }; fields?: unknown[] }[] };
  assert.equal(msg.blocks[0]!.text!.text.length, 150);
  assert.equal(msg.blocks[1]!.text!.text.length, 3000);
  assert.equal(msg.blocks[2]!.fields!.length, 10);
});

test('generic webhook body', () => {
  assert.deepEqual(webhookMessage({ notice: 'resolved', alert: SAMPLE, first_fired_at: T_FIRED, at: T_FIRED + 60_000 }), {
    schema: 'lookout.alert.v1',
    notice: 'resolved',
    status: 'resolved',
    sent_at: '2026-11-02T14:06:00.000Z',
    first_fired_at: '2026-11-02T14:05:00.000Z',
    alert: SAMPLE,
  });
});
