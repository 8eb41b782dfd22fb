import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS } from '../../schemas/events/limits.ts';
import { createRedactor, redactText, resolveOverlaps } from './redactor.ts';
import { RedactionError } from './types.ts';

const KEY = 'unit-test-key-0123456789abcdef';

describe('redactText', () => {
  it('replaces values with typed keyed tokens and reports spans in original offsets', () => {
    const text = 'Mail anna@example.com or call +44 20 7946 0958.';
    const r = redactText(text, { key: KEY });
    assert.match(r.text, /^Mail <EMAIL:[0-9a-f]{12}> or call <PHONE:[0-9a-f]{12}>\.$/);
    assert.deepEqual(
      r.spans.map((s) => [s.type, text.slice(s.start, s.end), s.operator]),
      [
        ['EMAIL', 'anna@example.com', 'pseudonym'],
        ['PHONE', '+44 20 7946 0958', 'pseudonym'],
      ],
    );
    assert.deepEqual(r.counts, { EMAIL: 1, PHONE: 1 });
  });

  it('never puts the original value in spans or counts', () => {
    const r = redactText('card 4111 1111 1111 1111', { key: KEY });
    assert.ok(!JSON.stringify({ spans: r.spans, counts: r.counts }).includes('4111'));
  });

  it('returns the text unchanged when nothing is found', () => {
    const r = redactText('Nothing to see here.', { key: KEY });
    assert.deepEqual(r, { text: 'Nothing to see here.', spans: [], counts: {} });
  });
});

describe('pseudonyms', () => {
  it('are stable across calls and normalised (case, phone formatting)', () => {
    const r = createRedactor({ key: KEY });
    const a = r.redact('Anna@Example.com').text;
    const b = r.redact('anna@example.COM').text;
    assert.equal(a, b);
    const p1 = r.redact('+44 20 7946 0958').text;
    const p2 = r.redact('0044 20-7946-0958').text;
    assert.equal(p1, p2);
    assert.notEqual(r.redact('bob@example.com').text, a);
  });

  it('change with the key, so a key can be rotated, and name the key', () => {
    const old = createRedactor({ key: KEY, keyId: 'k1' });
    const rotated = createRedactor({ key: 'another-key-0123456789abcdef', keyId: 'k2' });
    assert.notEqual(old.redact('anna@example.com').text, rotated.redact('anna@example.com').text);
    assert.equal(old.keyId, 'k1');
    assert.equal(rotated.keyId, 'k2');
    assert.equal(createRedactor({ key: KEY }).redact('anna@example.com').text, old.redact('anna@example.com').text);
  });

  it('pseudonymise user ids as usr_ plus 16 hex', () => {
    const r = createRedactor({ key: KEY });
    assert.match(r.userPseudonym('user-1842'), /^usr_[0-9a-f]{16}$/);
    assert.equal(r.userPseudonym('user-1842'), r.userPseudonym('user-1842'));
    assert.notEqual(r.userPseudonym('user-1842'), r.userPseudonym('user-1843'));
  });
});

describe('operators', () => {
  const text = 'card 4111 1111 1111 1111 mail anna@example.com';

  it('mask keeps the last four card digits and stars the rest', () => {
    const r = createRedactor({ key: KEY, operators: { CARD: 'mask', EMAIL: 'mask' } });
    assert.equal(r.redact(text).text, 'card ****1111 mail ********');
  });

  it('remove leaves the bare type', () => {
    const r = createRedactor({ key: KEY, operators: { CARD: 'remove', EMAIL: 'remove' } });
    assert.equal(r.redact(text).text, 'card <CARD> mail <EMAIL>');
  });

  it('secrets are removed by default', () => {
    assert.equal(redactText('password=hunter2', { key: KEY }).text, 'password=<SECRET>');
  });

  it('per-field overrides win over per-type ones', () => {
    const r = createRedactor({
      key: KEY,
      operators: { EMAIL: 'mask' },
      fields: { output_text: 'remove', 'feedback.comment': { operators: { CARD: 'mask' } } },
    });
    assert.equal(r.redact(text, 'output_text').text, 'card <CARD> mail <EMAIL>');
    assert.match(r.redact(text, 'feedback.comment').text, /^card \*\*\*\*1111 mail \*{8}$/);
    assert.match(r.redact(text, 'input_text').text, /^card <CARD:[0-9a-f]{12}> mail \*{8}$/);
  });

  it('disabled types are not detected', () => {
    const r = createRedactor({ key: KEY, disabled: ['EMAIL'] });
    assert.equal(r.redact('anna@example.com').text, 'anna@example.com');
  });
});

describe('overlap resolution', () => {
  it('merges overlapping spans into one region named by the strongest type', () => {
    const merged = resolveOverlaps([
      { type: 'PHONE', start: 0, end: 10 },
      { type: 'CARD', start: 5, end: 20 },
      { type: 'PERSON', start: 30, end: 35 },
    ]);
    assert.deepEqual(
      merged.map((m) => m.region),
      [
        { type: 'CARD', start: 0, end: 20 },
        { type: 'PERSON', start: 30, end: 35 },
      ],
    );
  });
});

describe('fail closed', () => {
  it('rejects texts over the limit with a reason and no text in the message', () => {
    const r = createRedactor({ key: KEY });
    const secret = `anna@example.com ${'x'.repeat(LIMITS.documentChars)}`;
    assert.throws(
      () => r.redact(secret),
      (err: unknown) => err instanceof RedactionError && err.reason === 'too_large' && !err.message.includes('anna'),
    );
    assert.throws(() => r.redact('anna@example.com', 'input_text', 5), (err: unknown) => err instanceof RedactionError && err.reason === 'too_large');
  });

  it('rejects non-string input and bad options', () => {
    const r = createRedactor({ key: KEY });
    assert.throws(() => r.redact(42 as unknown as string), (err: unknown) => err instanceof RedactionError && err.reason === 'invalid_input');
    assert.throws(() => createRedactor({ key: 'short' }), (err: unknown) => err instanceof RedactionError && err.reason === 'invalid_options');
    assert.throws(
      () => createRedactor({ key: KEY, operators: { EMAIL: 'shred' as 'mask' } }),
      (err: unknown) => err instanceof RedactionError && err.reason === 'invalid_options',
    );
  });
});
