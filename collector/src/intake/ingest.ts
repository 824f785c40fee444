import { IdempotencyConflictError } from '../errors';
import { deliveryArrays, insertDeliveriesSql, type NewDelivery } from '../forward/outbox';
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
  /** The kinds of `REDACT` the record's text went through, as stored in `feedback.redacted`. */
  redacted: string;
  voteWindowMs: number;
  /**
   * The record's deliveries (SPEC §11, §12), written in the statement that stores it, and only
   * if it is stored.
   */
  deliveries?: (record: FeedbackRecord) => NewDelivery[];
  /** More of that statement: down_rate alerts' counts (SPEC §12). Only with `deliveries`. */
  counts?: StoreParts;
}

/** Parts added to the statement that stores a record, and what follows from its answer. */
export interface StoreParts {
  /** CTEs, each after a comma, that may read `stored`; their parameters from `$first` on. */
  ctes(first: number): string;
  /** Columns, each after a comma, of the statement's answer. */
  columns: string;
  params(record: FeedbackRecord): unknown[];
  /** Once the record is stored, with the statement's answer. */
  after(q: Queryable, record: FeedbackRecord, answer: Record<string, unknown>): Promise<void>;
}

const SHARDS = 8;

/**
 * A vote stored in one statement: its Idempotency-Key claimed (when it has one), the record
 * inserted only if the key was this request's, counted in its day's figures (`feedback_daily`)
 * and, with forwarding, its deliveries written and its down_rate alerts' subjects counted
 * (`storeStatement`), only if it was inserted. One round trip instead of a transaction's five or
 * more: on PostgreSQL the vote's time is mostly those round trips. A concurrent repeat of the key
 * waits on the key's unique index until this statement commits, then finds it taken.
 */
const STORE = `WITH claim AS (
    INSERT INTO idempotency_keys (key, status, body, fingerprint, feedback_id)
    SELECT $11, $12, $13, $14, $1 WHERE $11::text IS NOT NULL
    ON CONFLICT (key) DO NOTHING RETURNING key
  ), stored AS (
    INSERT INTO feedback
      (id, format, rating, score, conversation_id, reason, voter, created_at, received_at, record,
       redacted)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz, $10, $18
    WHERE $11::text IS NULL OR EXISTS (SELECT 1 FROM claim)
    ON CONFLICT (id) DO NOTHING RETURNING id, rating
  ), counted AS (
    INSERT INTO feedback_daily AS daily
      (day, rating, bucket, reason_key, reason, shard, votes, score_sum)
    SELECT ($8::timestamptz AT TIME ZONE 'UTC')::date, $3, round($4::numeric)::int, $15, $16,
      $17, 1, $4
    FROM stored
    ON CONFLICT (day, rating, bucket, reason_key, reason, shard)
    DO UPDATE SET votes = daily.votes + 1, score_sum = daily.score_sum + excluded.score_sum
  )`;

/** STORE's answer: was the key this request's, and was the record inserted. */
const STORED =
  'SELECT EXISTS (SELECT 1 FROM claim) AS claimed, EXISTS (SELECT 1 FROM stored) AS stored';

/** The text of each shape of a vote's statement, built once per `counts`. */
const statements = new WeakMap<object, Map<string, string>>();
const NO_COUNTS = {};

/**
 * STORE, with the record's deliveries when it has any (their arrays follow its 18 parameters)
 * and `counts`' parts, and the name it is prepared under. A vote going nowhere skips the
 * deliveries' part: with a comment alert or a `when` that most votes do not match, most votes.
 */
function storeStatement(
  delivering: boolean,
  counts: StoreParts | undefined,
): { name: string; text: string } {
  const name = `ingest-store${delivering ? '-deliveries' : ''}${counts ? '-counts' : ''}`;
  let texts = statements.get(counts ?? NO_COUNTS);
  if (texts === undefined) {
    texts = new Map();
    statements.set(counts ?? NO_COUNTS, texts);
  }
  let text = texts.get(name);
  if (text === undefined) {
    const deliveries = delivering
      ? `, delivered AS (${insertDeliveriesSql(19)} WHERE EXISTS (SELECT 1 FROM stored))`
      : '';
    text = `${STORE}${deliveries}${counts?.ctes(delivering ? 28 : 19) ?? ''}\n${STORED}${counts?.columns ?? ''}`;
    texts.set(name, text);
  }
  return { name, text };
}

/**
 * A windowed vote's first statement: it claims its Idempotency-Key (when it has one) and takes
 * the lock that serialises the votes of one voter on one conversation until the transaction
 * ends, so two at once cannot both pass the window's rule (`RECENT`, a statement of its own so
 * that it reads what committed while it waited for the lock).
 */
