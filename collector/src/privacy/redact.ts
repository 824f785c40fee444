/**
 * Redaction of what people type (SPEC §13): e-mail addresses, phone numbers and payment card
 * numbers in a record's free-text fields become `[email]`, `[phone]` and `[card]` before the
 * record is stored or forwarded.
 *
 * Numbers are found as runs, each judged whole, so a run is never split into a part that happens
 * to look like a number and a rest that does not:
 * - a card run is digits joined by at most one space or hyphen at a time; it is a card when it
 *   holds 13–19 digits that pass the Luhn check;
 * - a phone run is digits joined by up to three of space, `-`, `.`, `(`, `)` (or one `:`), and may
 *   begin with `+` or `(`; it is a phone number when it holds 8–15 digits and begins with `+` or
 *   holds at least two separators, unless every part of it between spaces is a date, a time or
 *   an IPv4 address.
 * A run glued to a letter, a digit or `_` (`a456-426614174000` in a UUID, a hash, an SKU) is part
 * of a word and is left alone. Cards are replaced first, so a run that is both becomes `[card]`.
 * Digits of every script count (`٠١٢`, `０１２`). Every scan is linear in the text's length, and
 * applying a redaction twice changes nothing: no replacement holds a digit or an `@`.
 */

import { replaceEmails } from './emails';

/** What `REDACT` may name. */
export type Redaction = 'email' | 'phone' | 'card';
export const REDACTIONS: readonly Redaction[] = ['email', 'phone', 'card'];

/** A record's top-level text fields that are redacted, by name. */
export const REDACTED_FIELDS = ['comment', 'reason', 'message_content'] as const;
/** Text a record keeps in its metadata (what a `quality` intake kept of the rated message). */
export const REDACTED_METADATA = ['sent_message_content'] as const;
/** An intake's answer's copies of them: the `score` format answers with its `text`. */
const ECHOED = ['text'] as const;

const SPACE = ' \\u00a0\\u202f';
const HYPHEN = '\\-\\u2010-\\u2013';
/** Both kinds of run, for digits of the class `digit` (a regex source). */
function runPatterns(digit: string, flags: string) {
  // Runs with fewer digits than a card or a phone number can hold never match, so the judges
  // only see candidates; every run that does match is matched from its first character.
  return {
    card: new RegExp(`${digit}(?:[${SPACE}${HYPHEN}]?${digit}){12,}`, flags),
    phone: new RegExp(`[+(]{0,2}${digit}(?:(?:[${SPACE}${HYPHEN}.()]{1,3}|:)?${digit}){7,}`, flags),
  };
}
// Matching ASCII digits without the `u` flag is several times faster than `\p{Nd}`; the
// Unicode patterns are used only for a text that holds digits of another script.
const ASCII_RUNS = runPatterns('[0-9]', 'g');
const UNICODE_RUNS = runPatterns('\\p{Nd}', 'gu');
// Looking for a non-ASCII character first is what makes this test cheap on ASCII text.
const OTHER_DIGIT = /(?=[\u0080-\u{10ffff}])\p{Nd}/u;
const PHONE_SEPARATOR = new RegExp(`[${SPACE}${HYPHEN}.()]`, 'gu');
const CHUNK_SPACE = new RegExp(`[${SPACE}]+`, 'u');
const DIGIT = /\p{Nd}/u;
const WORD = /[\p{L}\p{N}_]/u;

/** The value of a decimal digit of any script: Unicode encodes each script's 0–9 in a row. */
const digitValues = new Map<string, number>();
function digitValue(char: string): number {
  const code = char.codePointAt(0) as number;
  if (code >= 48 && code <= 57) return code - 48;
  let value = digitValues.get(char);
  if (value === undefined) {
    // Walk back to the first digit of this block; blocks hold whole sets of ten.
    let start = code;
    while (start > 0 && DIGIT.test(String.fromCodePoint(start - 1))) start--;
    value = (code - start) % 10;
    digitValues.set(char, value);
  }
  return value;
}

const ASCII = /^[\x20-\x7e]*$/;

/** The run's digits as ASCII, each separator kept as it is. */
function asciiDigits(run: string): string {
  if (ASCII.test(run)) return run;
  let out = '';
  for (const char of run) out += DIGIT.test(char) ? String(digitValue(char)) : char;
  return out;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let value = digits.charCodeAt(i) - 48;
    if (double) value = value * 2 > 9 ? value * 2 - 9 : value * 2;
    sum += value;
  }
  return sum % 10 === 0;
}

/** The character (a whole surrogate pair) that ends just before `index`. */
function charBefore(text: string, index: number): string {
  const code = text.charCodeAt(index - 1);
  return code >= 0xdc00 && code <= 0xdfff
    ? text.slice(index - 2, index)
    : text.slice(index - 1, index);
}

/**
 * Whether the run at `start..end` of `text` is glued to a word: a digit, letter or `_` right
 * after it, or right before a run that begins with a digit (a `(` or `+` already sets it apart).
 */
