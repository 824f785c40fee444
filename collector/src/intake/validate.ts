import { ValidationError } from '../errors';

/** A parsed JSON object whose fields are still unchecked. */
export type Fields = Record<string, unknown>;

export const LIMITS = { id: 200, reason: 500, comment: 5000, content: 20_000 } as const;

// PostgreSQL's text cannot hold NUL, and a lone surrogate cannot be encoded as UTF-8 at all:
// both are refused up front so they answer 400 naming the field instead of failing in the database.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point.
const NUL = /\u0000/;
const LONE_SURROGATE = /\p{Cs}/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

export function invalid(field: string, problem: string): ValidationError {
  return new ValidationError(field, `\`${field}\` ${problem}.`);
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, field = 'body'): Fields {
  if (!isObject(value)) throw invalid(field, 'must be a JSON object');
  return value;
}

export function required(fields: Fields, name: string, field = name): unknown {
  if (fields[name] === undefined || fields[name] === null) throw invalid(field, 'is required');
  return fields[name];
}

function storable(value: string, field: string): string {
  if (NUL.test(value)) throw invalid(field, 'must not contain NUL characters');
  if (LONE_SURROGATE.test(value)) throw invalid(field, 'must be valid Unicode');
  return value;
}

export function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if ([...value].length > max) throw invalid(field, `must be at most ${max} characters`);
  return storable(value, field);
}

/** An identifier: 1 to 200 characters, no control characters. */
export function id(value: unknown, field: string): string {
  const checked = text(value, field, LIMITS.id);
  if (checked === '') throw invalid(field, 'must not be empty');
  if (CONTROL.test(checked)) throw invalid(field, 'must not contain control characters');
  // A URL path cannot name `.` or `..` (clients resolve them away), so neither could be read back.
  if (checked === '.' || checked === '..') throw invalid(field, 'must not be `.` or `..`');
  return checked;
}

/**
 * The fixed routes under `/api/feedback/` (`/api/feedback/stats`…), which answer in place of a
 * record of that id: none may have one, or it could never be read back.
 */
export const FEEDBACK_ROUTES = ['stats', 'counts', 'attention', 'export', 'bulk'] as const;

/** A record's id: an identifier no fixed route under `/api/feedback/` shadows. */
export function recordId(value: unknown, field: string): string {
  const checked = id(value, field);
  if ((FEEDBACK_ROUTES as readonly string[]).includes(checked)) {
    throw invalid(
      field,
      `must not name a route under /api/feedback/ (${FEEDBACK_ROUTES.join(', ')})`,
    );
  }
  return checked;
}

/**
 * What a `sentiment` or `score` body names its subject by: an id, or for a page with none, its
 * URL, which the widget sends in its place and may be longer than an id (SPEC §5): up to 2,000
 * printable ASCII characters, as a browser writes a URL.
 */
export function subjectId(value: unknown, field: string): string {
  if (typeof value === 'string' && /^https?:\/\/[\x21-\x7e]{1,1990}$/i.test(value)) return value;
  return id(value, field);
}

export function optional<T>(
  fields: Fields,
  name: string,
  check: (value: unknown, field: string) => T,
): T | undefined {
  return fields[name] === undefined ? undefined : check(fields[name], name);
}

export function number(
  value: unknown,
  field: string,
  range: { min: number; max: number; integer?: boolean },
): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalid(field, 'must be a number');
  if (range.integer && !Number.isInteger(value)) throw invalid(field, 'must be a whole number');
  if (value < range.min || value > range.max) {
    throw invalid(field, `must be from ${range.min} to ${range.max}`);
  }
  return value;
}

export function oneOf<T extends string>(value: unknown, field: string, values: readonly T[]): T {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (!values.includes(value as T)) throw invalid(field, `must be one of ${values.join(', ')}`);
  return value as T;
}

export function boolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}

/** How deep a body's fields may nest: far beyond any real use, shallow enough for every check. */
const MAX_DEPTH = 32;

/** A top-level key as a refusal names it: one that could not be named that way is `body`. */
const FIELD_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Checks a parsed body as a whole, known fields or not, without recursion (so no depth can
 * overflow the stack): no field nests deeper than 32 levels, as what later walks the body
 * recurses (the idempotency fingerprint's `JSON.stringify`, the database's JSON), and no number
 * is beyond a double (`JSON.parse` reads 1e999 as Infinity, which JSON would store as null).
 * A refusal names the top-level field at fault.
 */
export function checkJson(body: unknown): void {
  const fields = isObject(body) ? Object.entries(body) : [['body', body] as const];
  for (const [name, root] of fields) {
    const field = FIELD_NAME.test(name) ? name : 'body';
    const pending: [unknown, number][] = [[root, 1]];
    for (let next = pending.pop(); next; next = pending.pop()) {
      const [value, depth] = next;
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw invalid(field, 'must not hold a number too large to store, such as 1e999');
      }
      if (typeof value !== 'object' || value === null) continue;
      if (depth > MAX_DEPTH) throw invalid(field, `must not nest deeper than ${MAX_DEPTH} levels`);
      for (const item of Object.values(value)) pending.push([item, depth + 1]);
    }
  }
}

/**
 * Checks every string (keys too) without recursion; the body's depth was checked as a whole
 * (`checkJson`).
 */
function checkStrings(root: Fields, field: string): void {
  const pending: unknown[] = [root];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (typeof value === 'string') storable(value, field);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (!Array.isArray(value)) storable(key, field);
        pending.push(item);
      }
    }
  }
}

/** A JSON object of any shape, whose strings (keys too) can all be stored. */
export function metadata(value: unknown, field: string): Fields {
  const object = asObject(value, field);
  checkStrings(object, field);
  return object;
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Whether `year-month-day` is a day of the proleptic Gregorian calendar, years 1 to 9999. */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return (
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

/**
 * An ISO 8601 date-time with its offset, e.g. `2026-11-21T10:00:00.000Z`: a real day of years
 * 0001–9999, a real time of day, and an offset within ±15:59 — what PostgreSQL can store.
 */
export function timestamp(value: unknown, field: string): string {
  const checked = text(value, field, 40);
  const [, year, month, day, hour, minute, second = '0', offsetHours = '0', offsetMinutes = '0'] =
    ISO_TIME.exec(checked) ?? [];
  const valid =
    year !== undefined &&
    isCalendarDay(Number(year), Number(month), Number(day)) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 15 &&
    Number(offsetMinutes) <= 59;
  if (!valid) {
    throw invalid(
      field,
      'must be an ISO 8601 date-time of years 0001–9999 with an offset within ±15:59, such as 2026-11-21T10:00:00Z',
    );
  }
  return checked;
}
