/**
 * Size limits are part of the v1 contract: producers can check them before sending, and the
 * processor dead-letters anything larger instead of truncating it silently.
 */
export const LIMITS = {
  /** Whole event, serialised as UTF-8 JSON. Well under Kafka's default 1 MiB message size. */
  eventBytes: 256 * 1024,
  /** input_text, output_text, tool arguments and results (characters). */
  textChars: 32 * 1024,
  /** A retrieved snippet or a feedback comment (characters). */
  snippetChars: 4 * 1024,
  /** Optional full text carried by a kb_document event (characters). */
  documentChars: 128 * 1024,
  /** Identifiers and short labels: tenant, service, model, doc ids, versions (characters). */
  idChars: 256,
  retrievedItems: 50,
  guardrailTriggers: 32,
  attributesKeys: 64,
  /** Attributes serialised as JSON (bytes). */
  attributesBytes: 16 * 1024,
  /** Nesting depth of attribute values (an object inside the attributes object is depth 1). */
  attributesDepth: 4,
} as const;
