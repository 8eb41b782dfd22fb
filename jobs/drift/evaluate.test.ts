import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { evaluateFiles, parseCsv, readDocuments, readTexts } from './evaluate.ts';
import { distinctiveTerms, countTerms, terms } from './terms.ts';

const dir = mkdtempSync(join(tmpdir(), 'lookout-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('reading text files', () => {
  it('parses RFC 4180 CSV with quotes, commas, newlines and a BOM', () => {
    assert.deepEqual(parseCsv('\ufeffa,b\r\n"x, ""y""",2\n"multi\nline",3\n'), [
      ['a', 'b'],
      ['x, "y"', '2'],
      ['multi\nline', '3'],
    ]);
  });

  it('reads the text column of a CSV and the text field of NDJSON, skipping blanks', () => {
    const csv = join(dir, 't.csv');
    writeFileSync(csv, 'id,Text\n1,hello there\n2,\n3,"card, lost"\n');
    assert.deepEqual(readTexts(csv), ['hello there', 'card, lost']);
    const nd = join(dir, 't.ndjson');
    writeFileSync(nd, '{"text":"one"}\n\n{"text":"two","x":1}\n');
    assert.deepEqual(readTexts(nd), ['one', 'two']);
  });

  it('says what is wrong with a file it cannot use', () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'body\nhello\n');
    assert.throws(() => readTexts(csv), /no "text" column \(found: body\)/);
    const nd = join(dir, 'bad.ndjson');
    writeFileSync(nd, '{"text":"ok"}\n{"body":"x"}\n');
    assert.throws(() => readTexts(nd), /bad\.ndjson:2: no string field "text"/);
  });

  it('reads KB documents with an optional title, and names a missing column', () => {
    const csv = join(dir, 'kb.csv');
    writeFileSync(csv, 'doc_id,text\nfees,"Fees: 1 % on transfers, none on card payments."\n');
    assert.deepEqual(readDocuments(csv), [{ doc_id: 'fees', title: '', text: 'Fees: 1 % on transfers, none on card payments.' }]);
    const nd = join(dir, 'kb.ndjson');
    writeFileSync(nd, '{"doc_id":"pin","title":"PIN","text":"Change your PIN at any ATM."}\n{"doc_id":"x","title":3,"text":"t"}\n');
    assert.throws(() => readDocuments(nd), /kb\.ndjson:2: field "title" is not a string/);
    writeFileSync(csv, 'id,text\n1,x\n');
    assert.throws(() => readDocuments(csv), /no "doc_id" column/);
  });
});

describe('terms', () => {
  it('drops stop words and numbers, and adds bigrams', () => {
    assert.deepEqual(terms("Why hasn't my 2 cards arrived?"), ['cards', 'arrived', 'cards arrived']);
  });

  it('ranks the words that set a class apart', () => {
    const classes = [
      countTerms(['my card is lost', 'lost card again', 'card lost abroad']),
      countTerms(['card payment refund', 'refund for payment', 'refund please card']),
    ];
    const [a, b] = distinctiveTerms(classes, 2);
    assert.equal(a![0], 'lost');
    assert.equal(b![0], 'refund');
  });
});

