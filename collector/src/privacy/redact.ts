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
 *   holds at least two separators. Its dates and times (`2024-01-15`, `15. 12. 2024`, `10:30`)
 *   are no part of a phone number: what is left of the run without them is judged instead, and
 *   a run that is all dates, times and IPv4 addresses is none.
 * A space is any of Unicode's (`\p{Zs}`: a thin or an ideographic one too), a hyphen any dash a
 * number is grouped by (`‐`, `–`, `−`, `－`), and the full-width `＋（）．` count as `+().`: an
 * input method typing full-width digits types these with them.
 * A run glued to a letter, a digit or `_` (`a456-426614174000` in a UUID, a hash, an SKU) is part
 * of a word and is left alone, unless the letter is of a script written without spaces
 * (`番号は4111111111111111です`). Cards are replaced first, so a run that is both becomes `[card]`.
 * Digits of every script count (`٠١٢`, `０１２`). Every scan is linear in the text's length, and
 * applying a redaction twice changes nothing: no replacement holds a digit or an `@`.
 */

import { replaceEmails } from './emails';
import { unspacedScripts } from './writing';

/** What `REDACT` may name. */
export type Redaction = 'email' | 'phone' | 'card';
export const REDACTIONS: readonly Redaction[] = ['email', 'phone', 'card'];

/** A record's top-level text fields that are redacted, by name. */
export const REDACTED_FIELDS = ['comment', 'reason', 'message_content'] as const;
/** Text a record keeps in its metadata (what a `quality` intake kept of the rated message). */
export const REDACTED_METADATA = ['sent_message_content'] as const;
/** An intake's answer's copies of them: the `score` format answers with its `text`. */
const ECHOED = ['text'] as const;

/** Every space separator (`\\p{Zs}`), listed so that patterns without the `u` flag hold it. */
const SPACE = ' \\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000';
const HYPHEN = '\\-\\u2010-\\u2013\\u2212\\ufe63\\uff0d';
const PLUS = '+\\uff0b';
const OPEN = '(\\uff08';
const OTHER_SEPARATOR = '.()\\uff08\\uff09\\uff0e';
/** Both kinds of run, for digits of the class `digit` (a regex source). */
function runPatterns(digit: string, flags: string) {
  // Runs with fewer digits than a card or a phone number can hold never match, so the judges
  // only see candidates; every run that does match is matched from its first character.
  return {
    card: new RegExp(`${digit}(?:[${SPACE}${HYPHEN}]?${digit}){12,}`, flags),
    phone: new RegExp(
      `[${PLUS}${OPEN}]{0,2}${digit}(?:(?:[${SPACE}${HYPHEN}${OTHER_SEPARATOR}]{1,3}|:)?${digit}){7,}`,
      flags,
    ),
  };
}
// Matching ASCII digits without the `u` flag is several times faster than `\p{Nd}`; the
// Unicode patterns are used only for a text that holds digits of another script.
const ASCII_RUNS = runPatterns('[0-9]', 'g');
const UNICODE_RUNS = runPatterns('\\p{Nd}', 'gu');
// Looking for a non-ASCII character first is what makes this test cheap on ASCII text.
const OTHER_DIGIT = /(?=[\u0080-\u{10ffff}])\p{Nd}/u;
/** Each separator, `+` and digit of another form than ASCII's, for `asciiForm`. */
const OTHER_FORM = /[^\x20-\x7e]/gu;
const ANY_SPACE = new RegExp(`[${SPACE}]`, 'u');
const ANY_HYPHEN = new RegExp(`[${HYPHEN}]`, 'u');
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

/** A character of a run as ASCII writes it: a digit's value, a space, `-`, or `+().` themselves. */
function asciiChar(char: string): string {
  if (DIGIT.test(char)) return String(digitValue(char));
  if (ANY_SPACE.test(char)) return ' ';
  if (ANY_HYPHEN.test(char)) return '-';
  // The full-width forms of `+().` sit 0xfee0 above them.
  return String.fromCharCode((char.codePointAt(0) as number) - 0xfee0);
}

