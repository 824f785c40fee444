// What the inbox needs to know of a search (SPEC §12) beyond sending it: whether it names a
// status, and how to write one. It reads a search with the collector's own parser, so the
// status tabs and the links the inbox builds agree with what the collector answers.
import { parseSearch, searchValue } from '../src/read/search';
import { STATUSES, type Status } from './types';

/** The search's terms as written: runs of non-space characters, a quoted phrase kept whole. */
function terms(q: string): string[] {
  return q.match(/(?:[^\s"]+|"(?:[^"\\]|\\.)*"?)+/g) ?? [];
}

const STATUS_TERM = /^-?is:/i;

/** The statuses the search names, or undefined when the collector will refuse it. */
function statusClauses(q: string) {
  try {
    return parseSearch(q).filter((clause) => clause.term.kind === 'status');
  } catch {
    return undefined;
  }
}

/** Whether the search says anything about the status (`is:…` or `-is:…`). */
export function namesStatus(q: string): boolean {
  return (statusClauses(q) ?? terms(q).filter((term) => STATUS_TERM.test(term))).length > 0;
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
 * will be refused.
 */
export function shownStatus(q: string): Status | undefined {
  const clauses = statusClauses(q);
  if (clauses === undefined) return undefined;
  if (clauses.length === 0) return 'open';
  const [only] = clauses;
  if (clauses.length > 1 || only === undefined || only.negated) return undefined;
  return STATUSES.find((status) => only.term.kind === 'status' && only.term.value === status);
}

/** The term matching a field's value exactly, quoted when the value needs it. */
export const fieldTerm = (field: string, value: string) => `${field}:${searchValue(value)}`;
