/** The redaction library: detectors, operators, whole-event redaction. */
export { createRedactor, redactText, resolveOverlaps, type Redactor } from './redactor.ts';
export { redactEvent, type RedactedEvent } from './event.ts';
export {
  DEFAULT_OPERATORS,
  ENTITY_TYPES,
  OPERATORS,
  PRIORITY,
  RedactionError,
  type Counts,
  type EntityType,
  type FieldOverride,
  type Operator,
  type RedactResult,
  type RedactionErrorReason,
  type RedactionOptions,
  type Span,
} from './types.ts';
