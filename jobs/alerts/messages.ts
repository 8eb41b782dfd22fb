/**
 * Message bodies: Slack Block Kit for incoming webhooks, and a generic JSON document.
 * Slack limits respected: header text 150 chars, section text 3000, 10 fields of 2000, button
 * text 75. Text from alerts is escaped for mrkdwn (&, <, >) so an example cannot ping @channel
 * or forge a link.
 */
import { fmtTime, type Alert, type Severity } from './model.ts';
import type { Notice } from './store.ts';

export interface MessageInput {
  notice: Notice;
  alert: Alert;
  first_fired_at: number;
  /** When the message is composed (resolve time for a resolve). */
  at: number;
}

const EMOJI: Record<Severity, string> = { info: ':large_blue_circle:', warning: ':large_orange_circle:', critical: ':red_circle:' };
const NOTICE_LABEL: Record<Exclude<Notice, 'resolved'>, string> = { firing: '', escalated: ' (escalated)', reminder: ' (still firing)' };

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function duration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return h < 48 ? `${h} h ${min % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

function headerText(m: MessageInput): string {
  const a = m.alert;
  if (m.notice === 'resolved') return `:white_check_mark: RESOLVED: ${a.title}`;
  return `${EMOJI[a.severity]} ${a.severity.toUpperCase()}${NOTICE_LABEL[m.notice]}: ${a.title}`;
}

function contextLine(m: MessageInput): string {
  const a = m.alert;
  const when = m.notice === 'resolved' ? `resolved ${fmtTime(m.at)}` : `since ${fmtTime(m.first_fired_at)}`;
  return `kind \`${a.kind}\` · tenant \`${escapeMrkdwn(a.tenant)}\` · fingerprint \`${a.fingerprint}\` · ${when}`;
}

export function slackMessage(m: MessageInput): Record<string, unknown> {
  const a = m.alert;
  const header = clip(headerText(m), 150);
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: header, emoji: true } }];
  if (m.notice === 'resolved') {
    const text = `The condition cleared at ${fmtTime(m.at)}, ${duration(m.at - m.first_fired_at)} after it fired (last severity ${a.severity}).\n*Last summary:* ${escapeMrkdwn(a.summary)}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });
  } else {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(a.summary), 3000) } });
    if (a.facts.length > 0) {
      blocks.push({
        type: 'section',
        fields: a.facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: clip(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, 2000) })),
      });
    }
    if (a.examples.length > 0) {
      const lines = a.examples.slice(0, 3).map((e) => `> ${escapeMrkdwn(clip(e.replace(/\s+/g, ' ').trim(), 300))}`);
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Examples*\n${lines.join('\n')}` } });
    }
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: contextLine(m) }] });
  if (a.links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: a.links.map((l, i) => ({
        type: 'button',
        action_id: `link_${i}`,
        text: { type: 'plain_text', text: clip(l.label, 75), emoji: true },
        url: l.url,
      })),
    });
  }
  return { text: header, blocks };
}

/** Generic webhook body: stable, versioned, everything a receiver needs to act. */
export function webhookMessage(m: MessageInput): Record<string, unknown> {
  return {
    schema: 'lookout.alert.v1',
    notice: m.notice,
    status: m.notice === 'resolved' ? 'resolved' : 'firing',
    sent_at: new Date(m.at).toISOString(),
    first_fired_at: new Date(m.first_fired_at).toISOString(),
    alert: m.alert,
  };
}
