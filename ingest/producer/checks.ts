/**
 * Cheap structural checks run by default before an event is queued: they catch the mistakes a
 * caller actually makes (wrong type, missing id, seconds instead of milliseconds, oversize) at a
 * fraction of the cost of the full zod schema. The processor validates fully either way and
 * dead-letters what fails; `validation: 'full'` runs the zod schema here too.
 */
import { EVENT_SCHEMAS, EVENT_TYPES, LIMITS, type EventType } from '../../schemas/events/index.ts';

export interface Problem {
  path: string;
  message: string;
}

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TYPES = new Set<string>(EVENT_TYPES);
const MIN_MS = 946_684_800_000;
const MAX_MS = 4_102_444_800_000;

function idOk(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0 && v.length <= LIMITS.idChars;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function lightCheck(e: Record<string, unknown>): Problem | undefined {
  const type = e.type;
  if (typeof type !== 'string' || !TYPES.has(type)) return { path: 'type', message: `type must be one of ${EVENT_TYPES.join(', ')}` };
  if (typeof e.tenant !== 'string' || !TENANT.test(e.tenant)) return { path: 'tenant', message: 'tenant must be 1-64 letters, digits, ".", "_" or "-"' };
  if (!idOk(e.service)) return { path: 'service', message: 'service is required' };
  if (typeof e.ts !== 'number' || !(e.ts >= MIN_MS && e.ts <= MAX_MS)) return { path: 'ts', message: 'ts must be epoch milliseconds' };
  switch (type as EventType) {
    case 'kb_document': {
      const d = e.document;
      if (!isObject(d) || !idOk(d.doc_id)) return { path: 'document.doc_id', message: 'document.doc_id is required' };
      if (!idOk(d.version)) return { path: 'document.version', message: 'document.version is required' };
      if (typeof d.updated_at !== 'number') return { path: 'document.updated_at', message: 'document.updated_at (epoch ms) is required' };
      return undefined;
    }
    case 'request':
      if (typeof e.input_text !== 'string') return { path: 'input_text', message: 'input_text is required' };
      break;
    case 'feedback':
      if (!isObject(e.feedback)) return { path: 'feedback', message: 'feedback is required' };
      break;
    case 'escalation':
      if (!isObject(e.escalation) || typeof e.escalation.reason !== 'string') return { path: 'escalation.reason', message: 'escalation.reason is required' };
      break;
    case 'tool_call':
      if (!isObject(e.tool) || !idOk(e.tool.name)) return { path: 'tool.name', message: 'tool.name is required' };
      break;
    case 'retrieval':
      if (!Array.isArray(e.retrieved)) return { path: 'retrieved', message: 'retrieved must be an array' };
      break;
    case 'response':
      break;
  }
  if (!idOk(e.conversation_id)) return { path: 'conversation_id', message: 'conversation_id is required' };
  return undefined;
}

export function fullCheck(e: Record<string, unknown>): Problem | undefined {
  const light = lightCheck(e);
  if (light) return light;
  const parsed = EVENT_SCHEMAS[e.type as EventType].safeParse(e);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return { path, message: `${path || 'event'}: ${issue.message}` };
}

/** The Kafka message key: one conversation stays on one partition, in order. */
export function keyOf(e: Record<string, unknown>): string {
  if (e.type === 'kb_document') return String((e.document as Record<string, unknown>).doc_id);
  return String(e.conversation_id);
}
