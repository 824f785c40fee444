// What the inbox itself needs to know of the search language (SPEC §12): where the terms are,
// and which of them name a status. The collector parses and checks every term; this only
// reads a search the way it does, so the status tabs and the links the inbox builds agree
// with what the collector answers.
import { STATUSES, type Status } from './types';

/** The search's terms: runs of non-space characters, a double-quoted phrase kept whole. */
export function terms(q: string): string[] {
  return q.match(/(?:[^\s"]+|"[^"]*"?)+/g) ?? [];
}

const STATUS_TERM = /^-?is:/;

/** Whether the search says anything about the status (`is:…` or `-is:…`). */
export function namesStatus(q: string): boolean {
  return terms(q).some((term) => STATUS_TERM.test(term));
}

/** The search the list asks for: `is:open` unless the search says otherwise. */
export function listQuery(q: string): string {
  const trimmed = terms(q).join(' ');
  return namesStatus(q) ? trimmed : ['is:open', trimmed].filter(Boolean).join(' ');
}

/** The search with its status terms replaced by `is:STATUS`, first. */
export function withStatus(q: string, status: Status): string {
  return [`is:${status}`, ...terms(q).filter((term) => !STATUS_TERM.test(term))].join(' ');
}

/**
 * The one status the list shows, or undefined when the search names several, negates one or
 * names one the collector will refuse.
 */
export function shownStatus(q: string): Status | undefined {
  const named = terms(q).filter((term) => STATUS_TERM.test(term));
  if (named.length === 0) return 'open';
  return named.length === 1 ? STATUSES.find((status) => named[0] === `is:${status}`) : undefined;
}

/**
 * A term matching a field's value exactly: `field:value`, or `field:"value"` when the value
 * holds a space; undefined for a value no term can carry (a double quote).
 */
export function fieldTerm(field: string, value: string): string | undefined {
  if (value.includes('"') || value === '') return undefined;
  return /\s/.test(value) ? `${field}:"${value}"` : `${field}:${value}`;
}
