/**
 * Redaction of what people type (SPEC §13): e-mail addresses, phone numbers and payment card
 * numbers in a record's free-text fields become `[email]`, `[phone]` and `[card]` before the
 * record is stored or forwarded.
 *
 * Numbers are found as runs, each judged whole, so a run is never split into a part that happens
 * to look like a number and a rest that does not, but for a card typed with up to four digits
 * beside it (`cards.ts`):
 * - a card run is digits joined by at most one space or hyphen at a time; it is a card when it
 *   holds 13–19 digits that pass the Luhn check, or when a card in whole groups starts or ends it
 *   with at most four digits beside it (a CVV, an expiry, a short number). A run joined by single
 *   dots is one too when it also has a group of four digits or more (thousands are grouped by
 *   threes);
 * - a phone run is digits joined by up to three of space, `-`, `.`, `(`, `)` (or one `:`), and may
 *   begin with `+` or `(`; it is a phone number when it holds 8–15 digits and begins with `+` or
 *   holds at least two separators, unless it is an amount (`amounts.ts`). A run with a `/` after
 *   an area code that begins with 0 (`030/1234567`) is one too.
 * Dates and times in a run (`2024-01-15`, `15. 12. 2024`, `10:30`) are no part of a number beside
 * them: they stay, and each stretch of the run between them is judged (`moments.ts`); a run
 * that is all dates, times and IPv4 addresses is no phone number.
 * A space is any of Unicode's (`\p{Zs}`: a thin or an ideographic one too), a hyphen any dash a
 * number is grouped by (`‐`, `–`, `−`, `－`), and the full-width `＋（）．／` count as `+()./`: an
 * input method typing full-width digits types these with them.
 * A run glued to a letter, a digit or `_` (`a456-426614174000` in a UUID, a hash, an SKU) is part
 * of a word and is left alone, unless the letter is of a script written without spaces
 * (`番号は4111111111111111です`). Cards are replaced first, so a run that is both becomes `[card]`.
 * Digits of every script count (`٠١٢`, `０１２`). Every scan is linear in the text's length, and
 * applying a redaction twice changes nothing: no replacement holds a digit or an `@`.
 */

import { isAmount } from './amounts';
import { isDottedCard, replaceCards } from './cards';
import { replaceEmails } from './emails';
import { isAddress, PARENTHESES, replaceBesideMoments } from './moments';
import { ASCII, asciiForm, DIGIT, DOT, HYPHEN, SPACE } from './runs';
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

