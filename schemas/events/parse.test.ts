/**
 * Events parsed from JSON text skip zod's check of `attributes` when attributesFit() vouches for
 * them. These tests hold that shortcut to zod's verdicts on a large varied corpus, hostile values
 * included: text input (shortcut) and the same event as an object (full schemas only) must give
 * the same result, to the message, and attributesFit() may only ever accept what zod accepts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rng } from '../../common/random.ts';
import { makeEvent } from '../../test/fixtures/events.ts';
import { EXAMPLE_EVENTS } from './examples.ts';
import { LIMITS } from './limits.ts';
import { attributesFit, parseEvent } from './parse.ts';
import { Attributes, EVENT_TYPES } from './v1.ts';

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Strings that stress escaping and UTF-8 sizes: quotes, backslashes, controls, astral and lone surrogates. */
const PIECES = ['a', 'plan', '"', '\\', '\n', '\u0000', '\u001f', 'é', '€', '😀', '\ud800', '\udfff', ' ', '</script>', '\u2028'];

function randomString(rand: Rand, maxLen: number): string {
  const n = Math.floor(rand() ** 3 * maxLen);
  let s = '';
  while (s.length < n) s += pick(rand, PIECES);
  return s;
}

function randomNumber(rand: Rand): number {
  return pick(rand, [0, -0, 1, -1, 0.5, 1e21, 1e-7, 2 ** 53 + 2, -1.7976931348623157e308, 5e-324, Math.floor(rand() * 1e6), rand()]);
}

/** A JSON value up to `depth` levels of containers, sometimes deeper than the attributes allow. */
function randomJson(rand: Rand, depth: number): unknown {
  const r = rand();
  if (depth <= 0 || r < 0.45) {
    return pick(rand, [() => randomString(rand, 40), () => randomNumber(rand), () => rand() < 0.5, () => null])();
  }
  const n = Math.floor(rand() * 5);
  if (r < 0.7) return Array.from({ length: n }, () => randomJson(rand, depth - 1));
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) obj[randomString(rand, 12) || `k${i}`] = randomJson(rand, depth - 1);
  return obj;
}

function randomKey(rand: Rand, i: number): string {
  const r = rand();
  if (r < 0.03) return '';
  if (r < 0.06) return 'k'.repeat(128);
  if (r < 0.09) return 'k'.repeat(129);
  if (r < 0.12) return `é${'€'.repeat(127)}`;
  return `${randomString(rand, 16)}${i}`;
}

/** Attributes of every kind: typical, wide, deep, near the byte limit, and not a record at all. */
function randomAttributes(rand: Rand): unknown {
  const r = rand();
  if (r < 0.04) return pick(rand, [null, 'x', 7, [], [{ a: 1 }], true]);
  if (r < 0.1) return undefined;
  const attrs: Record<string, unknown> = {};
  if (r < 0.3) {
    // Near the byte limit, with characters that change size when escaped or encoded.
    const piece = pick(rand, ['x', '"', '\\', '\u0001', 'é', '€', '😀', '\ud800']);
    const target = LIMITS.attributesBytes - 12 + Math.floor(rand() * 24);
    const perPiece = Buffer.byteLength(JSON.stringify(piece), 'utf8') - 2;
    attrs.blob = piece.repeat(Math.max(0, Math.floor((target - 10) / perPiece)));
    if (rand() < 0.5) attrs.n = randomNumber(rand);
    return attrs;
  }
  const keys = r < 0.45 ? LIMITS.attributesKeys - 2 + Math.floor(rand() * 4) : Math.floor(rand() * 6);
  for (let i = 0; i < keys; i++) attrs[randomKey(rand, i)] = randomJson(rand, Math.floor(rand() * (LIMITS.attributesDepth + 3)));
  return attrs;
}

