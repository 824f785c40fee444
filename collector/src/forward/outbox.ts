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
  /** A comment alert whose record is spam now. */
  spam: boolean;
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

/** A delivery about to be written: to a destination (SPEC §11) or an alert (§12). */
export interface NewDelivery {
  /** Absent for a down_rate alert, which is about a subject rather than one record. */
  feedbackId: string | null;
  destination: string;
  alert: 'comment' | 'down_rate' | null;
  url: string;
  body: string;
  /** Why it cannot be sent, when it cannot: then it is stored failed at once. */
  failure: string | null;
  createdAt: string;
  giveUpAt: string;
}

/**
 * The deliveries of one record to each destination it goes to (SPEC §11). A delivery that
 * cannot be built (a URL placeholder without a value) is failed at once, naming the placeholder.
 */
export function destinationDeliveries(
  destinations: Destination[],
  record: FeedbackRecord,
  maxAgeMs: number,
): NewDelivery[] {
  const createdAt = new Date(record.received_at).toISOString();
  const giveUpAt = giveUpAfter(Date.parse(record.received_at), maxAgeMs);
  return destinations.flatMap((destination) => {
    const planned = plan(destination, record);
    if (planned === undefined) return [];
    const failed = 'failure' in planned;
    return {
      feedbackId: record.id,
      destination: destination.name,
      alert: null,
      url: failed ? destination.url : planned.url,
      body: failed ? '' : JSON.stringify(planned.body),
      failure: failed ? planned.failure : null,
      createdAt,
      giveUpAt,
    };
  });
}

/**
 * The INSERT of deliveries from the arrays of `deliveryArrays`, numbered from `$first` on: a part
 * of the statement that stores the vote they follow (`intake/ingest.ts`), so a vote acknowledged
 * is a vote that will be forwarded and its comment alerts sent, or of the one that claims a
 * down_rate alert's subject (`alert-outbox.ts`).
 */
export function insertDeliveriesSql(first: number): string {
  const $ = (index: number) => `$${first + index}`;
  return `INSERT INTO deliveries
       (id, feedback_id, destination, alert, status, url, body, created_at, give_up_at,
        next_attempt_at, last_error)
     SELECT d.id, d.feedback_id, d.destination, d.alert,
       CASE WHEN d.failure IS NULL THEN 'pending' ELSE 'failed' END, d.url, d.body, d.created_at,
       d.give_up_at, CASE WHEN d.failure IS NULL THEN d.created_at END, d.failure
     FROM unnest(${$(0)}::text[], ${$(1)}::text[], ${$(2)}::text[], ${$(3)}::text[],
       ${$(4)}::text[], ${$(5)}::text[], ${$(6)}::text[], ${$(7)}::timestamptz[],
       ${$(8)}::timestamptz[])
       AS d (id, feedback_id, destination, alert, url, body, failure, created_at, give_up_at)`;
}

/** `deliveries` as the nine arrays `insertDeliveriesSql` unnests, each with a new id. */
export function deliveryArrays(deliveries: NewDelivery[]): unknown[] {
  const column = <K extends keyof NewDelivery>(key: K) => deliveries.map((item) => item[key]);
  return [
    deliveries.map(() => randomUUID()),
    column('feedbackId'),
    column('destination'),
    column('alert'),
    column('url'),
    column('body'),
    column('failure'),
    column('createdAt'),
    column('giveUpAt'),
  ];
}

// A comment alert whose record has been marked spam since is never sent (SPEC §12).
const DUE = `SELECT d.id, d.destination, d.url, d.body, d.attempts, d.give_up_at,
    coalesce(f.status = 'spam', false) AS spam
  FROM deliveries AS d LEFT JOIN feedback AS f ON d.alert = 'comment' AND f.id = d.feedback_id
  WHERE d.status = 'pending' AND d.next_attempt_at <= $1::timestamptz AND d.destination = ANY($3)
  ORDER BY d.next_attempt_at LIMIT $2`;

/**
 * Due deliveries to the named destinations, oldest first; a collector never touches another's
 * destinations. With `lock` (PostgreSQL, inside a transaction) the rows stay locked until it
 * ends and other collectors skip them; those still in flight then are leased (`settle.ts`), so
 * no delivery is sent twice at once. Without (PGlite, one collector), `sending` names those this
 * collector's other batches are sending and have not written back yet.
 */
export function due(
  tx: Queryable,
  now: Date,
  limit: number,
  names: string[],
  lock: boolean,
  sending: string[] = [],
): Promise<Claimed[]> {
  return lock
    ? tx.query<Claimed>(
        `${DUE} FOR UPDATE OF d SKIP LOCKED`,
        [now.toISOString(), limit, names],
        'deliveries-claim',
      )
    : tx.query<Claimed>(
        DUE.replace('ORDER BY', 'AND NOT (d.id = ANY($4::text[])) ORDER BY'),
        [now.toISOString(), limit, names, sending],
        'deliveries-due',
      );
}
