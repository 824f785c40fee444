import { NotFoundError, StateConflictError } from '../errors';
import { giveUpAfter } from '../forward/outbox';
import { id, invalid } from '../intake/validate';
import type { Database } from '../storage/database';
import { wholeParam } from './filters';

const STATUSES = ['pending', 'delivered', 'failed'];
const COLUMNS = `id, feedback_id, destination, status, attempts, created_at, next_attempt_at,
  delivered_at, last_status, last_error`;

interface DeliveryRow {
  id: string;
  /** Null for a down_rate alert, which is about a subject rather than one record. */
  feedback_id: string | null;
  destination: string;
  status: string;
  attempts: number;
  created_at: Date;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  last_status: number | null;
  last_error: string | null;
}

/** A delivery as §11 answers it: absent fields left out, never null. */
function item(row: DeliveryRow) {
  const iso = (date: Date | null) => (date === null ? undefined : new Date(date).toISOString());
  return {
    id: row.id,
    feedback_id: row.feedback_id ?? undefined,
    destination: row.destination,
    status: row.status,
    attempts: row.attempts,
    created_at: iso(row.created_at),
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : undefined,
    delivered_at: iso(row.delivered_at),
    last_status: row.last_status ?? undefined,
    last_error: row.last_error ?? undefined,
  };
}

function filters(query: URLSearchParams) {
  const where: string[] = [];
  const params: unknown[] = [];
  const status = query.get('status');
  if (status !== null) {
    if (!STATUSES.includes(status)) throw invalid('status', `must be ${STATUSES.join(', ')}`);
    params.push(status);
    where.push(`status = $${params.length}`);
  }
  // Checked as the ids they are matched with, so text the database cannot take answers 400.
  for (const field of ['destination', 'feedback_id']) {
    const value = query.get(field);
    if (value === null) continue;
    params.push(id(value, field));
    where.push(`${field} = $${params.length}`);
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** `GET /api/deliveries`: newest first, filtered, paged. */
export async function listDeliveries(db: Database, query: URLSearchParams) {
  const limit = wholeParam(query, 'limit', { min: 1, max: 100, fallback: 20 });
  const offset = wholeParam(query, 'offset', { min: 0, max: 1_000_000_000, fallback: 0 });
  const where = filters(query);
  const n = where.params.length;
  const [rows, counts] = await Promise.all([
    db.query<DeliveryRow>(
      `SELECT ${COLUMNS} FROM deliveries ${where.sql}
       ORDER BY created_at DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.params, limit, offset],
    ),
    db.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM deliveries ${where.sql}`,
      where.params,
    ),
  ]);
  return { items: rows.map(item), total: counts[0]?.total ?? 0 };
}

/**
 * `GET /api/deliveries/stats`: one entry per configured destination and alert, in the file's
 * order.
 */
export async function deliveryStats(db: Database, names: string[]) {
  const rows = await db.query<{
    destination: string;
    pending: number;
    delivered: number;
    failed: number;
    oldest_pending_age_s: number | null;
  }>(
    `SELECT destination,
       (count(*) FILTER (WHERE status = 'pending'))::int AS pending,
       (count(*) FILTER (WHERE status = 'delivered'))::int AS delivered,
       (count(*) FILTER (WHERE status = 'failed'))::int AS failed,
       floor(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')))::int
         AS oldest_pending_age_s
     FROM deliveries GROUP BY destination`,
  );
  const byName = new Map(rows.map((row) => [row.destination, row]));
  return {
    destinations: names.map((name) => {
      const row = byName.get(name);
      return {
        destination: name,
        pending: row?.pending ?? 0,
        delivered: row?.delivered ?? 0,
        failed: row?.failed ?? 0,
        oldest_pending_age_s: row?.oldest_pending_age_s ?? undefined,
      };
    }),
  };
}

/** What this collector's forward file names, as a retry needs it. */
export interface Recipients {
  /** Every destination's and alert's name. */
  names: string[];
  /** The setting that names them, as the collector's reader spells it. */
  setting: string;
  maxAgeOf(name: string): number;
}

/**
 * `POST /api/deliveries/{id}/retry`: a failed delivery becomes pending, due now, and is tried
 * for as long again as its destination's or alert's max age. An alert cancelled because its
 * record is spam stays cancelled, and one to a name the forward file no longer holds stays
 * failed: nothing would send it.
 */
export async function retryDelivery(db: Database, id: string, recipients: Recipients) {
  const now = Date.now();
  const [existing] = await db.query<{
    status: string;
    body: string;
    destination: string;
    alert: string | null;
    last_error: string | null;
  }>('SELECT status, body, destination, alert, last_error FROM deliveries WHERE id = $1', [id]);
  if (!existing) {
    throw new NotFoundError('id', `No delivery has the \`id\` ${JSON.stringify(id)}.`);
  }
  if (existing.alert === 'comment' && existing.last_error === 'spam') {
    throw new StateConflictError('id', 'This alert was cancelled: its record is marked spam.');
  }
  if (!recipients.names.includes(existing.destination)) {
    throw new StateConflictError(
      'id',
      `This delivery's destination \`${existing.destination}\` is not in ${recipients.setting}: nothing would send it.`,
    );
  }
  const [row] = await db.query<DeliveryRow>(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = $2::timestamptz,
       give_up_at = $3::timestamptz
     WHERE id = $1 AND status = 'failed' AND body <> '' RETURNING ${COLUMNS}`,
    [id, new Date(now).toISOString(), giveUpAfter(now, recipients.maxAgeOf(existing.destination))],
  );
  if (row) return item(row);
  if (existing.status === 'failed') {
    throw new StateConflictError(
      'id',
      'This delivery could not be built: its URL needs a value the vote has not.',
    );
  }
  throw new StateConflictError('id', `The delivery is ${existing.status}, not failed.`);
}
