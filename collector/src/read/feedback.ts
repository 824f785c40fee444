import { NotFoundError } from '../errors';
import type { Database } from '../storage/database';
import { type Conditions, filterConditions, whereOf, wholeParam } from './filters';
import { parseSearch, STATUSES, type Status } from './search';
import { searchConditions } from './search-sql';
import { recordWithActivity, withState } from './state';

/** The order of every list and export (SPEC §8): newest first, ties broken the same way each time. */
export const NEWEST_FIRST = 'created_at DESC, received_at DESC, id COLLATE "C" DESC';

/**
 * The records a list or export selects: §8's filters and the search `q` (SPEC §12), whose
 * `assigned:me` is `actor`. `keep` drops terms of the search (the counts leave out `is:`).
 */
export function selection(
  query: URLSearchParams,
  actor: string,
  keep: (kind: string) => boolean = () => true,
): Conditions {
  const selected = filterConditions(query, true);
  const q = query.get('q');
  if (q !== null) {
    const clauses = parseSearch(q).filter((clause) => keep(clause.term.kind));
    selected.conditions.push(...searchConditions(clauses, actor, selected.params));
  }
  return selected;
}

/** `GET /api/feedback`: one page of records with their state, newest first, and how many match. */
export async function listFeedback(
  db: Database,
  query: URLSearchParams,
  actor: string,
): Promise<string> {
  const limit = wholeParam(query, 'limit', { min: 1, max: 100, fallback: 20 });
  const offset = wholeParam(query, 'offset', { min: 0, max: 1_000_000_000, fallback: 0 });
  const where = whereOf(selection(query, actor));
  const n = where.params.length;
  const [rows, counts] = await Promise.all([
    db.query<{ record: string; status: string; assignee: string | null }>(
      `SELECT record, status, assignee FROM feedback ${where.sql}
       ORDER BY ${NEWEST_FIRST} LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.params, limit, offset],
    ),
    db.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM feedback ${where.sql}`,
      where.params,
    ),
  ]);
  // Records are stored as JSON text, so they are returned exactly as they were stored.
  const items = rows.map((row) => withState(row.record, row.status, row.assignee)).join(',');
  return `{"items":[${items}],"total":${counts[0]?.total ?? 0}}`;
}

/**
 * `GET /api/feedback/counts`: how many records the search selects in each status, its own
 * `is:` terms left out, so the inbox can show every status's count beside the one it lists.
 */
export async function countByStatus(
  db: Database,
  query: URLSearchParams,
  actor: string,
): Promise<Record<Status, number>> {
  const where = whereOf(selection(query, actor, (kind) => kind !== 'status'));
  const rows = await db.query<{ status: Status; count: number }>(
    `SELECT status, count(*)::int AS count FROM feedback ${where.sql} GROUP BY status`,
    where.params,
  );
  const counts = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<
    Status,
    number
  >;
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

/** `GET /api/feedback/{id}`: one record with its state and activity, oldest first. */
export async function getFeedback(db: Database, id: string): Promise<string> {
  const answer = await recordWithActivity(db, id);
  if (answer === undefined) {
    throw new NotFoundError('id', `No feedback has the \`id\` ${JSON.stringify(id)}.`);
  }
  return answer;
}