/** The run as ASCII writes it, so that one set of rules judges every script and width. */
function asciiForm(run: string): string {
  return ASCII.test(run) ? run : run.replace(OTHER_FORM, asciiChar);
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
 * after it, or right before a run that begins with a digit (a `(` or `+` already sets it apart);
 * not a letter of a script written without spaces, where every number touches a word.
 */
function glued(text: string, start: number, end: number, run: string): boolean {
  const after = text.codePointAt(end);
  if (after !== undefined && gluing(String.fromCodePoint(after))) return true;
  return (
    DIGIT.test(String.fromCodePoint(run.codePointAt(0) as number)) &&
    gluing(charBefore(text, start))
  );
}

/** A character of a word in a script that spaces its words (`writing.ts`). */
const gluing = (char: string) => WORD.test(char) && unspacedScripts(char) === 0;

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
  const digits = asciiForm(run).replace(/\D/g, '');
  return digits.length >= 13 && digits.length <= 19 && luhn(digits);
}

const between = (text: string | undefined, min: number, max: number) =>
  text !== undefined && Number(text) >= min && Number(text) <= max;

/** A day and a month, in either order: `15-01` and `01-15` are both written. */
const dayAndMonth = (first: string | undefined, second: string | undefined) =>
  (between(first, 1, 31) && between(second, 1, 12)) ||
  (between(first, 1, 12) && between(second, 1, 31));

// As locales write them (`Intl.DateTimeFormat`): `15.01.2024`, `15-01-2024`, `15.01.2024.`,
// `2024-01-15`, `2024.01.15`, `2024.01.15.`; `15. 01. 2024` is joined before it is judged.
const DAY_FIRST = /^(\d{1,2})([.-])(\d{1,2})\2\d{4}\.?$/;
const YEAR_FIRST = /^\d{4}([.-])(\d{1,2})\1(\d{1,2})\.?$/;
const TIME = /^(\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::\d{1,5})?$/;

function isDate(chunk: string): boolean {
  const year = YEAR_FIRST.exec(chunk);
  if (year) return dayAndMonth(year[2], year[3]);
  const day = DAY_FIRST.exec(chunk);
  return day !== null && dayAndMonth(day[1], day[3]);
}

function isTime(chunk: string): boolean {
  const time = TIME.exec(chunk);
  if (!time) return false;
  return between(time[1], 0, 24) && between(time[2], 0, 59) && between(time[3] ?? '0', 0, 60);
}

function isAddress(chunk: string): boolean {
  return (
    IPV4.exec(chunk)
      ?.slice(1, 5)
      .every((octet) => between(octet, 0, 255)) ?? false
  );
}

/** What makes digits a phone number: 8–15 of them, after a `+` or with two separators. */
function phoneShaped(ascii: string): boolean {
  const digits = ascii.replace(/\D/g, '').length;
  if (digits < 8 || digits > 15) return false;
  return /^\(?\+/.test(ascii) || (ascii.match(/[ .()-]/g)?.length ?? 0) >= 2;
}

const PARENTHESES = /^[(]+|[)]+$/g;
const NOT_DIGITS = /\P{Nd}/gu;
const SPREAD_DATE = /^\d+\.\d+\.\d+\.?$/;
/** A phone number's 15 digits with a date (8) and a time (6) on either side. */
const RUN_DIGITS = 15 + 2 * (8 + 6);

/**
 * Whether the run is a phone number, judged on what is left of it without its dates and times.
 * Its parts between spaces are judged with their parentheses taken off, a date spread over three
 * of them (`15. 12. 2024`, `2024. 12. 15.`) as one.
 */
function isPhone(run: string): boolean {
  // Counted first, so that a long run costs one scan.
  if (run.replace(ASCII.test(run) ? /\D/g : NOT_DIGITS, '').length > RUN_DIGITS) return false;
  const ascii = asciiForm(run);
  const written = ascii.split(/ +/);
  const parts = written.map((part) => part.replace(PARENTHESES, ''));
  // The rest as written, parentheses and all: they are separators of a phone number.
  const rest: string[] = [];
  let dropped = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const spread = part.endsWith('.') ? `${part}${parts[i + 1] ?? ''}${parts[i + 2] ?? ''}` : '';
    if (SPREAD_DATE.test(spread) && isDate(spread)) i += 2;
    else if (!isDate(part) && !isTime(part)) {
      if (/\d/.test(part)) rest.push(written[i] as string);
      continue;
    }
    dropped = true;
  }
  if (rest.every((part) => isAddress(part.replace(PARENTHESES, '')))) return false;
  return phoneShaped(dropped ? rest.join(' ') : ascii);
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
