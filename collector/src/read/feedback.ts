import type { Rating } from '../../../widget/core/vocabulary';
import { NotFoundError } from '../errors';
import type { Database } from '../storage/database';
import { type Conditions, filterConditions, whereOf, wholeParam } from './filters';
import { parseSearch, STATUSES, type Status } from './search';
import { searchConditions } from './search-sql';
import { recordWithActivity, withState } from './state';

/** The order of every list and export (SPEC §8): `created_at` descending, then `id`. */
export const NEWEST_FIRST = 'created_at DESC, id COLLATE "C"';

/** The records a list or export selects. */
export interface Selection extends Conditions {
  /**
   * Set when nothing but `is:` and `rating:` terms select them: which pairs of status and
   * rating are selected, so the kept counts answer how many.
   */
  counted?: (status: Status, rating: Rating) => boolean;
}

/**
 * The records a list or export selects: §8's filters and the search `q` (SPEC §12), whose
 * `assigned:me` is `actor`. `keep` drops terms of the search (the counts leave out `is:`).
 */
export function selection(
  query: URLSearchParams,
  actor: string,
  keep: (kind: string) => boolean = () => true,
): Selection {
  const selected: Selection = filterConditions(query, true);
  const q = query.get('q');
  const clauses = q === null ? [] : parseSearch(q).filter((clause) => keep(clause.term.kind));
  const counted = clauses.every(({ term }) => term.kind === 'status' || term.kind === 'rating');
  if (selected.conditions.length === 0 && counted) {
    selected.counted = (status, rating) =>
      clauses.every(({ term, negated }) => {
        const holds =
          (term.kind === 'status' && term.value === status) ||
          (term.kind === 'rating' && term.value === rating);
        return holds !== negated;
      });
  }
  selected.conditions.push(...searchConditions(clauses, actor, selected.params));
  return selected;
}

function byStatus(rows: { status: Status; count: number }[]): Record<Status, number> {
  const counts = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<
    Status,
    number
  >;
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

/**
 * How many records of each status the kept counts (migration 005's triggers) hold for the
 * pairs of status and rating `counted` selects.
 */
async function keptCounts(
  db: Database,
  counted: NonNullable<Selection['counted']>,
): Promise<Record<Status, number>> {
  const rows = await db.query<{ status: Status; rating: Rating; count: number }>(
    'SELECT status, rating, sum(records)::int AS count FROM feedback_counts GROUP BY 1, 2',
  );
  const counts = byStatus([]);
  for (const row of rows) if (counted(row.status, row.rating)) counts[row.status] += row.count;
  return counts;
}

async function total(db: Database, selected: Selection): Promise<number> {
  if (selected.counted) {
    const counts = await keptCounts(db, selected.counted);
    return STATUSES.reduce((sum, status) => sum + counts[status], 0);
  }
  const where = whereOf(selected);
  const [row] = await db.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM feedback ${where.sql}`,
    where.params,
  );
  return row?.total ?? 0;
}

/**
 * Up to this many matches are sorted once found; beyond, the newest are found by walking the
 * order's index, which reaches a page quickly only when matches are that common.
 */
const FEW = 20_000;

/** `GET /api/feedback`: one page of records with their state, newest first, and how many match. */
export async function listFeedback(
  db: Database,
  query: URLSearchParams,
  actor: string,
): Promise<string> {
  const limit = wholeParam(query, 'limit', { min: 1, max: 100, fallback: 20 });
  const offset = wholeParam(query, 'offset', { min: 0, max: 1_000_000_000, fallback: 0 });
  const selected = selection(query, actor);
  const matching = await total(db, selected);
  if (offset >= matching) return `{"items":[],"total":${matching}}`;
  const where = whereOf(selected);
  const n = where.params.length;
  const page = `LIMIT $${n + 1} OFFSET $${n + 2}`;
  const rows = await db.query<{ record: string; status: string; assignee: string | null }>(
    matching <= FEW
      ? `WITH matches AS MATERIALIZED (SELECT id, created_at, received_at FROM feedback ${where.sql})
         SELECT record, status, assignee FROM feedback
         WHERE id IN (SELECT id FROM matches ORDER BY ${NEWEST_FIRST} ${page})
         ORDER BY ${NEWEST_FIRST}`
      : `SELECT record, status, assignee FROM feedback ${where.sql}
         ORDER BY ${NEWEST_FIRST} ${page}`,
    [...where.params, limit, offset],
  );
  // Records are stored as JSON text, so they are returned exactly as they were stored.
  const items = rows.map((row) => withState(row.record, row.status, row.assignee)).join(',');
  return `{"items":[${items}],"total":${matching}}`;
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
  const selected = selection(query, actor, (kind) => kind !== 'status');
  if (selected.counted) return keptCounts(db, selected.counted);
  const where = whereOf(selected);
  const rows = await db.query<{ status: Status; count: number }>(
    `SELECT status, count(*)::int AS count FROM feedback ${where.sql} GROUP BY status`,
    where.params,
  );
  return byStatus(rows);
}

/** `GET /api/feedback/{id}`: one record with its state and activity, oldest first. */
export async function getFeedback(db: Database, id: string): Promise<string> {
  const answer = await recordWithActivity(db, id);
  if (answer === undefined) {
    throw new NotFoundError('id', `No feedback has the \`id\` ${JSON.stringify(id)}.`);
  }
  return answer;
}
