import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createRedactor, type Redaction } from '../../collector/src/privacy/redact';
import { type Backend, send, useStorage } from '../helpers/collector';
import { eventBody } from '../helpers/forward';
import { redact, testKept, testRedacted } from '../helpers/redaction';

/** A card number of `length` digits whose last digit makes the Luhn sum a multiple of 10. */
function withCheckDigit(body: number[]): string {
  let sum = 0;
  for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
    const value = body[i] as number;
    sum += double ? (value * 2 > 9 ? value * 2 - 9 : value * 2) : value;
  }
  return [...body, (10 - (sum % 10)) % 10].join('');
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    const value = Number(digits[i]);
    sum += double ? (value * 2 > 9 ? value * 2 - 9 : value * 2) : value;
  }
  return sum % 10 === 0;
}

/** Digits joined by at most one space or hyphen, standing apart from words, as typed. */
const CARD_RUN = /\p{Nd}(?:[ \u00a0\u202f\-\u2010-\u2013]?\p{Nd})*/gu;
/** A word character that glues digits to it: a letter of a script written without spaces does not. */
const WORD =
  /(?![\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}\p{scx=Thai}])[\p{L}\p{N}_]/u;

/** Digits joined by single dots, at least one of them: a card as some people group it. */
const DOTTED_RUN = /\p{Nd}+(?:[.\uff0e]\p{Nd}+)+/gu;

/** Every card run left in `text` with 13–19 digits that pass the Luhn check. */
function survivingCards(text: string): string[] {
  const dotted = [...text.matchAll(DOTTED_RUN)].filter(
    // Thousands (`1.234.567`) are grouped by threes; a card has a group of four or more. A dotted
    // run that shares a group with a run grouped by spaces or hyphens is judged in that run.
    (match) =>
      /\p{Nd}{4}/u.test(match[0]) &&
      !/\p{Nd}[ \u00a0-]$/u.test(text.slice(0, match.index)) &&
      !/^[ \u00a0-]\p{Nd}/u.test(text.slice(match.index + match[0].length)),
  );
  return [...text.matchAll(CARD_RUN), ...dotted].flatMap((match) => {
    const start = match.index;
    const end = start + match[0].length;
    const before = [...text.slice(0, start)].at(-1);
    const after = text.slice(end).codePointAt(0);
    const glued =
      (before !== undefined && WORD.test(before)) ||
      (after !== undefined && WORD.test(String.fromCodePoint(after)));
    const digits = match[0].replace(/\D/g, '');
    return !glued && digits.length >= 13 && digits.length <= 19 && luhn(digits) ? [match[0]] : [];
  });
}

const digit = fc.integer({ min: 0, max: 9 });
const grouping = fc.constantFrom('', ' ', '-', '\u00a0', '.');
/** A Luhn-valid number of 13–19 digits, written in groups of 4 or not at all. */
const cardNumber = fc
  .tuple(fc.array(digit, { minLength: 12, maxLength: 18 }), grouping)
  .map(([body, separator]) => (withCheckDigit(body).match(/.{1,4}/g) as string[]).join(separator));
const phoneNumber = fc
  .tuple(fc.array(digit, { minLength: 8, maxLength: 13 }), fc.constantFrom('+', '(0', '0'))
  .map(([digits, prefix]) => `${prefix}${digits.slice(0, 2).join('')} ${digits.slice(2).join('')}`);
const email = fc.emailAddress();
/** Text as people type it: words, numbers, punctuation and, now and then, personal data. */
const piece = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...' .-()+:/@_aéは号'),
  },
  { weight: 4, arbitrary: digit.map(String) },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: cardNumber },
  { weight: 1, arbitrary: phoneNumber },
  { weight: 1, arbitrary: email },
);
const typed = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(''));
/** Any UTF-16 text, lone surrogates included. */
const anyText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  maxLength: 200,
});

