import { RATINGS } from '../../../widget/core/vocabulary';
import { id, invalid, isCalendarDay } from '../intake/validate';

/** A parameterised WHERE clause: conditions refer to `params` by `$n`, never by value. */
export interface Where {
  sql: string;
  params: unknown[];
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A `YYYY-MM-DD` day of years 0001–9999, as the text PostgreSQL reads. */
function day(text: string, field: string): string {
  const [, year, month, date] = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) ?? [];
  if (year === undefined) throw invalid(field, 'must be a date such as 2026-11-21');
  if (!isCalendarDay(Number(year), Number(month), Number(date))) {
    throw invalid(field, 'must be a date that exists, in years 0001–9999');
  }
  return text;
}

function scoreBound(text: string, field: string): number {
  const value = Number(text);
  if (!DECIMAL.test(text) || value < 0 || value > 10) {
    throw invalid(field, 'must be a number from 0 to 10');
  }
  return value;
}

/** Parses a whole-number query parameter within `min`..`max`. */
export function wholeParam(
  query: URLSearchParams,
  field: string,
  range: { min: number; max: number; fallback: number },
): number {
  const text = query.get(field);
  if (text === null) return range.fallback;
  if (!/^\d+$/.test(text) || Number(text) < range.min || Number(text) > range.max) {
    throw invalid(field, `must be a whole number from ${range.min} to ${range.max}`);
  }
  return Number(text);
}

/** `from` and `to`, checked: real days, `from` not after `to`. */
function dayBounds(query: URLSearchParams): { from?: string; to?: string } {
  const fromText = query.get('from');
  const toText = query.get('to');
  const from = fromText === null ? undefined : day(fromText, 'from');
  const to = toText === null ? undefined : day(toText, 'to');
  if (from !== undefined && to !== undefined && from > to) {
    throw invalid('from', 'must not be after `to`');
  }
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

/**
 * The stats route's filters as conditions on the daily rollup (`feedback_daily`), or undefined
 * when one of them (`conversation_id`) needs the votes themselves.
 */
export function rollupFilters(query: URLSearchParams): Where | undefined {
  if (query.get('conversation_id') !== null) return undefined;
  const { from, to } = dayBounds(query);
  const conditions: string[] = [];
  const params: string[] = [];
  if (from !== undefined) conditions.push(`day >= $${params.push(from)}::date`);
  if (to !== undefined) conditions.push(`day <= $${params.push(to)}::date`);
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** Conditions that must all hold, referring to `params` by `$n`. */
export interface Conditions {
  conditions: string[];
  params: unknown[];
}

export const whereOf = ({ conditions, params }: Conditions): Where => ({
  sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '',
  params,
});

/**
 * The filters a query may carry: always `conversation_id`, `from` and `to` (UTC days of
 * `created_at`, inclusive); with `scores`, also `min_score`, `max_score` and `rating`.
 */
export function parseFilters(query: URLSearchParams, scores: boolean): Where {
  return whereOf(filterConditions(query, scores));
}

/** `parseFilters` as a list of conditions, for routes that add their own. */
export function filterConditions(query: URLSearchParams, scores: boolean): Conditions {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (condition: string, value: unknown) => {
    params.push(value);
    conditions.push(condition.replace('?', `$${params.length}`));
  };
  const conversation = query.get('conversation_id');
  if (conversation !== null) add('conversation_id = ?', id(conversation, 'conversation_id'));
  const { from, to } = dayBounds(query);
  // Days are UTC; the day after `to` is computed by PostgreSQL, so 9999-12-31 stays in range.
  if (from !== undefined) add("created_at >= (?::date)::timestamp AT TIME ZONE 'UTC'", from);
  if (to !== undefined) add("created_at < (?::date + 1)::timestamp AT TIME ZONE 'UTC'", to);
  if (scores) {
    const min = query.get('min_score');
    const max = query.get('max_score');
    const low = min === null ? undefined : scoreBound(min, 'min_score');
    const high = max === null ? undefined : scoreBound(max, 'max_score');
    if (low !== undefined && high !== undefined && low > high) {
      throw invalid('min_score', 'must not be above `max_score`');
    }
    if (low !== undefined) add('score >= ?', low);
    if (high !== undefined) add('score <= ?', high);
    const rating = query.get('rating');
    if (rating !== null) {
      if (!RATINGS.includes(rating as never)) {
        throw invalid('rating', `must be one of ${RATINGS.join(', ')}`);
      }
      add('rating = ?', rating);
    }
  }
  return { conditions, params };
}
