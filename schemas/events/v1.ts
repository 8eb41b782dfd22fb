/**
 * The Lookout event contract, version 1: one JSON object per model-interaction turn.
 * Everything else imports its event types from here. `events.v1.schema.json` beside this file is
 * generated from these schemas (`npm run gen:schema`) for producers in other languages.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

export const SCHEMA_VERSION = 1 as const;

export const EVENT_TYPES = [
  'request',
  'response',
  'feedback',
  'escalation',
  'tool_call',
  'retrieval',
  'kb_document',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Epoch milliseconds between 2000-01-01 and 2100-01-01: catches seconds-vs-ms mistakes. */
const epochMs = z
  .number()
  .int()
  .min(946_684_800_000, 'must be epoch milliseconds after 2000-01-01 (seconds given?)')
  .max(4_102_444_800_000, 'must be epoch milliseconds before 2100-01-01');

const id = z.string().min(1).max(LIMITS.idChars);
const label = z.string().max(LIMITS.idChars);
const text = z.string().max(LIMITS.textChars);
const snippet = z.string().max(LIMITS.snippetChars);
const count = z.number().int().min(0).max(2 ** 31 - 1);
const millis = z.number().min(0).max(86_400_000);

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let max = 0;
  for (const v of Object.values(value as Record<string, unknown>)) max = Math.max(max, depthOf(v));
  return max + 1;
}

/** Free-form key/value context. Values are any JSON, bounded in keys, bytes and depth. */
export const Attributes = z
  .record(z.string().min(1).max(128), z.json())
  .superRefine((attrs, ctx) => {
    const keys = Object.keys(attrs).length;
    if (keys > LIMITS.attributesKeys) {
      ctx.addIssue({ code: 'custom', message: `at most ${LIMITS.attributesKeys} keys, got ${keys}` });
    }
    const bytes = Buffer.byteLength(JSON.stringify(attrs), 'utf8');
    if (bytes > LIMITS.attributesBytes) {
      ctx.addIssue({ code: 'custom', message: `at most ${LIMITS.attributesBytes} bytes as JSON, got ${bytes}` });
    }
    const depth = depthOf(attrs) - 1;
    if (depth > LIMITS.attributesDepth) {
      ctx.addIssue({ code: 'custom', message: `values nested at most ${LIMITS.attributesDepth} deep, got ${depth}` });
    }
  })
  .describe('Free-form context (plan, locale, experiment arm...). Unknown top-level fields land here too.');

/** Fields every event carries. */
const common = {
  event_id: z.uuid().describe('Producer-made UUID; the idempotency key across retries and replays.'),
  schema_version: z.literal(SCHEMA_VERSION),
  ts: epochMs.describe('Producer clock, epoch milliseconds.'),
  received_at: epochMs.optional().describe('Processor clock, epoch milliseconds; set by Lookout.'),
  tenant: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64, starting alphanumeric'),
  service: id.describe('The emitting support service, e.g. "chat-bot" or "ticket-triage".'),
  environment: label.default('production'),
  conversation_id: id.describe('Groups the turns of one conversation; the Kafka message key.'),
  turn: count.optional().describe('0-based turn number within the conversation.'),
  user_id: id.optional().describe('End-user id; pseudonymised (keyed HMAC) before storage.'),
  channel: label.optional().describe('web, email, voice, sms, slack, api...'),
  attributes: Attributes.optional(),
};

/** Fields describing the model call a turn belongs to. */
const modelCall = {
  model: label.optional(),
  provider: label.optional(),
  prompt_version: label.optional(),
  kb_version: label.optional().describe('Knowledge-base version the answer was grounded on.'),
};

export const RetrievedDoc = z.looseObject({
  doc_id: id,
  kb_version: label.optional(),
  title: label.optional(),
  score: z.number().finite().optional(),
  snippet: snippet.optional(),
});

export const Usage = z.looseObject({
  input_tokens: count.default(0),
  output_tokens: count.default(0),
  cached_input_tokens: count.default(0).describe('Input tokens served from the provider prompt cache.'),
  cache_write_tokens: count.default(0).describe('Input tokens written to the provider prompt cache.'),
  reasoning_tokens: count.default(0).describe('Included in output_tokens by providers that report it.'),
});