describe('redaction (SPEC §13)', () => {
  testRedacted('%j becomes %j', [
    ['mail jane@example.com', 'mail [email]'],
    ['call me at +49 30 1234567 or mail jane@example.com', 'call me at [phone] or mail [email]'],
    ['(030) 1234-5678', '[phone]'],
    ['030 123 4567', '[phone]'],
    ['030.123.4567', '[phone]'],
    ['4111 1111 1111 1111', '[card]'],
    ['4111-1111-1111-1111', '[card]'],
    ['4111111111111111', '[card]'],
  ]);

  testKept('%j stays as it is', [
    'order 12345678',
    '4111 1111 1111 1112',
    'on 2024-01-15',
    'at 10:30 or 10:30:15',
    'from 192.168.100.200',
    '2024-01-15 10:30:00',
    'since 15.01.2024',
    'open 10.30 - 11.45',
    '030 1234567',
    '12345',
  ]);

  test('a run that is both a card and a phone number becomes [card]', () => {
    // 15 digits (a phone's most), two separators, and an American Express number passing Luhn.
    expect(redact('Amex 3782 822463 10005, thanks')).toBe('Amex [card], thanks');
  });

  test('a run is judged whole: a card inside a longer run of digits is not taken out of it', () => {
    expect(redact('ref 4111 1111 1111 1111 2222 3333')).toBe('ref 4111 1111 1111 1111 2222 3333');
  });

  test('digits glued to letters are part of a word, as in a UUID or a hash', () => {
    const uuid = 'trace 123e4567-e89b-12d3-a456-426614174000 and sha a4111111111111111';
    expect(redact(uuid)).toBe(uuid);
  });

  test('digits of other scripts count', () => {
    expect(redact('٤١١١ ١١١١ ١١١١ ١١١١')).toBe('[card]');
    expect(redact('+٤٩ ٣٠ ١٢٣٤٥٦٧')).toBe('[phone]');
  });

  test('an address takes no words around it with it', () => {
    expect(redact("name='jane.doe+tag@mail.example.co.uk'.")).toBe("name='[email]'.");
    expect(redact('<jane@example.com>, bob@例え.テスト')).toBe('<[email]>, [email]');
  });

  test.each<[Redaction[], string]>([
    [['email'], 'call +49 30 1234567, jane@example.com → call +49 30 1234567, [email]'],
    [['phone'], 'call +49 30 1234567, jane@example.com → call [phone], jane@example.com'],
    [['card'], 'paid 4111 1111 1111 1111, +49 30 1234567 → paid [card], +49 30 1234567'],
    [[], 'paid 4111 1111 1111 1111, jane@example.com → paid 4111 1111 1111 1111, jane@example.com'],
  ])('with %j only those are redacted', (kinds, example) => {
    const [text, expected] = example.split(' → ');
    expect(createRedactor(kinds)(text as string)).toBe(expected);
  });

  test('never throws, on any text', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, typed), (text) => {
        expect(typeof redact(text)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  test('applying it twice changes nothing', () => {
    fc.assert(
      fc.property(fc.oneof(typed, anyText), (text) => {
        const once = redact(text);
        expect(redact(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  test('no Luhn-valid run of 13 to 19 digits survives', () => {
    fc.assert(
      fc.property(typed, (text) => {
        expect(survivingCards(redact(text))).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  test('a card typed between words is always caught', () => {
    fc.assert(
      fc.property(cardNumber, fc.constantFrom(' ', ': ', '(', '\n'), (card, before) => {
        expect(redact(`paid with${before}${card} today`)).toBe(`paid with${before}[card] today`);
      }),
    );
  });

  test('a hostile text of 128 KiB of digits and separators is redacted in one pass', () => {
    const hostile = '1.2 3-4(5)6+7:8/9,0@%40 '.repeat(6000).slice(0, 128 * 1024);
    expect(redact(hostile)).toEqual(expect.any(String));
    for (const run of ['1'.repeat(131_072), '1.'.repeat(65_536), '1 '.repeat(65_536)]) {
      expect(redact(run)).toEqual(expect.any(String));
    }
  });
});

describe('redaction: cards grouped by dots', () => {
  testRedacted('%j becomes %j', [
    ['4111.1111.1111.1111', '[card]'],
    ['paid with 4111.1111.1111.1111.', 'paid with [card].'],
    ['Amex 3782.822463.10005', 'Amex [card]'],
    ['４１１１．１１１１．１１１１．１１１１', '[card]'],
  ]);

  testKept('%j stays as it is', [
    '4111.1111.1111.1112',
    '4111 1111 1111 1112',
    // Luhn-valid, 16 digits grouped by threes: an amount, not a card.
    'total 1.234.567.890.123.452',
    'v4111.1111.1111.1111',
  ]);

  test('no Luhn-valid run grouped by dots survives', () => {
    fc.assert(
      fc.property(typed, cardNumber, (text, card) => {
        const dotted = card.replace(/[ \u00a0-]/g, '.');
        expect(survivingCards(redact(`${text} ${dotted} ${text}`))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('redaction: a card typed with what follows it', () => {
  testRedacted('%j becomes %j', [
    // A CVV or an expiry right after a card goes with it.
    ['4111 1111 1111 1111 12/25', '[card]'],
    ['paid 4111 1111 1111 1111 123, thanks', 'paid [card], thanks'],
    ['4111-1111-1111-1111 12 25', '[card]'],
    ['4111111111111111 1225', '[card]'],
    ['4111 1111 1111 1111 12 2025', '[card]'],
    ['4111 1111 1111 1111 12/2025.', '[card].'],
    ['4111 1111 1111 1111 12/25 123 thanks', '[card] thanks'],
    ['4111 1111 1111 1111 12/25 4111 1111 1111 1111', '[card] 12/25 [card]'],
    ['４１１１ １１１１ １１１１ １１１１ １２／２５', '[card]'],
    ['card 4111 1111 1111 1111 exp 12/25 cvv 123', 'card [card] exp 12/25 cvv 123'],
    // Other digits beside a card stay as typed.
    ['4111 1111 1111 1111 12', '[card] 12'],
    ['4111 1111 1111 1111 13/25', '[card] 13/25'],
    ['4111 1111 1111 1111 12/25/2024', '[card] 12/25/2024'],
    ['nr 12 4111 1111 1111 1111', 'nr 12 [card]'],
    ['cvv 123 4111 1111 1111 1111', 'cvv 123 [card]'],
    ['paid 15-01-2024 4111 1111 1111 1111 1225', 'paid 15-01-2024 [card]'],
  ]);

  testKept('%j stays as it is', [
    '4111 1111 1111 1112 123',
    '4111 1111 1111 1112 12/25',
    'order 12345678 123',
    // More than a CVV or an expiry beside it: a longer number, judged whole.
    'ref 4111 1111 1111 1111 12345',
    'ref 4111 1111 1111 1111 12 2222',
  ]);

  const spacedCard = fc
    .tuple(
      fc.array(digit, { minLength: 12, maxLength: 18 }),
      fc.constantFrom('', ' ', '-', '\u00a0'),
    )
    .map(([body, separator]) =>
      (withCheckDigit(body).match(/.{1,4}/g) as string[]).join(separator),
    );
  const fewDigits = (min: number) =>
    fc.array(digit, { minLength: min, maxLength: 4 }).map((digits) => digits.join(''));
  const digitsOf = (text: string) => text.replace(/\D/g, '');

  test('a Luhn-valid card followed by a space and 2 to 4 digits never survives', () => {
    fc.assert(
      fc.property(spacedCard, fewDigits(2), (card, after) => {
        expect(digitsOf(redact(`paid ${card} ${after} thanks`))).not.toContain(digitsOf(card));
      }),
      { numRuns: 2000 },
    );
  });

  test('a Luhn-valid card after 1 to 4 digits and a space never survives', () => {
    fc.assert(
      fc.property(fewDigits(1), spacedCard, (before, card) => {
        expect(digitsOf(redact(`nr ${before} ${card} thanks`))).not.toContain(digitsOf(card));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('redaction: addresses written otherwise', () => {
  testRedacted('%j becomes %j', [
    ['mail jane＠example.com', 'mail [email]'],
    ['mail ｊａｎｅ．ｄｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ please', 'mail [email] please'],
    ['mail jane﹫example.com', 'mail [email]'],
    ['mail jane(at)example.com', 'mail [email]'],
    ['mail jane [at] example [dot] com.', 'mail [email].'],
    ['mail Jane.Doe {AT} mail (DOT) example (DOT) org', 'mail [email]'],
    ['mail jane%40example.com', 'mail [email]'],
  ]);

  testKept('%j stays as it is', [
    'mail jane at example dot com',
    'look at example.com',
    'meet @ 5pm at the café',
    'we were (at) home [at] last',
    'follow @jane on example.com',
    '100%40 done',
  ]);

  testRedacted('in a URL, only the address goes: %j becomes %j', [
    [
      'https://example.com/users/jane@example.com/settings',
      'https://example.com/users/[email]/settings',
    ],
    [
      'https://example.com/users/jane%40example.com/settings',
      'https://example.com/users/[email]/settings',
    ],
    [
      'https://example.com/login?email=jane%40example.com&next=%2Fhome',
      'https://example.com/login?email=[email]&next=%2Fhome',
    ],
    [
      'https://example.com/login?email=jane.doe%2Btag%40example.co.uk#top',
      'https://example.com/login?email=[email]#top',
    ],
    ['mailto:jane@example.com?subject=Hi', 'mailto:[email]?subject=Hi'],
    ['https://example.com/@jane/posts', 'https://example.com/@jane/posts'],
  ]);
});

describe('redaction: phone numbers with a slash after the area code', () => {
  testRedacted('%j becomes %j', [
    ['call 030/1234567', 'call [phone]'],
    ['mobil 0171/123 45 67.', 'mobil [phone].'],
    ['Tel. 0043 0664/1234567', 'Tel. 0043 [phone]'],
    ['０３０／１２３４５６７', '[phone]'],
  ]);

  testKept('%j stays as it is', [
    'on 12/15/2024 or 05/12/2024',
    'season 2023/2024',
    'rated 1/2 1/4 3/4 1/8 9/10',
    'page 0.5/1234567',
    'id 12030/1234567',
    'a030/1234567',
  ]);
});

describe('redaction: amounts and numbers grouped in thousands', () => {
  testKept('%j, an amount, stays', [
    '€ 12.345.678,89',
    '€12.345.678',
    '12.345.678,- EUR',
    '12 345 678,90 €',
    'EUR 12 345 678',
    'USD 12 345 678.50',
    '$ 12 345 678',
    '12.345.678 CHF',
    '1,234,567 and $1,234,567.89',
    '€ 1.234.567,89',
  ]);

  testRedacted('%j, not an amount, becomes %j', [
    // SPEC §13: 8 digits with two separators are a phone number, unless they are an amount.
    ['total 12.345.678', 'total [phone]'],
    ['12 345 678', '[phone]'],
    ['€ 030 123 4567', '€ [phone]'],
    ['call 0 800 123 456, thanks', 'call [phone], thanks'],
    ['llámame al 612 345 678, gracias', 'llámame al [phone], gracias'],
    ['+49 123 456 789 €', '[phone] €'],
  ]);
});

describe('redaction: a date or a time beside a number stays', () => {
  testRedacted('%j becomes %j', [
    ['2024-01-15 10:30 +49 30 1234567', '2024-01-15 10:30 [phone]'],
    ['on 15.01.2024 call +49 30 1234567', 'on 15.01.2024 call [phone]'],
    ['2024-01-15 10:30 030 123 4567', '2024-01-15 10:30 [phone]'],
    ['on 15.01.2024 030 123 4567', 'on 15.01.2024 [phone]'],
    ['030 123 4567 on 15.01.2024 10:30', '[phone] on 15.01.2024 10:30'],
    ['030 123 4567 15.01.2024', '[phone] 15.01.2024'],
    ['am 15. 1. 2024 030 123 4567', 'am 15. 1. 2024 [phone]'],
    ['at 10:30 (030) 123-4567', 'at 10:30 [phone]'],
    ['paid 15-01-2024 4111 1111 1111 1111', 'paid 15-01-2024 [card]'],
  ]);
});

describe.each<Backend>(['pglite', 'postgres'])(
  'redaction through HTTP on %s',
  { timeout: 120_000 },
  (backend) => {
    const storage = useStorage(backend);

    test('a vote’s comment is stored with dotted cards, written-out addresses and phones beside dates redacted, and amounts kept', async () => {
      const collector = await storage.start();
      const comment = [
        'Card 4111.1111.1111.1111 was charged € 12.345.678,89 on 2024-01-15 10:30;',
        'mail jane＠example.com or jane [at] example [dot] com,',
        'see https://example.com/login?email=jane%40example.com&next=%2Fhome,',
        'or call on 15.01.2024 030 123 4567.',
      ].join(' ');
      const body = eventBody('redact-written-otherwise', { comment });
      expect((await send(`${collector.url}api/feedback`, { body })).status).toBe(201);
      const stored = await send(`${collector.url}api/feedback/redact-written-otherwise`);
      await collector.close();
      expect(stored.body.comment).toBe(
        [
          'Card [card] was charged € 12.345.678,89 on 2024-01-15 10:30;',
          'mail [email] or [email],',
          'see https://example.com/login?email=[email]&next=%2Fhome,',
          'or call on 15.01.2024 [phone].',
        ].join(' '),
      );
    });

    test('a vote’s comment is stored without a card typed with its expiry and CVV, short numbers beside it kept', async () => {
      const collector = await storage.start();
      const comment =
        'Card 4111 1111 1111 1111 12/25, then 5555-5555-5555-4444 123, ticket nr 12 4111111111111111.';
      const body = eventBody('redact-card-with-expiry', { comment });
      expect((await send(`${collector.url}api/feedback`, { body })).status).toBe(201);
      const stored = await send(`${collector.url}api/feedback/redact-card-with-expiry`);
      await collector.close();
      expect(stored.body.comment).toBe('Card [card], then [card], ticket nr 12 [card].');
    });
  },
);
