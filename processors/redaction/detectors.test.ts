import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ibanMod97, luhnValid, verhoeffCheckDigit, verhoeffValid } from './checksums.ts';
import { createRedactor } from './redactor.ts';
import type { EntityType } from './types.ts';

const r = createRedactor({ key: 'detector-test-key-0123456789' });

/** The substrings detected as `type` in text. */
function found(text: string, type?: EntityType): string[] {
  return r
    .detect(text)
    .filter((s) => type === undefined || s.type === type)
    .map((s) => text.slice(s.start, s.end));
}

function positives(type: EntityType, cases: [string, string][]): void {
  for (const [text, value] of cases) {
    it(`finds ${JSON.stringify(value)} in ${JSON.stringify(text.length > 60 ? text.slice(0, 60) + '…' : text)}`, () => {
      assert.deepEqual(found(text, type), [value]);
    });
  }
}

function negatives(cases: string[]): void {
  for (const text of cases) {
    it(`finds nothing in ${JSON.stringify(text.length > 60 ? text.slice(0, 60) + '…' : text)}`, () => {
      assert.deepEqual(found(text), []);
    });
  }
}

describe('checksums', () => {
  it('luhn', () => {
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(luhnValid('79927398713'), true);
  });
  it('iban mod 97', () => {
    assert.equal(ibanMod97('DE89370400440532013000'), 1);
    assert.notEqual(ibanMod97('DE89370400440532013001'), 1);
  });
  it('verhoeff', () => {
    assert.equal(verhoeffCheckDigit('236'), 3);
    assert.equal(verhoeffValid('2363'), true);
    assert.equal(verhoeffValid('2364'), false);
  });
});

describe('email', () => {
  positives('EMAIL', [
    ['write to John.Doe+support@Example.co.uk today', 'John.Doe+support@Example.co.uk'],
    ['<anna_92@mail-01.example.de>.', 'anna_92@mail-01.example.de'],
    ['mailto:x.y@z.io', 'x.y@z.io'],
  ]);
  negatives(['ping @support or user@localhost', 'npm i lodash@4.17.21', 'logo@2x.png is blurry', 'a@b', '@@@ ..@.. x@.com']);
});

describe('phone', () => {
  positives('PHONE', [
    ['call +1 (415) 555-0132 now', '+1 (415) 555-0132'],
    ['(415) 555-0132', '(415) 555-0132'],
    ['415.555.0132', '415.555.0132'],
    ['1-800-555-0199', '1-800-555-0199'],
    ['UK: +44 20 7946 0958', '+44 20 7946 0958'],
    ['+44 (0)20 7946 0958', '+44 (0)20 7946 0958'],
    ['020 7946 0958', '020 7946 0958'],
    ['07700 900123', '07700 900123'],
    ['DE 030 12345678', '030 12345678'],
    ['030/1234567', '030/1234567'],
    ['+4915123456789', '+4915123456789'],
    ['FR 06 12 34 56 78', '06 12 34 56 78'],
    ['01.23.45.67.89', '01.23.45.67.89'],
    ['+33 6 12 34 56 78', '+33 6 12 34 56 78'],
    ['IN 98765 43210', '98765 43210'],
    ['+91-9876543210', '+91-9876543210'],
    ['my mobile is 9876543210', '9876543210'],
    ['KR 010-1234-5678', '010-1234-5678'],
    ['02-312-3456', '02-312-3456'],
    ['ES 612 345 678', '612 345 678'],
    ['912 34 56 78', '912 34 56 78'],
    ['AU 0412 345 678', '0412 345 678'],
    ['(02) 9876 5432', '(02) 9876 5432'],
    ['0044 20 7946 0958', '0044 20 7946 0958'],
  ]);
  negatives([
    'order 88231 and order #4155550132',
    'order number 9876543210',
    'placed 2024-03-15, paid 15/03/2024 and 15.03.2024',
    'total $1,234.56 or €49.99',
    'tracking 1Z999AA10123456784',
    'v2.3.14, version 10.0.19045.3693',
    'INV-2024-000123',
    'at 10:22:31 on 2024-03-15T10:22:31Z',
    'ts 1712345678901',
    'ISBN 978-0-306-40615-7',
    'AWB 016-13164940',
    'tracking 9400 1000 0000 0000 0000 00',
  ]);
});

