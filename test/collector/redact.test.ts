import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createRedactor, type Redaction } from '../../collector/src/privacy/redact';

const redact = createRedactor(['email', 'phone', 'card']);

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

/** Every card run left in `text` with 13–19 digits that pass the Luhn check. */
function survivingCards(text: string): string[] {
  return [...text.matchAll(CARD_RUN)].flatMap((match) => {
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
const grouping = fc.constantFrom('', ' ', '-', '\u00a0');
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
    arbitrary: fc.constantFrom(' ', '.', '-', '(', ')', '+', ':', '@', '_', 'a', 'é', 'は', '号'),
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
  test.each([
    ['mail jane@example.com', 'mail [email]'],
    ['call me at +49 30 1234567 or mail jane@example.com', 'call me at [phone] or mail [email]'],
    ['(030) 1234-5678', '[phone]'],
    ['030 123 4567', '[phone]'],
    ['030.123.4567', '[phone]'],
    ['4111 1111 1111 1111', '[card]'],
    ['4111-1111-1111-1111', '[card]'],
    ['4111111111111111', '[card]'],
  ])('%j becomes %j', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  test.each([
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
  ])('%j stays as it is', (text) => {
    expect(redact(text)).toBe(text);
  });

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
});