/** Mutations of a valid event: attributes, unknown fields (moved into attributes), and bad fields. */
function mutate(base: Record<string, unknown>, rand: Rand): Record<string, unknown> {
  const e = structuredClone(base);
  const attrs = randomAttributes(rand);
  if (attrs === undefined) delete e.attributes;
  else e.attributes = attrs;
  if (rand() < 0.3) e[rand() < 0.5 ? 'sentiment' : randomKey(rand, 0)] = randomJson(rand, 3);
  if (rand() < 0.15 && e.attributes && typeof e.attributes === 'object' && !Array.isArray(e.attributes)) {
    // An unknown field whose name is already an attribute: it lands under `_unknown.`.
    const first = Object.keys(e.attributes)[0];
    if (first) e[first] = 'clash';
  }
  if (rand() < 0.1) for (let i = 0; i < 70; i++) e[`extra_${i}`] = i;
  const nested = ['usage', 'tool', 'document', 'feedback', 'escalation', 'error'].find((k) => e[k] && typeof e[k] === 'object');
  if (nested && rand() < 0.2) (e[nested] as Record<string, unknown>)[rand() < 0.5 ? 'extra' : 'k'.repeat(130)] = randomJson(rand, 2);
  if (rand() < 0.1) e.turn = pick(rand, [-1, 'one', 1.5, null]);
  if (rand() < 0.05) e.event_id = 'not-a-uuid';
  return e;
}

function corpus(): string[] {
  const rand = rng(20_261_122);
  const bases: Record<string, unknown>[] = [
    ...EVENT_TYPES.map((t) => structuredClone(EXAMPLE_EVENTS[t]) as Record<string, unknown>),
    ...Array.from({ length: 40 }, (_, i) => makeEvent(i, { seed: 5, canary: i % 3 === 0, textBytes: 200 }) as Record<string, unknown>),
  ];
  const texts: string[] = [];
  for (const base of bases) {
    texts.push(JSON.stringify(base));
    for (let i = 0; i < 60; i++) texts.push(JSON.stringify(mutate(base, rand)));
  }
  const ex = JSON.stringify(EXAMPLE_EVENTS.request).slice(0, -1);
  // Text that objects cannot produce: numbers past the double range, escapes, duplicate keys.
  texts.push(`${ex},"attributes":{"big":1e400}}`);
  texts.push(`${ex},"attributes":{"neg":-1e400,"ok":1}}`);
  texts.push(`${ex},"attributes":{"a":1,"a":{"b":[1,2,{"c":null}]}}}`);
  texts.push(`${ex},"attributes":{"\\u0000":"\\ud83d\\ude00","\\ud800":"x"}}`);
  texts.push(`${ex},"attributes":{"deep":[[[[["too deep"]]]]]}}`);
  texts.push(`${ex},"attributes":{"deep":[[[["fits"]]]]}}`);
  texts.push(`${ex},"attributes":{"a":{"__proto__":{"polluted":1}}}}`);
  texts.push(`${ex},"attributes":{"a":{"constructor":{"prototype":1}}}}`);
  texts.push(`${ex},"sentiment":1e400}`);
  return texts;
}

test('events from text (attributes shortcut) and the same events as objects (full zod) give identical results', () => {
  let accepted = 0;
  let rejected = 0;
  for (const text of corpus()) {
    const fromText = parseEvent(text);
    const fromObject = parseEvent(JSON.parse(text));
    assert.deepEqual(fromText, fromObject, text.slice(0, 300));
    if (fromText.ok) accepted++;
    else rejected++;
  }
  // The corpus must exercise both sides, or it proves nothing.
  assert.ok(accepted > 800 && rejected > 800, `accepted ${accepted}, rejected ${rejected}`);
});

test('attributesFit accepts only what the Attributes schema accepts, and accepts the usual shapes', () => {
  const rand = rng(7);
  let fit = 0;
  let notFit = 0;
  const values: unknown[] = [
    undefined, {}, { plan: 'pro' }, { plan: 'pro', locale: 'de-DE', trial: true, seats: 12, tags: ['a', 'b'], nested: { a: { b: { c: 1 } } } },
    Object.create(null), new Date(0), [], null, { f: () => 1 }, { u: undefined }, { n: Number.NaN }, { i: Number.POSITIVE_INFINITY }, { d: new Date(0) },
    // A sparse array: JSON text cannot make one, a caller's object can.
    { s: [1, , 3] },
  ];
  for (let i = 0; i < 8_000; i++) values.push(randomAttributes(rand));
  for (const value of values) {
    const zodOk = Attributes.optional().safeParse(value).success;
    if (attributesFit(value)) {
      fit++;
      assert.ok(zodOk, `attributesFit accepted what zod rejects: ${JSON.stringify(value)?.slice(0, 200)}`);
    } else notFit++;
  }
  assert.ok(attributesFit({ plan: 'pro' }) && attributesFit(undefined) && attributesFit(values[3]), 'the usual attributes take the shortcut');
  assert.ok(fit > 2_000 && notFit > 1_000, `fit ${fit}, not fit ${notFit}`);
});