const PLUS = '+\\uff0b';
const OPEN = '(\\uff08';
const OTHER_SEPARATOR = `()\\uff08\\uff09${DOT}`;
/** The kinds of run, for digits of the class `digit` (a regex source). */
function runPatterns(digit: string, flags: string) {
  // Runs with fewer digits than a card or a phone number can hold never match, so the judges
  // only see candidates; every run that does match is matched from its first character.
  return {
    // A card run, and an expiry's `/YY` or `/YYYY` after it, with a CVV after that: not a
    // date's (no `/` follows) and not the start of another run, which is judged on its own.
    card: new RegExp(
      `(${digit}(?:[${SPACE}${HYPHEN}]?${digit}){12,})([/\\uff0f]${digit}{2}(?:${digit}{2})?(?:[${SPACE}]${digit}{3,4})?(?!${digit}|[/\\uff0f]|[${SPACE}${HYPHEN}${DOT}]${digit}))?`,
      flags,
    ),
    // Not after a digit: each run is tried once, from its start, not again from each digit.
    dottedCard: new RegExp(`(?<!${digit})${digit}(?:[${DOT}]?${digit}){12,}`, flags),
    // An area code, `/`, the number (`030/1234567`): not after a digit, `/` or `.`, so neither a
    // date's nor a fraction's part.
    slashPhone: new RegExp(
      `(?<!${digit}|[/.\\uff0f\\uff0e])${digit}{3,6}[/\\uff0f]${digit}(?:[${SPACE}${HYPHEN}]?${digit}){4,}`,
      flags,
    ),
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
// A digit of another script is looked for only in a text with a character beyond ASCII: the
// test without the `u` flag costs half as much on ASCII text as the lookahead alone.
const BEYOND_ASCII = /[^\0-\x7f]/;
const OTHER_DIGIT = /(?=[\u0080-\u{10ffff}])\p{Nd}/u;
const WORD = /[\p{L}\p{N}_]/u;

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

/** Each run that `pattern` finds, not glued to a word, with `replace` applied to it. */
function replaceRuns(
  text: string,
  pattern: RegExp,
  replace: (run: string, start: number, end: number) => string,
): string {
  return text.replace(pattern, (run: string, offset: number) => {
    const end = offset + run.length;
    return glued(text, offset, end, run) ? run : replace(run, offset, end);
  });
}

/**
 * Each card run that `pattern` finds, not glued to a word, with its cards replaced (`cards.ts`);
 * an expiry after it is taken only when no word is glued to it either.
 */
function replaceCardRuns(text: string, pattern: RegExp): string {
  return text.replace(
    pattern,
    (match: string, run: string, expiry: string | undefined, offset: number) => {
      const end = offset + run.length;
      if (glued(text, offset, end, run)) return match;
      const after = text.codePointAt(offset + match.length);
      return expiry === undefined || (after !== undefined && gluing(String.fromCodePoint(after)))
        ? replaceCards(run, '') + (expiry ?? '')
        : replaceCards(run, expiry);
    },
  );
}

const SPACED_BEFORE = new RegExp(`\\p{Nd}[${SPACE}${HYPHEN}]$`, 'u');
const SPACED_AFTER = new RegExp(`^[${SPACE}${HYPHEN}]\\p{Nd}`, 'u');

/**
 * Whether a dotted run at `start..end` of `text` shares a group with a run grouped by spaces or
 * hyphens (`4111.1111.1111.1111 2222`): that run was judged whole, with this group in it, and the
 * dotted run is left to it, so that redacting twice changes nothing.
 */
const joined = (text: string, start: number, end: number) =>
  SPACED_BEFORE.test(text.slice(Math.max(0, start - 3), start)) ||
  SPACED_AFTER.test(text.slice(end, end + 3));

/** What makes digits a phone number: 8–15 of them, after a `+` or with two separators. */
function phoneShaped(ascii: string): boolean {
  const digits = ascii.replace(/\D/g, '').length;
  if (digits < 8 || digits > 15) return false;
  return /^\(?\+/.test(ascii) || (ascii.match(/[ .()-]/g)?.length ?? 0) >= 2;
}

/**
 * A phone number written with a `/` after its area code, as German, Austrian and Swiss numbers
 * are (`030/1234567`, `0171/123 45 67`): the area code begins with 0, 8–15 digits in all.
 */
function isSlashPhone(run: string): boolean {
  const ascii = asciiForm(run);
  const digits = ascii.replace(/\D/g, '').length;
  return ascii.startsWith('0') && digits >= 8 && digits <= 15;
}

const NOT_DIGITS = /\P{Nd}/gu;

/** Whether a stretch of a run without dates and times is a phone number. */
function isPhone(number: string): boolean {
  // Counted first, so that a long run costs one scan.
  if (number.replace(ASCII.test(number) ? /\D/g : NOT_DIGITS, '').length > 15) return false;
  const ascii = asciiForm(number);
  if (ascii.split(/ +/).every((part) => isAddress(part.replace(PARENTHESES, '')))) return false;
  return phoneShaped(ascii);
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
    const runs = BEYOND_ASCII.test(out) && OTHER_DIGIT.test(out) ? UNICODE_RUNS : ASCII_RUNS;
    if (card) {
      out = replaceCardRuns(out, runs.card);
      const text = out;
      out = replaceRuns(text, runs.dottedCard, (run, start, end) =>
        !joined(text, start, end) && isDottedCard(run) ? '[card]' : run,
      );
    }
    if (phone) {
      out = replaceRuns(out, runs.slashPhone, (run) => (isSlashPhone(run) ? '[phone]' : run));
      const text = out;
      out = replaceRuns(text, runs.phone, (run, start, end) =>
        isAmount(text, start, end, run)
          ? run
          : replaceBesideMoments(run, (number) => (isPhone(number) ? '[phone]' : number)),
      );
    }
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