describe('card', () => {
  positives('CARD', [
    ['card 4111 1111 1111 1111 exp 12/27', '4111 1111 1111 1111'],
    ['4111-1111-1111-1111', '4111-1111-1111-1111'],
    ['amex 3782 822463 10005', '3782 822463 10005'],
    ['{"card":"5555555555554444"}', '5555555555554444'],
    ['2221 0000 0000 0009', '2221 0000 0000 0009'],
  ]);
  negatives(['4111 1111 1111 1112', 'reference 1234 5678 9012 3456', 'epoch 1712345678901', '9400 5034 3938 4372 3758 87 tracking']);
});

describe('iban', () => {
  positives('IBAN', [
    ['IBAN DE89 3704 0044 0532 0130 00 please', 'DE89 3704 0044 0532 0130 00'],
    ['GB82WEST12345698765432', 'GB82WEST12345698765432'],
    ['fr1420041010050500013m02606', 'fr1420041010050500013m02606'],
  ]);
  negatives(['DE89 3704 0044 0532 0130 01', 'XX89370400440532013000', 'DE8937040044053201300']);
});

describe('national ids', () => {
  positives('US_SSN', [
    ['SSN 123-45-6789.', '123-45-6789'],
    ['ssn: 123456789', '123456789'],
  ]);
  it('rejects never-issued SSNs', () => {
    assert.deepEqual(found('000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000', 'US_SSN'), []);
  });
  positives('UK_NINO', [
    ['NI AB123456C', 'AB123456C'],
    ['NI number: AB 12 34 56 C', 'AB 12 34 56 C'],
  ]);
  it('rejects invalid NINO prefixes', () => assert.deepEqual(found('QQ123456C GB123456A AB123456E', 'UK_NINO'), []));
  positives('KR_RRN', [['주민등록번호: 900101-1234567', '900101-1234567']]);
  it('rejects RRNs with impossible dates', () => assert.deepEqual(found('901301-1234567 900230-1234567', 'KR_RRN'), []));
  positives('IN_AADHAAR', [
    ['Aadhaar 2345 6789 0124', '2345 6789 0124'],
    ['aadhaar: 234567890124', '234567890124'],
  ]);
  it('rejects Aadhaar numbers failing Verhoeff', () => assert.deepEqual(found('2345 6789 0125', 'IN_AADHAAR'), []));
  positives('ES_DNI', [
    ['DNI 12345678Z', '12345678Z'],
    ['NIE X1234567L.', 'X1234567L'],
    ['12345678-Z', '12345678-Z'],
  ]);
  it('rejects a wrong DNI letter', () => assert.deepEqual(found('DNI 12345678A', 'ES_DNI'), []));
});

describe('ip', () => {
  positives('IP_ADDRESS', [
    ['from 192.168.1.10.', '192.168.1.10'],
    ['host 10.0.0.1:8080', '10.0.0.1'],
    ['v6 2001:db8::8a2e:370:7334 ok', '2001:db8::8a2e:370:7334'],
    ['[fe80::1ff:fe23:4567:890a]:443', 'fe80::1ff:fe23:4567:890a'],
    ['mapped ::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:0db8:0000:0000:0000:ff00:0042:8329'],
  ]);
  negatives(['version 1.2.3.4', 'v1.2.3.4', '999.1.1.1', '1.2.3.4.5', 'at 10:22:31', 'mac 00:1A:2B:3C:4D:5E', 'std::vector', 'Cafe::Face']);
});

