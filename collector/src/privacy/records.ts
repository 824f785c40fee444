import type { Database } from '../storage/database';

/**
 * Tables whose rows belong to one record, by its id in `feedback_id`: deleted with it. The
 * daily figures (`feedback_daily`) are not among them: `/api/feedback/stats` keeps counting a
 * deleted record. Issue 17's activity table is deleted with its record by its own
 * `ON DELETE CASCADE`.
 */
const DEPENDENTS = ['deliveries', 'idempotency_keys'];

/**
 * Records per statement: each batch holds its rows' locks (and, on PGlite, the one connection)
 * for a few milliseconds, so votes arriving meanwhile wait on none for long.
 */
export const DELETE_BATCH = 1_000;

/**
 * One statement deletes a batch and every row that belongs to it: the foreign key from
 * `deliveries` is checked at the statement's end, when both are gone. Rows another deletion is
 * working on are skipped, not waited for.
 */
function batchSql(where: string): string {
  const dependents = DEPENDENTS.map(
    (table, index) =>
      `d${index} AS (DELETE FROM ${table} WHERE feedback_id IN (SELECT id FROM doomed))`,
  );
  return `WITH doomed AS (
      SELECT id FROM feedback WHERE ${where} LIMIT ${DELETE_BATCH} FOR UPDATE SKIP LOCKED),
    ${dependents.join(',\n    ')},
    gone AS (DELETE FROM feedback WHERE id IN (SELECT id FROM doomed) RETURNING 1)
    SELECT count(*)::int AS deleted FROM gone`;
}

/**
 * Deletes every record `where` selects (a condition on `feedback` using `params` as `$1`…),
 * with what belongs to it, a batch at a time until none is left or `signal` aborts; resolves
 * with how many it deleted.
 */
export async function deleteRecords(
  db: Database,
  where: string,
  params: unknown[],
  signal?: AbortSignal,
): Promise<number> {
  const sql = batchSql(where);
  let total = 0;
  while (!signal?.aborted) {
    const [row] = await db.query<{ deleted: number }>(sql, params);
    const deleted = row?.deleted ?? 0;
    total += deleted;
    if (deleted < DELETE_BATCH) break;
  }
  return total;
}
