import { FORMATS, RATINGS, type Rating } from '../../../widget/core/vocabulary';
import { isCalendarDay } from '../intake/validate';
import { fail, shown, type Token, tokenize } from './search-tokens';

/** A record's triage state (SPEC §12). */
export const STATUSES = ['open', 'resolved', 'spam'] as const;
export type Status = (typeof STATUSES)[number];

/** The fields `has:` asks about, by the name the search uses. */
export const PRESENT = ['comment', 'reason', 'trace', 'message'] as const;
/** The fields `NAME:value` compares whole, by the name the search uses. */
export const EQUALS = [
  'message',
  'conversation',
  'session',
  'user',
  'trace',
  'locale',
  'format',
] as const;

export type Bound = { value: number; inclusive: boolean };

/** What one term matches: the syntax tree of a search is a list of these, all of which hold. */
export type Term =
  | { kind: 'text'; value: string }
  | { kind: 'rating'; value: Rating }
  | { kind: 'status'; value: Status }
  | { kind: 'assigned'; to: { name: string } | 'none' | 'me' }
  | { kind: 'reason'; key: string }
  | { kind: 'has'; field: (typeof PRESENT)[number] }
  | { kind: 'page'; pattern: string }
  | { kind: 'equals'; field: (typeof EQUALS)[number]; value: string }
  | { kind: 'score'; min?: Bound; max?: Bound }
  | { kind: 'after' | 'before'; day: string };

export interface Clause {
  term: Term;
  negated: boolean;
}

/** The longest search taken, and the most terms: far beyond what a person types. */
const MAX_LENGTH = 2000;
const MAX_TERMS = 50;
const NAME_LENGTH = 64;

const FIELDS = [
  'rating',
  'is',
  'assigned',
  'reason',
  'has',
  'page',
  ...EQUALS,
  'score',
  'after',
  'before',
];

function oneOf<T extends string>(value: string, allowed: readonly T[], source: string): T {
  const lower = value.toLowerCase();
  if (!allowed.includes(lower as T)) {
    fail(`has a bad value in ${shown(source)}: use one of ${allowed.join(', ')}`);
  }
  return lower as T;
}

const NUMBER = /^\d+(\.\d+)?$/;

function scoreNumber(text: string, source: string): number {
  const value = Number(text);
  if (!NUMBER.test(text) || value > 10) {
    fail(`has a bad score in ${shown(source)}: scores are numbers from 0 to 10`);
  }
  return value;
}

function score(value: string, source: string): Term {
  const range = /^(.*?)\.\.(.*)$/.exec(value);
  if (range) {
    const min = scoreNumber(range[1] as string, source);
    const max = scoreNumber(range[2] as string, source);
    if (min > max) fail(`has a score range that ends before it starts: ${shown(source)}`);
    return {
      kind: 'score',
      min: { value: min, inclusive: true },
      max: { value: max, inclusive: true },
    };
  }
  const [, operator, number] = /^(<=|>=|<|>)(.*)$/.exec(value) ?? [];
  if (operator === undefined || number === undefined) {
    return fail(
      `has a bad score in ${shown(source)}: write score:<N, score:<=N, score:>N, score:>=N or score:N..M`,
    );
  }
  const bound = { value: scoreNumber(number, source), inclusive: operator.length === 2 };
  return operator.startsWith('<') ? { kind: 'score', max: bound } : { kind: 'score', min: bound };
}

function day(value: string, source: string): string {
  const [, year, month, date] = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) ?? [];
  if (year === undefined || !isCalendarDay(Number(year), Number(month), Number(date))) {
    fail(`has a bad day in ${shown(source)}: write a day of years 0001–9999 such as 2026-11-21`);
  }
  return value;
}

/** The term a `field:value` token stands for. */
function fieldTerm(field: string, value: string, source: string): Term {
  if (value === '') fail(`has no value after ${shown(`${field}:`)}`);
  switch (field) {
    case 'rating':
      return { kind: 'rating', value: oneOf(value, RATINGS, source) };
    case 'is':
      return { kind: 'status', value: oneOf(value, STATUSES, source) };
    case 'has':
      return { kind: 'has', field: oneOf(value, PRESENT, source) };
    case 'assigned': {
      const lower = value.toLowerCase();
      if (lower === 'none' || lower === 'me') return { kind: 'assigned', to: lower };
      if ([...value].length > NAME_LENGTH) {
        fail(`has a name longer than ${NAME_LENGTH} characters in ${shown(source)}`);
      }
      return { kind: 'assigned', to: { name: value } };
    }
    case 'reason':
      return { kind: 'reason', key: value };
    case 'page':
      return { kind: 'page', pattern: value };
    case 'score':
      return score(value, source);
    case 'after':
    case 'before':
      return { kind: field, day: day(value, source) };
    case 'format':
      return { kind: 'equals', field, value: oneOf(value, FORMATS, source) };
    default:
      return { kind: 'equals', field: field as (typeof EQUALS)[number], value };
  }
}

function term(token: Token): Term {
  const [first] = token.parts;
  const named = first && !first.quoted ? /^([A-Za-z_]+):/.exec(first.text) : null;
  if (!named) {
    const value = token.parts.map((part) => part.text).join('');
    if (value === '') fail('has an empty phrase `""`');
    return { kind: 'text', value };
  }
  const field = (named[1] as string).toLowerCase();
  if (!FIELDS.includes(field)) {
    fail(
      `has an unknown field ${shown(`${named[1]}:`)} in ${shown(token.source)} (fields: ${FIELDS.join(', ')}; put a word with a colon in quotes)`,
    );
  }
  const value = [first?.text.slice(named[0].length), ...token.parts.slice(1).map((p) => p.text)];
  return fieldTerm(field, value.join(''), token.source);
}

/**
 * Parses a search (SPEC §12) once into its syntax tree: terms separated by whitespace, all of
 * which must hold, each negated by a leading `-`. Anything it cannot take throws a
 * ValidationError naming `q` and the term.
 *
 * @example
 * parseSearch('"single sign-on" rating:down -is:spam');
 * // [{ term: { kind: 'text', value: 'single sign-on' }, negated: false }, …]
 */
export function parseSearch(q: string): Clause[] {
  if ([...q].length > MAX_LENGTH) fail(`must be at most ${MAX_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: PostgreSQL text cannot hold NUL.
  if (/\u0000/.test(q)) fail('must not contain NUL characters');
  if (/\p{Cs}/u.test(q)) fail('must be valid Unicode');
  const tokens = tokenize(q);
  if (tokens.length > MAX_TERMS) fail(`must have at most ${MAX_TERMS} terms`);
  return tokens.map((token) => ({ term: term(token), negated: token.negated }));
}

/**
 * A value as a search term writes it: quoted when it holds whitespace or a quote, so
 * `message:${searchValue(id)}` finds exactly that id.
 */
export function searchValue(value: string): string {
  return /[\s"\\]/.test(value) || value === '' ? `"${value.replace(/["\\]/g, '\\$&')}"` : value;
}