describe('url credentials', () => {
  it('redacts user info and token parameters, not the rest of the URL', () => {
    const text = 'see https://bob:hunter2@example.com/x?page=2&access_token=abc123&lang=en#sig=zz';
    assert.deepEqual(found(text, 'URL_CREDENTIAL'), ['bob:hunter2', 'abc123', 'zz']);
  });
  it('handles a raw # inside a pasted password', () => {
    assert.deepEqual(found('postgres://admin:Pa#ss@db:5432/app', 'URL_CREDENTIAL'), ['admin:Pa#ss']);
  });
  negatives(['https://example.com/search?q=refund&page=2', 'https://example.com/a@b']);
});

describe('secrets', () => {
  positives('SECRET', [
    ['key sk-proj-abcdefghijklmnop1234567890XYZ ok', 'sk-proj-abcdefghijklmnop1234567890XYZ'],
    ['sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz012345', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz012345'],
    ['xoxb-123456789012-abcdefABCDEF', 'xoxb-123456789012-abcdefABCDEF'],
    ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['AIzaSyA1234567890abcdefghijklmnopqrstuv', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
    ['id AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
    ['hook https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX.', 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX'],
    ['password=hunter2&x=1', 'hunter2'],
    ['{"api_key": "abc-123-def"}', 'abc-123-def'],
    ['DB_PASSWORD=s3cr3t!', 's3cr3t!'],
    ['my password is Summer2024!', 'Summer2024!'],
    ['Authorization: Bearer abcdefghijklmnop1234', 'abcdefghijklmnop1234'],
  ]);
  it('redacts a whole PEM private key block', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc=\n-----END RSA PRIVATE KEY-----';
    assert.deepEqual(found(`key:\n${pem}\nthanks`, 'SECRET'), [pem]);
  });
  it('fails closed on a PEM block without END', () => {
    const spans = found('-----BEGIN PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabcd', 'SECRET');
    assert.equal(spans.length, 1);
    assert.ok(spans[0]!.includes('abcd'));
  });
  negatives([
    'the task-force met', 'sk-learn is a library', 'my password is not working', 'Token: expired',
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'password: ********', 'AKIA is a prefix',
  ]);
});

describe('date of birth', () => {
  positives('DATE_OF_BIRTH', [
    ['DOB: 12/03/1985', '12/03/1985'],
    ['date of birth is 1985-03-12.', '1985-03-12'],
    ['born on 3 March 1990', '3 March 1990'],
    ['Birthday: March 3rd, 1990', 'March 3rd, 1990'],
    ['D.O.B 12.3.85', '12.3.85'],
  ]);
  negatives(['delivered on 12/03/2024', 'placed 2024-03-15', 'born in 1985']);
});

describe('person', () => {
  positives('PERSON', [
    ['Hi Anna, my order is late', 'Anna'],
    ['Dear Mr. Smith,\n', 'Smith'],
    ['Thanks,\nJohn Smith', 'John Smith'],
    ['Best regards,\nMaría García', 'María García'],
    ['my name is Siobhan O’Brien and', 'Siobhan O’Brien'],
    ['Hi, this is Jean-Luc from billing.', 'Jean-Luc'],
    ['Name: Ludwig van Beethoven', 'Ludwig van Beethoven'],
  ]);
  negatives(['Hi there, Thanks for your help', 'Hello Team,', 'Thanks! Have a nice day', 'Dear Customer,', 'Best way to do it', 'I am Very annoyed']);
});

describe('overlaps', () => {
  it('gives a region the most specific type', () => {
    assert.deepEqual(
      r.detect('password=4111111111111111').map((s) => s.type),
      ['SECRET'],
    );
    assert.deepEqual(
      r.detect('https://x.com/?token=sk-proj-abcdefghijklmnop1234567890').map((s) => s.type),
      ['URL_CREDENTIAL'],
    );
  });
});
