import { IdempotencyConflictError } from '../errors';
import type { Database, Queryable } from '../storage/database';
import type { Accepted } from './formats';
import type { FeedbackRecord } from './record';

/** The answer to one POST, exactly as it is (or was first) sent, and whether it stored a vote. */
export interface Outcome {
  status: number;
  body: string;
  stored: boolean;
}

export interface IngestOptions {
  idempotencyKey: string | undefined;
  /** What the request was (route, query and body), to tell a repeat from a reused key. */
  fingerprint: string;
  voteWindowMs: number;
  /** Writes the record's deliveries (SPEC §11) in its transaction, only when it is stored. */
  forward?: (tx: Queryable, record: FeedbackRecord) => Promise<void>;
}

/** Counts the vote in its day's figures (`feedback_daily`), in the same transaction. */
const COUNT = `INSERT INTO feedback_daily AS daily
  (day, rating, bucket, reason_key, reason, shard, votes, score_sum)
  VALUES (($1::timestamptz AT TIME ZONE 'UTC')::date, $2, round($3::numeric)::int, $4, $5, $6, 1, $3)
  ON CONFLICT (day, rating, bucket, reason_key, reason, shard)
  DO UPDATE SET votes = daily.votes + 1, score_sum = daily.score_sum + excluded.score_sum`;

const SHARDS = 8;

const INSERT = `INSERT INTO feedback
  (id, format, rating, score, conversation_id, reason, voter, created_at, received_at, record)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz, $10)
  ON CONFLICT (id) DO NOTHING RETURNING id`;

/**
 * Stores one accepted vote, in one transaction with its Idempotency-Key. Claiming the key first
 * makes a concurrent repeat wait on the key's unique index until this transaction commits, then
 * find the key taken and replay the stored answer: two identical requests store one record.
 */
export function ingest(db: Database, accepted: Accepted, options: IngestOptions): Promise<Outcome> {
  const outcome = {
    status: accepted.status,
    body: JSON.stringify(accepted.response),
    stored: false,
  };
  const { record } = accepted;
  return db.transaction(async (tx) => {
    if (options.idempotencyKey !== undefined) {
      const claimed = await tx.query(
        `INSERT INTO idempotency_keys (key, status, body, fingerprint, feedback_id)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING RETURNING key`,
        [options.idempotencyKey, outcome.status, outcome.body, options.fingerprint, record.id],
      );
      if (claimed.length === 0) {
        const [first] = await tx.query<{ status: number; body: string; fingerprint: string }>(
          'SELECT status, body, fingerprint FROM idempotency_keys WHERE key = $1',
          [options.idempotencyKey],
        );
        if (first && first.fingerprint !== null && first.fingerprint !== options.fingerprint) {
          throw new IdempotencyConflictError();
        }
        if (first) return { status: first.status, body: first.body, stored: false };
      }
    }
    if (accepted.voter !== undefined && options.voteWindowMs > 0) {
      // Serialises votes of one voter on one conversation, so two at once cannot both pass.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `${record.conversation_id}\n${accepted.voter}`,
      ]);
      const since = Math.max(0, Date.parse(record.received_at) - options.voteWindowMs);
      const recent = await tx.query(
        `SELECT 1 FROM feedback WHERE voter = $1 AND conversation_id = $2
         AND received_at > $3::timestamptz LIMIT 1`,
        [accepted.voter, record.conversation_id, new Date(since).toISOString()],
      );
      if (recent.length > 0) return outcome;
    }
    const stored = await tx.query(INSERT, [
      record.id,
      record.format,
      record.rating,
      record.score,
      record.conversation_id ?? null,
      record.reason ?? null,
      // Without a window no voter is needed, so none is kept (SPEC §13).
      options.voteWindowMs > 0 ? (accepted.voter ?? null) : null,
      record.created_at,
      record.received_at,
      JSON.stringify(record),
    ]);
    if (stored.length > 0) {
      await tx.query(COUNT, [
        record.created_at,
        record.rating,
        record.score,
        record.reason_key ?? record.reason ?? '',
        record.reason ?? '',
        Math.floor(Math.random() * SHARDS),
      ]);
      await options.forward?.(tx, record);
    }
    return { ...outcome, stored: stored.length > 0 };
  });
}

/** Idempotency keys outlive the widget's 7-day outbox window by a day, then go. */
export async function pruneIdempotencyKeys(db: Database): Promise<number> {
  const rows = await db.query(
    "DELETE FROM idempotency_keys WHERE created_at < now() - interval '8 days' RETURNING key",
  );
  return rows.length;
}