function glued(text: string, start: number, end: number, run: string): boolean {
  const after = text.codePointAt(end);
  if (after !== undefined && WORD.test(String.fromCodePoint(after))) return true;
  return (
    DIGIT.test(String.fromCodePoint(run.codePointAt(0) as number)) &&
    WORD.test(charBefore(text, start))
  );
}

function replaceRuns(
  text: string,
  pattern: RegExp,
  judge: (run: string) => boolean,
  token: string,
): string {
  return text.replace(pattern, (run: string, offset: number) =>
    !glued(text, offset, offset + run.length, run) && judge(run) ? token : run,
  );
}

function isCard(run: string): boolean {
  const digits = asciiDigits(run).replace(/\D/g, '');
  return digits.length >= 13 && digits.length <= 19 && luhn(digits);
}

const between = (text: string | undefined, min: number, max: number) =>
  text !== undefined && Number(text) >= min && Number(text) <= max;

const DAY_FIRST = /^(\d{1,2})\.(\d{1,2})\.\d{4}$/;
const YEAR_FIRST = /^\d{4}(?:-(\d{2})-(\d{2})|\.(\d{1,2})\.(\d{1,2}))$/;
const TIME = /^(\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::\d{1,5})?$/;

/** A date (`2024-01-15`, `15.01.2024`, `2024.01.15`), a time (`10:30`, `10.30`) or an IPv4 address. */
function isDateTimeOrAddress(chunk: string): boolean {
  const year = YEAR_FIRST.exec(chunk);
  if (year) return between(year[1] ?? year[3], 1, 12) && between(year[2] ?? year[4], 1, 31);
  const day = DAY_FIRST.exec(chunk);
  if (day) return between(day[1], 1, 31) && between(day[2], 1, 12);
  const time = TIME.exec(chunk);
  if (time) {
    return between(time[1], 0, 24) && between(time[2], 0, 59) && between(time[3] ?? '0', 0, 60);
  }
  const address = IPV4.exec(chunk);
  return address?.slice(1).every((octet) => between(octet, 0, 255)) ?? false;
}

function isPhone(run: string): boolean {
  const ascii = asciiDigits(run);
  const digits = ascii.replace(/\D/g, '').length;
  if (digits < 8 || digits > 15) return false;
  const separators = ascii.match(PHONE_SEPARATOR)?.length ?? 0;
  if (!/^\(?\+/.test(ascii) && separators < 2) return false;
  const chunks = ascii
    .split(CHUNK_SPACE)
    .map((chunk) => chunk.replace(/^[(]+|[)]+$/g, ''))
    .filter((chunk) => /\d/.test(chunk));
  return !chunks.every(isDateTimeOrAddress);
}

/** A redactor for the kinds `REDACT` names; none: text is kept as typed. */
export function createRedactor(kinds: readonly Redaction[]): (text: string) => string {
  if (kinds.length === 0) return (text) => text;
  const email = kinds.includes('email');
  const card = kinds.includes('card');
  const phone = kinds.includes('phone');
  return (text) => {
    let out = email ? replaceEmails(text) : text;
    if (!(card || phone) || !DIGIT.test(out)) return out;
    const runs = OTHER_DIGIT.test(out) ? UNICODE_RUNS : ASCII_RUNS;
    if (card) out = replaceRuns(out, runs.card, isCard, '[card]');
    if (phone) out = replaceRuns(out, runs.phone, isPhone, '[phone]');
    return out;
  };
}

type Texts = Record<string, unknown>;

function redactFields<T extends Texts>(
  fields: T,
  names: readonly string[],
  redact: (text: string) => string,
): T {
  let changed: Texts | undefined;
  for (const name of names) {
    const value = fields[name];
    if (typeof value !== 'string') continue;
    const redacted = redact(value);
    if (redacted !== value) {
      changed ??= { ...fields };
      changed[name] = redacted;
    }
  }
  return (changed ?? fields) as T;
}

/**
 * The record with its free-text fields redacted (`REDACTED_FIELDS`, and `REDACTED_METADATA` in
 * its metadata), keys in their order; the record itself when nothing changed.
 */
export function redactRecord<T extends { metadata?: Texts }>(
  record: T,
  redact: (text: string) => string,
): T {
  const top = redactFields(record as T & Texts, REDACTED_FIELDS, redact);
  if (record.metadata === undefined) return top;
  const metadata = redactFields(record.metadata, REDACTED_METADATA, redact);
  return metadata === record.metadata ? top : { ...top, metadata };
}

/**
 * A vote with its record redacted, and its answer's copies of that text with it: the answer is
 * kept for `Idempotency-Key` repeats, so it must hold no more than the record does.
 */
export function redactAccepted<
  A extends { record: { metadata?: Texts }; response: Record<string, unknown> },
>(accepted: A, redact: (text: string) => string): A {
  const record = redactRecord(accepted.record, redact);
  if (record === accepted.record) return accepted;
  return { ...accepted, record, response: redactFields(accepted.response, ECHOED, redact) };
}
