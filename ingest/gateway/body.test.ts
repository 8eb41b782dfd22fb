import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyError, parseEventsBody } from './body.ts';

test('NDJSON: one item a line, blank lines skipped, a bad line is an error for that item only', () => {
  const items = parseEventsBody('{"a":1}\n\n  {"a":2}\r\nnot json\n{"a":3}\n', 'application/x-ndjson', 100);
  assert.equal(items.length, 4);
  assert.deepEqual(items[0], { index: 0, value: { a: 1 } });
  assert.deepEqual(items[1], { index: 1, value: { a: 2 } });
  assert.ok('error' in items[2]! && items[2].error.reason === 'invalid_json');
  assert.match(('error' in items[2]! && items[2].error.message) || '', /^line 3/);
  assert.deepEqual(items[3], { index: 3, value: { a: 3 } });
});

test('JSON: a single object or an array', () => {
  assert.deepEqual(parseEventsBody('{"x":true}', 'application/json', 10), [{ index: 0, value: { x: true } }]);
  assert.deepEqual(parseEventsBody('[1, {"y":2}]', 'application/json', 10).map((i) => 'value' in i && i.value), [1, { y: 2 }]);
});

test('NDJSON sent as application/json is still understood', () => {
  assert.equal(parseEventsBody('{"a":1}\n{"a":2}', 'application/json', 10).length, 2);
});

test('limits and errors: too many items is 413, broken JSON 400, empty array 400', () => {
  assert.throws(() => parseEventsBody('[1,2,3]', 'application/json', 2), (e: unknown) => e instanceof BodyError && e.status === 413);
  assert.throws(() => parseEventsBody('1\n2\n3', 'application/x-ndjson', 2), (e: unknown) => e instanceof BodyError && e.status === 413);
  assert.throws(() => parseEventsBody('{"a":', 'application/json', 2), (e: unknown) => e instanceof BodyError && e.status === 400);
  assert.throws(() => parseEventsBody('[]', 'application/json', 2), (e: unknown) => e instanceof BodyError && e.reason === 'empty');
});
