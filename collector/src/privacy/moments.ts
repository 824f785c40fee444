/**
 * Dates and times in a run of digits and separators (SPEC §13): they are no part of a phone or a
 * card number beside them (`on 2024-01-15 10:30 030 123 4567`), so a run is judged without them,
 * and they stay as typed while the number beside them is replaced.
 */

import { asciiForm, SPACE } from './runs';

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

/** Whether `chunk` (ASCII, parentheses off) is an IPv4 address, with or without a port. */
export function isAddress(chunk: string): boolean {
  return (
    IPV4.exec(chunk)
      ?.slice(1, 5)
      .every((octet) => between(octet, 0, 255)) ?? false
  );
}

export const PARENTHESES = /^[(]+|[)]+$/g;
const SPREAD_DATE = /^\d+\.\d+\.\d+\.?$/;

/**
 * How many of `parts` (ASCII, parentheses off) from `at` on are one date or time: 1, 3 for a
 * date spread over three of them (`15. 12. 2024`, `2024. 12. 15.`), or 0.
 */
function momentAt(parts: readonly string[], at: number): number {
  const part = parts[at] as string;
  if (part.endsWith('.') && at + 2 < parts.length) {
    const spread = `${part}${parts[at + 1]}${parts[at + 2]}`;
    if (SPREAD_DATE.test(spread) && isDate(spread)) return 3;
  }
  return isDate(part) || isTime(part) ? 1 : 0;
}

const SPACES = new RegExp(`([${SPACE}]+)`, 'u');

/**
 * The run with each stretch of it between its dates and times passed through `replace`: the
 * dates and times, and the spaces around them, stay as typed.
 */
export function replaceBesideMoments(run: string, replace: (number: string) => string): string {
  // Parts and the spaces between them, in turn: part, space, part, …, part.
  const pieces = run.split(SPACES);
  const parts: string[] = [];
  for (let i = 0; i < pieces.length; i += 2) {
    parts.push(asciiForm(pieces[i] as string).replace(PARENTHESES, ''));
  }
  let out = '';
  let number: number | undefined;
  const judged = (end: number) => replace(pieces.slice(number, end).join(''));
  for (let at = 0; at < parts.length; at++) {
    const length = momentAt(parts, at);
    if (length === 0) {
      number ??= 2 * at;
      continue;
    }
    if (number !== undefined) out += judged(2 * at - 1) + pieces[2 * at - 1];
    number = undefined;
    const last = at + length - 1;
    out += pieces.slice(2 * at, 2 * last + 1).join('') + (pieces[2 * last + 1] ?? '');
    at = last;
  }
  return number === undefined ? out : out + judged(pieces.length);
}