describe('evaluateFiles (embeds with the installed model)', () => {
  const topics = {
    card: ['my card has not arrived yet', 'when will my new card be delivered', 'where is the card you sent me', 'card delivery is taking too long'],
    transfer: ['my bank transfer failed', 'why did the transfer to my friend not go through', 'a transfer is pending for days', 'how long does an international transfer take'],
    pin: ['i forgot my pin', 'how do i change my pin code', 'my pin is blocked after wrong attempts', 'reset the pin on my card'],
    fee: ['why was i charged a fee', 'there is an extra fee on my statement', 'what fees apply to withdrawals', 'i was charged twice for one payment'],
  };
  const crypto = ['can i buy bitcoin in the app', 'do you support crypto wallets', 'how to sell my ethereum', 'is cryptocurrency trading available'];
  const vary = (s: string, i: number) => `${s}${['', '?', ' please', ' today', ' again', ' now'][i % 6]}`;
  const rows = (texts: string[]) => 'text\n' + texts.map((t) => `"${t}"`).join('\n') + '\n';

  it('prints a verdict that names an injected new topic', async () => {
    const all = Object.values(topics);
    const baseline: string[] = [];
    for (let i = 0; i < 240; i++) baseline.push(vary(all[i % 4]![Math.floor(i / 4) % 4]!, Math.floor(i / 16)));
    const current: string[] = [];
    for (let i = 0; i < 120; i++) current.push(vary(all[i % 4]![(i * 7) % 4]!, i));
    for (let i = 0; i < 24; i++) current.push(vary(crypto[i % 4]!, Math.floor(i / 4)));
    writeFileSync(join(dir, 'base.csv'), rows(baseline));
    writeFileSync(join(dir, 'cur.csv'), rows(current));
    const r = await evaluateFiles({ baseline: join(dir, 'base.csv'), current: join(dir, 'cur.csv') });
    assert.equal(r.drift, true);
    assert.equal(r.sizes.current, 144);
    const top = r.emerging.topics[0];
    assert.ok(top, JSON.stringify(r.emerging));
    assert.ok(top.members.filter((i) => i >= 120).length / top.size >= 0.8);
    assert.ok(top.examples.every((e) => crypto.some((c) => e.startsWith(c))));
    assert.ok(r.timingsMs.embed > 0);
    assert.equal(r.kbCoverage, undefined);
  });

  it('with a KB file, reports the new topic as a gap and the documented topics as covered', async () => {
    const all = Object.values(topics);
    const baseline = Array.from({ length: 240 }, (_, i) => vary(all[i % 4]![Math.floor(i / 4) % 4]!, Math.floor(i / 16)));
    const current = [...Array.from({ length: 120 }, (_, i) => vary(all[i % 4]![(i * 7) % 4]!, i)), ...Array.from({ length: 24 }, (_, i) => vary(crypto[i % 4]!, Math.floor(i / 4)))];
    writeFileSync(join(dir, 'base.csv'), rows(baseline));
    writeFileSync(join(dir, 'cur.csv'), rows(current));
    const docs = [
      { doc_id: 'card-delivery', title: 'Card delivery', text: 'New cards are delivered within 5 working days. If your card has not arrived after 10 days, order a replacement in the app.' },
      { doc_id: 'transfers', title: 'Bank transfers', text: 'Transfers usually arrive the same day. International transfers take up to 3 days; a failed transfer is returned to your account.' },
      { doc_id: 'pin', title: 'Your PIN', text: 'Forgot your PIN? You can view it in the app or change your PIN code at any ATM. After three wrong attempts the PIN is blocked.' },
      { doc_id: 'fees', title: 'Fees and charges', text: 'Card payments are free. ATM withdrawals above 200 per month cost 2 %. A duplicate charge is refunded automatically.' },
    ];
    writeFileSync(join(dir, 'kb.ndjson'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const r = await evaluateFiles({ baseline: join(dir, 'base.csv'), current: join(dir, 'cur.csv'), kb: join(dir, 'kb.ndjson') });
    const cov = r.kbCoverage!;
    assert.equal(cov.passages, 4);
    const gaps = cov.topics.filter((t) => t.gap);
    assert.equal(gaps.length, 1, JSON.stringify(cov.topics.map((t) => [t.label, t.uncovered, t.inputs, t.medianSimilarity])));
    assert.equal(gaps[0]!.kind, 'emerging');
    assert.ok(gaps[0]!.examples.every((e) => crypto.some((c) => e.startsWith(c))), JSON.stringify(gaps[0]));
    assert.ok(cov.topics.filter((t) => !t.gap && t.inputs >= 10).length >= 3);
  });
});
