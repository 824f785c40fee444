import type { Queryable } from '../storage/database';
import type { Settled } from './outbox';

/**
 * A delivery still being sent when its batch was settled: it stays pending, its attempts as they
 * were, with `next_attempt_at` set to `until`, so no worker claims it while it is in flight.
 */
export interface Lease {
  id: string;
  /** The delivery's attempts when it was claimed. */
  attempts: number;
  until: Date;
}

const OUTCOMES = `unnest($2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::int[], $7::text[])
  AS o (id, status, attempts, next_attempt_at, last_status, last_error)`;

const WRITE_OUTCOME = `status = o.status, attempts = o.attempts,
  next_attempt_at = o.next_attempt_at, last_status = o.last_status, last_error = o.last_error,
  delivered_at = CASE WHEN o.status = 'delivered' THEN $1::timestamptz END`;

/**
 * What a vendor answered, or how its attempt failed, as a text column can hold it: PostgreSQL's
 * text refuses U+0000 (a gzip'd or UTF-16 error body holds them), which fails the write-back of
 * the whole batch, its delivered rows included, so that all are sent again; an unpaired
 * surrogate has no UTF-8 form. Each becomes U+FFFD, as invalid UTF-8 in a body already does.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storable(text: string | null): string | null {
  return text === null ? null : text.replace(UNSTORABLE, '\uFFFD');
}

/** `$1` to `$7` of `OUTCOMES` and `WRITE_OUTCOME`. */
function outcomeParams(outcomes: Settled[], now: Date): unknown[] {
  const column = <K extends keyof Settled>(key: K) => outcomes.map((outcome) => outcome[key]);
  return [
    now.toISOString(),
    column('id'),
    column('status'),
    column('attempts'),
    column('next_attempt_at').map((date) => date?.toISOString() ?? null),
    column('last_status'),
    column('last_error').map(storable),
  ];
}

/**
 * Writes a batch back in one statement: the outcome of each attempt that ended, and a lease
 * until `until` for each delivery in `leased`, still in flight. A delivery no longer pending was
 * cancelled while it was sent (an alert whose record was marked spam meanwhile): it stays so.
 */
export async function settle(
  tx: Queryable,
  outcomes: Settled[],
  leased: string[],
  until: Date,
  now: Date,
): Promise<void> {
  if (outcomes.length === 0 && leased.length === 0) return;
  await tx.query(
    `WITH leased AS (
       UPDATE deliveries SET next_attempt_at = $8::timestamptz
       WHERE id = ANY($9::text[]) AND status = 'pending')
     UPDATE deliveries AS d SET ${WRITE_OUTCOME}
     FROM ${OUTCOMES}
     WHERE d.id = o.id AND d.status = 'pending'`,
    [...outcomeParams(outcomes, now), until.toISOString(), leased],
    'deliveries-settle',
  );
}

/**
 * Writes the outcome of a leased delivery's attempt once it ended, only if the row still holds
 * that lease: one cancelled meanwhile (spam) stays cancelled, and one the lease ran out on
 * belongs to whoever claimed it since.
 */
export async function settleLeased(
  db: Queryable,
  lease: Lease,
  outcome: Settled,
  now: Date,
): Promise<void> {
  await db.query(
    `UPDATE deliveries AS d SET ${WRITE_OUTCOME}
     FROM ${OUTCOMES}
     WHERE d.id = o.id AND d.status = 'pending' AND d.attempts = $8
       AND d.next_attempt_at = $9::timestamptz`,
    [...outcomeParams([outcome], now), lease.attempts, lease.until.toISOString()],
    'deliveries-settle-leased',
  );
}
