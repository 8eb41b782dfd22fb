/** Entity types, operators, options and the error type shared by the redaction module. */

export const ENTITY_TYPES = [
  'EMAIL',
  'PHONE',
  'CARD',
  'IBAN',
  'US_SSN',
  'UK_NINO',
  'KR_RRN',
  'IN_AADHAAR',
  'ES_DNI',
  'IP_ADDRESS',
  'URL_CREDENTIAL',
  'SECRET',
  'DATE_OF_BIRTH',
  'PERSON',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const OPERATORS = ['pseudonym', 'mask', 'remove'] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * When two detections overlap, the region becomes one span of the higher-priority type:
 * validated and structural types beat looser, context-based ones.
 */
export const PRIORITY: Record<EntityType, number> = {
  URL_CREDENTIAL: 100,
  SECRET: 95,
  CARD: 90,
  IBAN: 88,
  US_SSN: 85,
  KR_RRN: 84,
  IN_AADHAAR: 83,
  ES_DNI: 82,
  UK_NINO: 81,
  EMAIL: 70,
  IP_ADDRESS: 60,
  DATE_OF_BIRTH: 50,
  PHONE: 40,
  PERSON: 30,
};

/** Secrets are never worth correlating, and a keyed hash of a weak password is still a risk. */
export const DEFAULT_OPERATORS: Record<EntityType, Operator> = {
  EMAIL: 'pseudonym',
  PHONE: 'pseudonym',
  CARD: 'pseudonym',
  IBAN: 'pseudonym',
  US_SSN: 'pseudonym',
  UK_NINO: 'pseudonym',
  KR_RRN: 'pseudonym',
  IN_AADHAAR: 'pseudonym',
  ES_DNI: 'pseudonym',
  IP_ADDRESS: 'pseudonym',
  URL_CREDENTIAL: 'remove',
  SECRET: 'remove',
  DATE_OF_BIRTH: 'pseudonym',
  PERSON: 'pseudonym',
};

/** A detection before overlap resolution: offsets into the scanned text, end exclusive. */
export interface RawSpan {
  type: EntityType;
  start: number;
  end: number;
}

/** A redacted region, in offsets of the original text. Never carries the original value. */
export interface Span {
  type: EntityType;
  start: number;
  end: number;
  operator: Operator;
}

export type Counts = Partial<Record<EntityType, number>>;

export interface RedactResult {
  text: string;
  spans: Span[];
  counts: Counts;
}

/** Operator overrides for one field: one operator for every type, or per type. */
export type FieldOverride = Operator | { operator?: Operator; operators?: Partial<Record<EntityType, Operator>> };

export interface RedactionOptions {
  /** HMAC-SHA256 secret for pseudonyms, at least 16 characters. */
  key: string;
  /** Names the key so rows pseudonymised under different keys can be told apart after rotation. */
  keyId?: string;
  /** Per entity type operator; unlisted types use DEFAULT_OPERATORS. */
  operators?: Partial<Record<EntityType, Operator>>;
  /**
   * Per field overrides, by field path: `input_text`, `output_text`, `query_text`, `retrieved.snippet`,
   * `retrieved.title`, `tool.arguments`, `tool.result`, `feedback.comment`, `escalation.comment`,
   * `error.message`, `document.text`, `document.title`, `document.url`, `attributes`.
   */
  fields?: Record<string, FieldOverride>;
  /** Entity types not to detect at all. */
  disabled?: EntityType[];
  /** Hex characters of the keyed token in text placeholders (default 12). */
  tokenHexChars?: number;
  /** Largest text redactText accepts, in UTF-16 code units (default: LIMITS.documentChars). */
  maxChars?: number;
}

export type RedactionErrorReason = 'invalid_options' | 'invalid_input' | 'too_large' | 'too_deep' | 'internal';

/** Thrown whenever redaction cannot be guaranteed. The message never contains event text. */
export class RedactionError extends Error {
  readonly reason: RedactionErrorReason;
  /** Field path (structure only, never a value). */
  readonly field: string | undefined;

  constructor(reason: RedactionErrorReason, field?: string) {
    super(field ? `redaction failed: ${reason} at ${field}` : `redaction failed: ${reason}`);
    this.name = 'RedactionError';
    this.reason = reason;
    this.field = field;
  }
}
