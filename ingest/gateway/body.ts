/**
 * Turns a POST /v1/events body into items: one JSON object, a JSON array, or NDJSON (one object a
 * line, blank lines ignored). A line that is not JSON becomes an error for that item only.
 */
export type Item = { index: number; value: unknown } | { index: number; error: { reason: 'invalid_json'; message: string } };

export class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function isNdjsonType(contentType: string | undefined): boolean {
  return /ndjson|jsonl|json-seq/i.test(contentType ?? '');
}

function parseLines(text: string, maxItems: number): Item[] {
  const items: Item[] = [];
  const lines = text.split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const index = items.length;
    if (index >= maxItems) throw new BodyError(413, 'too_many_items', `at most ${maxItems} events per request`);
    try {
      items.push({ index, value: JSON.parse(line) });
    } catch (err) {
      items.push({ index, error: { reason: 'invalid_json', message: `line ${index + 1}: ${(err as Error).message.slice(0, 120)}` } });
    }
  }
  return items;
}

export function parseEventsBody(text: string, contentType: string | undefined, maxItems: number): Item[] {
  if (isNdjsonType(contentType)) return parseLines(text, maxItems);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // JSON bodies that are really NDJSON (common with generic HTTP clients).
    if (text.trim().includes('\n')) return parseLines(text, maxItems);
    throw new BodyError(400, 'invalid_json', `body is not valid JSON: ${(err as Error).message.slice(0, 120)}`);
  }
  const values = Array.isArray(parsed) ? parsed : [parsed];
  if (values.length > maxItems) throw new BodyError(413, 'too_many_items', `at most ${maxItems} events per request`);
  if (values.length === 0) throw new BodyError(400, 'empty', 'no events in the body');
  return values.map((value, index) => ({ index, value }));
}
