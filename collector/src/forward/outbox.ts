import { randomUUID } from 'node:crypto';
import type { FeedbackRecord } from '../intake/record';
import type { Queryable } from '../storage/database';
import type { Destination } from './destinations';
import { plan } from './request';

/** The end of the last day PostgreSQL and ISO 8601 both write with four digits. */
const LAST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59);

/** When a delivery starting at `from` stops being retried; `forever` is the year 9999. */
export function giveUpAfter(from: number, maxAgeMs: number): string {
  return new Date(Math.min(from + maxAgeMs, LAST_TIME)).toISOString();
}

/** A pending delivery claimed for one attempt. */
export interface Claimed {
  id: string;
  destination: string;
  url: string;
  body: string;
  attempts: number;
  give_up_at: Date;
}

/** How one attempt ended, as it is written back. */
export interface Settled {
  id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
}

/**
 * Writes one delivery per destination the record goes to, inside the record's own transaction
 * (SPEC §11): a vote acknowledged is a vote that will be forwarded. A delivery that cannot be
 * built (a URL placeholder without a value) is stored failed at once, naming the placeholder.
 */
export async function enqueue(
  tx: Queryable,
  destinations: Destination[],
  record: FeedbackRecord,
  maxAgeMs: number,
): Promise<void> {
  const rows: unknown[][] = [];
  const now = new Date(record.received_at);
  const giveUpAt = giveUpAfter(now.getTime(), maxAgeMs);
  for (const destination of destinations) {
    const planned = plan(destination, record);
    if (planned === undefined) continue;
    const failed = 'failure' in planned;
    rows.push([
      randomUUID(),
      destination.name,
      failed ? 'failed' : 'pending',
      failed ? destination.url : planned.url,
      failed ? '' : JSON.stringify(planned.body),
      failed ? null : now.toISOString(),
      failed ? planned.failure : null,
    ]);
  }
  if (rows.length === 0) return;
  const column = (index: number) => rows.map((row) => row[index]);
  await tx.query(
    `INSERT INTO deliveries
       (id, feedback_id, destination, status, url, body, created_at, give_up_at, next_attempt_at,
        last_error)
     SELECT d.id, $1, d.destination, d.status, d.url, d.body, $2::timestamptz, $3::timestamptz,
       d.next_attempt_at, d.last_error
     FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::timestamptz[], $10::text[])
       AS d (id, destination, status, url, body, next_attempt_at, last_error)`,
    [record.id, now.toISOString(), giveUpAt, ...[0, 1, 2, 3, 4, 5, 6].map(column)],
  );
}

const DUE = `SELECT id, destination, url, body, attempts, give_up_at FROM deliveries
  WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz AND destination = ANY($3)
  ORDER BY next_attempt_at LIMIT $2`;

/**
 * Due deliveries to the named destinations, oldest first; a collector never touches another's
 * destinations. With `lock` (PostgreSQL, inside a transaction) the rows stay locked until it
 * ends and other collectors skip them, so no delivery is sent twice at once.
 */
export function due(
  tx: Queryable,
  now: Date,
  limit: number,
  names: string[],
  lock: boolean,
): Promise<Claimed[]> {
  return tx.query<Claimed>(lock ? `${DUE} FOR UPDATE SKIP LOCKED` : DUE, [
    now.toISOString(),
    limit,
    names,
  ]);
}

/** Writes every attempt's outcome back in one statement. */
export async function settle(tx: Queryable, outcomes: Settled[], now: Date): Promise<void> {
  if (outcomes.length === 0) return;
  const column = <K extends keyof Settled>(key: K) => outcomes.map((outcome) => outcome[key]);
  await tx.query(
    `UPDATE deliveries AS d SET status = o.status, attempts = o.attempts,
       next_attempt_at = o.next_attempt_at, last_status = o.last_status,
       last_error = o.last_error,
       delivered_at = CASE WHEN o.status = 'delivered' THEN $1::timestamptz END
     FROM unnest($2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::int[], $7::text[])
       AS o (id, status, attempts, next_attempt_at, last_status, last_error)
     WHERE d.id = o.id`,
    [
      now.toISOString(),
      column('id'),
      column('status'),
      column('attempts'),
      column('next_attempt_at').map((date) => date?.toISOString() ?? null),
      column('last_status'),
      column('last_error'),
    ],
  );
}
