/**
 * The rubric as code: the judge prompt is a versioned file in rubric/ (`<name>.md`); the version
 * stored with every score is the file name plus a hash of its content, so an edited prompt can
 * never pass for the old one. The model's answer must match `JudgmentSchema`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Conversation } from './conversations.ts';

export const CRITERIA = ['faithfulness', 'relevance', 'resolution', 'tone', 'safety'] as const;
export type Criterion = (typeof CRITERIA)[number];

export const RUBRIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'rubric');

const CriterionScore = z.object({
  score: z.number().int().min(1).max(5),
  rationale: z.string().trim().min(1).max(1000),
});
export const JudgmentSchema = z.object(Object.fromEntries(CRITERIA.map((c) => [c, CriterionScore])) as Record<Criterion, typeof CriterionScore>);
export type Judgment = z.output<typeof JudgmentSchema>;

export interface Rubric {
  /** `support-v1@1a2b3c4d`: file name and content hash, stored as prompt_version. */
  version: string;
  system: string;
}

export function loadRubric(name: string, dir = RUBRIC_DIR): Rubric {
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name)) throw new Error(`rubric name ${JSON.stringify(name)}: lower-case letters, digits, ".", "_" or "-"`);
  const path = join(dir, `${name}.md`);
  if (!existsSync(path)) throw new Error(`rubric ${name} not found (${path})`);
  const system = readFileSync(path, 'utf8').trim();
  return { version: `${name}@${createHash('sha256').update(system).digest('hex').slice(0, 8)}`, system };
}

export class MalformedAnswerError extends Error {
  override readonly name = 'MalformedAnswerError';
}

/** Parses a model answer: one JSON object, optionally inside a ``` fence. Throws MalformedAnswerError. */
export function parseJudgment(text: string): Judgment {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  const body = (fenced ? fenced[1]! : text).trim();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedAnswerError('answer is not JSON');
  }
  const parsed = JudgmentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MalformedAnswerError(`answer does not match the rubric schema: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Caps keep one prompt bounded whatever a conversation holds. */
const MAX_TEXT = 2_000;
const MAX_SNIPPET = 600;
const MAX_TRANSCRIPT = 14_000;

function clip(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** The user message: the conversation as plain text, in turn order, with its context. */
export function renderTranscript(c: Conversation): string {
  const lines: string[] = [`Conversation ${c.conversation_id} (tenant ${c.tenant}, channel ${c.channel || 'unknown'})`];
  for (const t of c.turns) {
    lines.push('', `## Turn ${t.turn + 1}`);
    lines.push(`Customer: ${clip(t.input, MAX_TEXT) || '(empty)'}`);
    if (t.context.length === 0) lines.push('Retrieved context: (nothing retrieved)');
    else {
      lines.push('Retrieved context:');
      for (const d of t.context) lines.push(`- [${d.doc_id}] ${clip(d.snippet, MAX_SNIPPET) || '(no snippet)'}`);
    }
    for (const tool of t.tools) lines.push(`Tool ${tool.name} (${tool.status}): ${clip(tool.result, MAX_SNIPPET)}`);
    if (t.status !== 'ok') lines.push(`Assistant: (no answer: ${t.status})`);
    else lines.push(`Assistant: ${clip(t.output, MAX_TEXT) || '(empty)'}`);
  }
  const outcome: string[] = [];
  if (c.escalation) outcome.push(`escalated to a human (reason: ${c.escalation})`);
  for (const f of c.feedback) outcome.push(`customer feedback: ${f.thumbs === 1 ? 'thumbs up' : f.thumbs === -1 ? 'thumbs down' : 'no thumbs'}${f.csat ? `, CSAT ${f.csat}/5` : ''}${f.comment ? `, "${clip(f.comment, 300)}"` : ''}`);
  lines.push('', `## Afterwards`, outcome.length ? outcome.map((o) => `- ${o}`).join('\n') : '- nothing recorded');
  const text = lines.join('\n');
  return text.length <= MAX_TRANSCRIPT ? text : `${text.slice(0, MAX_TRANSCRIPT)}\n(transcript truncated)`;
}
