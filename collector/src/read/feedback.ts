import { NotFoundError } from '../errors';
import type { Database } from '../storage/database';
import { parseFilters, wholeParam } from './filters';

/** `GET /api/feedback`: one page of records, newest first, and how many match in all. */
export async function listFeedback(db: Database, query: URLSearchParams): Promise<string> {
  const limit = wholeParam(query, 'limit', { min: 1, max: 100, fallback: 20 });
  const offset = wholeParam(query, 'offset', { min: 0, max: 1_000_000_000, fallback: 0 });
  const where = parseFilters(query, true);
  const n = where.params.length;
  const [rows, counts] = await Promise.all([
    db.query<{ record: string }>(
      `SELECT record FROM feedback ${where.sql}
       ORDER BY created_at DESC, received_at DESC, id COLLATE "C" DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.params, limit, offset],
    ),
    db.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM feedback ${where.sql}`,
      where.params,
    ),
  ]);
  // Records are stored as JSON text, so they are returned exactly as they were stored.
  const items = rows.map((row) => row.record).join(',');
  return `{"items":[${items}],"total":${counts[0]?.total ?? 0}}`;
}

/** `GET /api/feedback/{id}`: one record. */
export async function getFeedback(db: Database, id: string): Promise<string> {
  const [row] = await db.query<{ record: string }>('SELECT record FROM feedback WHERE id = $1', [
    id,
  ]);
  if (!row) throw new NotFoundError('id', `No feedback has the \`id\` ${JSON.stringify(id)}.`);
  return row.record;
}