const retrievedList = z.array(RetrievedDoc).max(LIMITS.retrievedItems);

export const RequestEvent = z.looseObject({
  ...common,
  ...modelCall,
  type: z.literal('request'),
  input_text: text,
});

export const ResponseEvent = z.looseObject({
  ...common,
  ...modelCall,
  type: z.literal('response'),
  input_text: text.optional().describe('The user input answered, when the request event is not sent separately.'),
  output_text: text.default(''),
  retrieved: retrievedList.optional(),
  usage: Usage.optional(),
  latency_ms: millis.optional(),
  ttft_ms: millis.optional().describe('Time to first token, for streamed answers.'),
  status: z.enum(['ok', 'error', 'timeout', 'filtered', 'cancelled']).default('ok'),
  error: z.looseObject({ code: label.optional(), message: snippet.optional() }).optional(),
  fallback_used: z.boolean().default(false),
  cache_hit: z.boolean().default(false),
  guardrail_triggers: z.array(label).max(LIMITS.guardrailTriggers).default([]),
});

export const FeedbackEvent = z.looseObject({
  ...common,
  type: z.literal('feedback'),
  target_event_id: z.uuid().optional().describe('The response event this feedback is about.'),
  feedback: z
    .looseObject({
      thumbs: z.enum(['up', 'down']).optional(),
      csat: z.number().int().min(1).max(5).optional(),
      comment: snippet.optional(),
      source: z.enum(['user', 'agent', 'evaluator']).default('user'),
    })
    .refine((f) => f.thumbs !== undefined || f.csat !== undefined || f.comment !== undefined, {
      message: 'needs at least one of thumbs, csat or comment',
    }),
});

export const EscalationEvent = z.looseObject({
  ...common,
  type: z.literal('escalation'),
  escalation: z.looseObject({
    reason: label.describe('Why: user_request, low_confidence, policy, loop...'),
    target: label.optional().describe('Where to: human, tier2, billing-team...'),
    comment: snippet.optional(),
  }),
});

export const ToolCallEvent = z.looseObject({
  ...common,
  ...modelCall,
  type: z.literal('tool_call'),
  tool: z.looseObject({
    name: id,
    arguments: text.optional().describe('Arguments as text (usually JSON).'),
    result: text.optional(),
    status: z.enum(['ok', 'error']).default('ok'),
    latency_ms: millis.optional(),
  }),
});

export const RetrievalEvent = z.looseObject({
  ...common,
  type: z.literal('retrieval'),
  kb_version: label.optional(),
  query_text: text.optional(),
  retrieved: retrievedList,
  latency_ms: millis.optional(),
});

export const KbDocumentEvent = z.looseObject({
  ...common,
  type: z.literal('kb_document'),
  conversation_id: id.optional().describe('Unused for kb_document; the Kafka key is the doc id.'),
  document: z.looseObject({
    doc_id: id,
    version: label.min(1),
    title: label.optional(),
    updated_at: epochMs.describe('When this version was published, epoch milliseconds.'),
    action: z.enum(['published', 'updated', 'retired']).default('published'),
    url: z.string().max(2048).optional(),
    text: z.string().max(LIMITS.documentChars).optional(),
  }),
});

export const Event = z.discriminatedUnion('type', [
  RequestEvent,
  ResponseEvent,
  FeedbackEvent,
  EscalationEvent,
  ToolCallEvent,
  RetrievalEvent,
  KbDocumentEvent,
]);

export const EVENT_SCHEMAS = {
  request: RequestEvent,
  response: ResponseEvent,
  feedback: FeedbackEvent,
  escalation: EscalationEvent,
  tool_call: ToolCallEvent,
  retrieval: RetrievalEvent,
  kb_document: KbDocumentEvent,
} as const;

/** A validated event (defaults applied). */
export type LookoutEvent = z.output<typeof Event>;
/** What a producer may send (defaulted fields optional). */
export type LookoutEventInput = z.input<typeof Event>;
export type EventOf<T extends EventType> = z.output<(typeof EVENT_SCHEMAS)[T]>;
export type RetrievedDocT = z.output<typeof RetrievedDoc>;
export type UsageT = z.output<typeof Usage>;
