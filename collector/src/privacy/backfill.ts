import type { FeedbackRecord } from '../intake/record';
import type { Database, Queryable } from '../storage/database';
import { changedTexts, replaceTexts } from './copies';
import type { Rest } from './pace';
import { createRedactor, REDACTIONS, type Redaction, redactRecord } from './redact';

/** Records per transaction: each holds its rows (and, on PGlite, the one connection) briefly. */
const BATCH = 200;

/** Every value `feedback.redacted` can hold that lacks one of `kinds` (NULL is matched apart). */
function lacking(kinds: readonly Redaction[]): string[] {
  const sets: string[] = [];
  for (let mask = 0; mask < 1 << REDACTIONS.length; mask++) {
    const set = REDACTIONS.filter((_, index) => mask & (1 << index));
    if (!kinds.every((kind) => set.includes(kind))) sets.push(set.join(','));
  }
  return sets;
}

/**
 * Sets `columns` of the rows of `table` whose `key` is in `rows`, from `rows`, in one
 * statement; every column is text. The names are the module's own, never input.
 */
async function updateRows(
  tx: Queryable,
  table: string,
  key: string,
  columns: string[],
  rows: Record<string, string | null>[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = [key, ...columns];
  await tx.query(
    `UPDATE ${table} AS t SET ${columns.map((column) => `${column} = u.${column}`).join(', ')}
     FROM unnest(${names.map((_, index) => `$${index + 1}::text[]`).join(', ')})
       AS u (${names.join(', ')})
     WHERE t.${key} = u.${key}`,
    names.map((name) => rows.map((row) => row[name] ?? null)),
  );
}

/**
 * What the collector keeps elsewhere of the changed records: their deliveries' bodies and last
 * answers, and their Idempotency-Key answers and fingerprints. A Slack alert quotes its comment line by line,
 * escaped, so its text is redacted whole.
 */
async function redactCopies(
  tx: Queryable,
  changed: Map<string, [string, string][]>,
  redact: (text: string) => string,
): Promise<void> {
  const ids = [...changed.keys()];
  const deliveries = await tx.query<{
    id: string;
    feedback_id: string;
    alert: string | null;
    body: string;
    last_error: string | null;
  }>(
    'SELECT id, feedback_id, alert, body, last_error FROM deliveries WHERE feedback_id = ANY($1)',
    [ids],
  );
  const updates = deliveries.flatMap((delivery) => {
    const pairs = changed.get(delivery.feedback_id) ?? [];
    let body = replaceTexts(delivery.body, pairs);
    if (delivery.alert === 'comment' && body !== '') {
      const posted = JSON.parse(body) as { text?: unknown };
      if (typeof posted.text === 'string') {
        body = JSON.stringify({ ...posted, text: redact(posted.text) });
      }
    }
    const lastError = delivery.last_error && replaceTexts(delivery.last_error, pairs);
    return body === delivery.body && lastError === delivery.last_error
      ? []
      : [{ id: delivery.id, body, last_error: lastError }];
  });
  await updateRows(tx, 'deliveries', 'id', ['body', 'last_error'], updates);
  const answers = await tx.query<{ key: string; feedback_id: string; body: string }>(
    'SELECT key, feedback_id, body FROM idempotency_keys WHERE feedback_id = ANY($1)',
    [ids],
  );
  // A key's fingerprint digests the body as typed (`fingerprint.ts`): it goes, and a repeat of
  // the key is answered without comparing bodies for the days the key has left.
  const replayed = answers.map((answer) => ({
    key: answer.key,
    body: replaceTexts(answer.body, changed.get(answer.feedback_id) ?? []),
    fingerprint: null,
  }));
  await updateRows(tx, 'idempotency_keys', 'key', ['body', 'fingerprint'], replayed);
}

/** A record whose reason redaction changed: where its day's figures counted it, and where now. */
interface MovedReason {
  id: string;
  fromKey: string;
  fromReason: string;
  toKey: string;
  toReason: string;
}

/**
 * Moves the changed records' counts in the daily figures from their reason as typed to their
 * reason redacted, adding to what is already counted there, so `/api/feedback/stats` keeps its
 * totals and loses the text. A row counts every vote of its day, rating, score and reason, so
 * every vote in it had the same text, and all of it moves.
 */
async function moveDailyReasons(tx: Queryable, moved: MovedReason[]): Promise<void> {
  const column = <K extends keyof MovedReason>(key: K) => moved.map((item) => item[key]);
  await tx.query(
    `WITH changed AS (
       SELECT DISTINCT (f.created_at AT TIME ZONE 'UTC')::date AS day, f.rating,
         round(f.score::numeric)::int AS bucket, m.from_key, m.from_reason, m.to_key, m.to_reason
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         AS m (id, from_key, from_reason, to_key, to_reason)
       JOIN feedback AS f ON f.id = m.id
     ), taken AS (
       DELETE FROM feedback_daily AS d USING changed AS c
       WHERE d.day = c.day AND d.rating = c.rating AND d.bucket = c.bucket
         AND d.reason_key = c.from_key AND d.reason = c.from_reason
       RETURNING d.day, d.rating, d.bucket, c.to_key, c.to_reason, d.shard, d.votes, d.score_sum
     )
     INSERT INTO feedback_daily AS daily
       (day, rating, bucket, reason_key, reason, shard, votes, score_sum)
     SELECT day, rating, bucket, to_key, to_reason, shard, sum(votes), sum(score_sum)
     FROM taken GROUP BY day, rating, bucket, to_key, to_reason, shard
     ON CONFLICT (day, rating, bucket, reason_key, reason, shard)
     DO UPDATE SET votes = daily.votes + excluded.votes,
       score_sum = daily.score_sum + excluded.score_sum`,
    [column('id'), column('fromKey'), column('fromReason'), column('toKey'), column('toReason')],
  );
}

/**
 * Redacts, with `kinds`, the records stored before redaction or under a narrower `REDACT`
 * (SPEC §13), a batch per transaction (awaiting `rest` between two) until none is left or
 * `signal` aborts, with what the
 * collector keeps of them elsewhere and their reasons in the daily figures; resolves with how
 * many records it went through.
 */
export async function redactStored(
  db: Database,
  kinds: readonly Redaction[],
  signal: AbortSignal,
  rest: Rest,
): Promise<number> {
  if (kinds.length === 0) return 0;
  const redact = createRedactor(kinds);
  const short = lacking(kinds);
  /** What a record's text has been through once `kinds` have been applied to it too. */
  const applied = (before: string | null) =>
    REDACTIONS.filter((kind) => kinds.includes(kind) || before?.split(',').includes(kind)).join(
      ',',
    );
  let total = 0;
  while (!signal.aborted) {
    const count = await db.transaction(async (tx) => {
      const rows = await tx.query<{ id: string; record: string; redacted: string | null }>(
        `SELECT id, record, redacted FROM feedback
         WHERE redacted IS DISTINCT FROM 'email,phone,card'
           AND (redacted IS NULL OR redacted = ANY($1::text[]))
         LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [short],
      );
      const changed = new Map<string, [string, string][]>();
      // Each row is updated once, as every update writes a new version into each index.
      const records: Record<string, string | null>[] = [];
      const untouched: Record<string, string | null>[] = [];
      const moved: MovedReason[] = [];
      for (const row of rows) {
        const record = JSON.parse(row.record) as FeedbackRecord | null;
        const redacted =
          // Intake stores objects; a row written by hand may hold any JSON, with no text in it.
          typeof record === 'object' && record !== null ? redactRecord(record, redact) : record;
        if (redacted === record || record === null || redacted === null) {
          untouched.push({ id: row.id, redacted: applied(row.redacted) });
          continue;
        }
        changed.set(row.id, changedTexts(record, redacted));
        records.push({
          id: row.id,
          record: JSON.stringify(redacted),
          reason: redacted.reason ?? null,
          redacted: applied(row.redacted),
        });
        if (redacted.reason !== record.reason) {
          // As intake counts it (`intake/ingest.ts`): the key, else the reason itself.
          moved.push({
            id: row.id,
            fromKey: record.reason_key ?? record.reason ?? '',
            fromReason: record.reason ?? '',
            toKey: redacted.reason_key ?? redacted.reason ?? '',
            toReason: redacted.reason ?? '',
          });
        }
      }
      if (records.length > 0) {
        await updateRows(tx, 'feedback', 'id', ['record', 'reason', 'redacted'], records);
        await redactCopies(tx, changed, redact);
        if (moved.length > 0) await moveDailyReasons(tx, moved);
      }
      await updateRows(tx, 'feedback', 'id', ['redacted'], untouched);
      return rows.length;
    });
    total += count;
    if (count < BATCH) break;
    await rest();
  }
  return total;
}