const CLAIM_AND_LOCK = `WITH claim AS (
    INSERT INTO idempotency_keys (key, status, body, fingerprint, feedback_id)
    SELECT $1, $2, $3, $4, $5 WHERE $1::text IS NOT NULL
    ON CONFLICT (key) DO NOTHING RETURNING key
  )
  SELECT EXISTS (SELECT 1 FROM claim) AS claimed
  FROM (SELECT pg_advisory_xact_lock(hashtext($6))) AS locked`;

/** The window's rule: has this voter voted on this conversation since then? */
const RECENT = `SELECT 1 FROM feedback WHERE voter = $1 AND conversation_id = $2
  AND received_at > $3::timestamptz LIMIT 1`;

/** The first answer to a key another request claimed, for a repeat to replay. */
const FIRST = 'SELECT status, body, fingerprint FROM idempotency_keys WHERE key = $1';

/**
 * Stores one accepted vote with its Idempotency-Key and its deliveries, atomically: in one
 * statement, or in a transaction when the vote has a window to keep. A down_rate alert that the
 * vote sets off is claimed after it.
 */
export async function ingest(
  db: Database,
  accepted: Accepted,
  options: IngestOptions,
): Promise<Outcome> {
  const outcome = {
    status: accepted.status,
    body: JSON.stringify(accepted.response),
    stored: false,
  };
  const { record } = accepted;
  const key = options.idempotencyKey;
  const windowed = accepted.voter !== undefined && options.voteWindowMs > 0;

  /** The first request's answer to a key already taken; 422 when it was another request. */
  const replay = async (q: Queryable): Promise<Outcome> => {
    const [first] = await q.query<{ status: number; body: string; fingerprint: string }>(FIRST, [
      key,
    ]);
    if (first && first.fingerprint !== null && first.fingerprint !== options.fingerprint) {
      throw new IdempotencyConflictError();
    }
    return first ? { status: first.status, body: first.body, stored: false } : outcome;
  };
  const { deliveries, counts } = options;
  /** Stores the record (claiming `claimKey` in the same statement) and counts it. */
  const store = async (q: Queryable, claimKey: string | undefined): Promise<Outcome> => {
    const planned = deliveries?.(record) ?? [];
    const statement = storeStatement(planned.length > 0, counts);
    const [result] = await q.query<{ claimed: boolean; stored: boolean }>(
      statement.text,
      [
        record.id,
        record.format,
        record.rating,
        record.score,
        record.conversation_id ?? null,
        record.reason ?? null,
        // Without a window no voter is needed, so none is kept (SPEC §13).
        windowed ? accepted.voter : null,
        record.created_at,
        record.received_at,
        JSON.stringify(record),
        claimKey ?? null,
        outcome.status,
        outcome.body,
        options.fingerprint,
        record.reason_key ?? record.reason ?? '',
        record.reason ?? '',
        Math.floor(Math.random() * SHARDS),
        options.redacted,
        ...(planned.length > 0 ? deliveryArrays(planned) : []),
        ...(counts?.params(record) ?? []),
      ],
      statement.name,
    );
    if (claimKey !== undefined && !result?.claimed) return replay(q);
    const stored = result?.stored === true;
    if (stored) await counts?.after(q, record, result);
    return { ...outcome, stored };
  };

  if (!windowed) return store(db, key);
  return db.transaction(async (tx) => {
    // The key first: a repeat of this request replays its answer, whatever the window says.
    const [claim] = await tx.query<{ claimed: boolean }>(
      CLAIM_AND_LOCK,
      [
        key ?? null,
        outcome.status,
        outcome.body,
        options.fingerprint,
        record.id,
        `${record.conversation_id}\n${accepted.voter}`,
      ],
      'ingest-claim',
    );
    if (key !== undefined && !claim?.claimed) return replay(tx);
    const since = Math.max(0, Date.parse(record.received_at) - options.voteWindowMs);
    const recent = await tx.query(
      RECENT,
      [accepted.voter, record.conversation_id, new Date(since).toISOString()],
      'ingest-recent',
    );
    if (recent.length > 0) return outcome;
    return store(tx, undefined);
  });
}

/** Keys per statement: a backlog of millions never makes one statement outlast its timeout. */
const PRUNE_BATCH = 5_000;

/**
 * Idempotency keys outlive the widget's 7-day outbox window by a day, then go, a batch at a
 * time; resolves with how many went.
 */
export async function pruneIdempotencyKeys(db: Database): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await db.query<{ pruned: number }>(
      `WITH stale AS (
         SELECT key FROM idempotency_keys WHERE created_at < now() - interval '8 days'
         LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED),
       gone AS (DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM stale) RETURNING 1)
       SELECT count(*)::int AS pruned FROM gone`,
    );
    const pruned = row?.pruned ?? 0;
    total += pruned;
    if (pruned < PRUNE_BATCH) return total;
  }
}
