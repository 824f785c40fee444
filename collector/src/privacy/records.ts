import type { Database } from '../storage/database';
import { noRest, type Rest } from './pace';

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
 * What a deletion adds to a batch (SPEC §13): the deleted records (those `typed` selects in
 * `gone`) leave the daily figures' reasons, which for the vote route hold the person's comment.
 * Each counted reason of theirs
 * gives its votes and score to the same day, rating and score without a reason, so the totals
 * stay and the text goes once no other vote counts under it. A reason's row is split over shards
 * that `/api/feedback/stats` adds up: the rows are taken and what is left comes back as one
 * (added to, should a vote have counted under it meanwhile).
 */
const forgetReasons = (typed: string) => `,
    forgotten AS (
      SELECT (created_at AT TIME ZONE 'UTC')::date AS day, rating,
        round(score::numeric)::int AS bucket, coalesce(reason_key, '') AS reason_key,
        coalesce(reason, '') AS reason, count(*) AS votes, sum(score) AS score_sum
      FROM gone WHERE (coalesce(reason_key, '') <> '' OR coalesce(reason, '') <> '') AND ${typed}
      GROUP BY 1, 2, 3, 4, 5),
    taken AS (
      DELETE FROM feedback_daily AS d USING forgotten AS f
      WHERE d.day = f.day AND d.rating = f.rating AND d.bucket = f.bucket
        AND d.reason_key = f.reason_key AND d.reason = f.reason
      RETURNING d.day, d.rating, d.bucket, d.reason_key, d.reason, d.votes, d.score_sum),
    moves AS (
      SELECT t.day, t.rating, t.bucket, t.reason_key, t.reason,
        sum(t.votes) AS had, sum(t.score_sum) AS had_score,
        least(max(f.votes), sum(t.votes)) AS votes, max(f.score_sum) AS score_sum
      FROM taken AS t JOIN forgotten AS f USING (day, rating, bucket, reason_key, reason)
      GROUP BY t.day, t.rating, t.bucket, t.reason_key, t.reason),
    kept AS (
      INSERT INTO feedback_daily AS daily
        (day, rating, bucket, reason_key, reason, shard, votes, score_sum)
      SELECT day, rating, bucket, reason_key, reason, 0, had - votes, had_score - score_sum
      FROM moves WHERE had > votes
      ON CONFLICT (day, rating, bucket, reason_key, reason, shard)
      DO UPDATE SET votes = daily.votes + excluded.votes,
        score_sum = daily.score_sum + excluded.score_sum),
    anonymous AS (
      INSERT INTO feedback_daily AS daily
        (day, rating, bucket, reason_key, reason, shard, votes, score_sum)
      SELECT day, rating, bucket, '', '', 0, sum(votes), sum(score_sum)
      FROM moves GROUP BY day, rating, bucket
      ON CONFLICT (day, rating, bucket, reason_key, reason, shard)
      DO UPDATE SET votes = daily.votes + excluded.votes,
        score_sum = daily.score_sum + excluded.score_sum)`;

/**
 * One statement deletes a batch and every row that belongs to it: the foreign key from
 * `deliveries` is checked at the statement's end, when both are gone. An erasure
 * waits for rows a triage change or the housekeeping holds, so it never
 * reports done with one of them left; a purge by age skips them for its next run. An erasure
 * takes every reason of its records out of the daily figures; a purge only the vote route's,
 * the reason and comment as the person typed them joined (SPEC §5): a label chosen from a list
 * stays counted under its name, text someone wrote does not outlive `RETENTION`.
 */
function batchSql(where: string, erasure: boolean): string {
  const dependents = DEPENDENTS.map(
    (table, index) =>
      `d${index} AS (DELETE FROM ${table} WHERE feedback_id IN (SELECT id FROM doomed))`,
  );
  return `WITH doomed AS (
      SELECT id FROM feedback WHERE ${where}
      LIMIT ${DELETE_BATCH} FOR UPDATE${erasure ? '' : ' SKIP LOCKED'}),
    ${dependents.join(',\n    ')},
    gone AS (DELETE FROM feedback WHERE id IN (SELECT id FROM doomed)
      RETURNING created_at, rating, score, reason_key, reason, format)${forgetReasons(erasure ? 'true' : "format = 'vote'")}
    SELECT count(*)::int AS deleted FROM gone`;
}

/**
 * Deletes every record `where` selects (a condition on `feedback` using `params` as `$1`…),
 * with what belongs to it, a batch at a time (awaiting `rest` between two) until none is left or
 * `signal` aborts; resolves with how many it deleted. An `erasure` waits for the records others
 * hold, and takes all their reasons out of the daily figures; a purge by age skips the held ones
 * and takes out only the reasons people typed (`batchSql`).
 */
export async function deleteRecords(
  db: Database,
  where: string,
  params: unknown[],
  options: { signal?: AbortSignal; erasure?: boolean; rest?: Rest } = {},
): Promise<number> {
  const sql = batchSql(where, options.erasure === true);
  const rest = options.rest ?? noRest;
  let total = 0;
  while (!options.signal?.aborted) {
    const [row] = await db.query<{ deleted: number }>(sql, params);
    const deleted = row?.deleted ?? 0;
    total += deleted;
    if (deleted < DELETE_BATCH) break;
    await rest();
  }
  return total;
}

/**
 * Deletes the down_rate alerts' deliveries created before `before`, a batch at a time: about a
 * subject rather than one record, they belong to none and go by their age alone (`RETENTION`).
 * The subjects those alerts last fired for, when that was before `before`, go with them.
 */
export async function deleteSubjectAlerts(
  db: Database,
  before: string,
  signal: AbortSignal,
  rest: Rest,
): Promise<{ alerts: number; subjects: number }> {
  let alerts = 0;
  while (!signal.aborted) {
    const [row] = await db.query<{ deleted: number }>(
      `WITH doomed AS (
         SELECT id FROM deliveries WHERE feedback_id IS NULL AND created_at < $1::timestamptz
         LIMIT ${DELETE_BATCH} FOR UPDATE SKIP LOCKED),
       gone AS (DELETE FROM deliveries WHERE id IN (SELECT id FROM doomed) RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [before],
    );
    const deleted = row?.deleted ?? 0;
    alerts += deleted;
    if (deleted < DELETE_BATCH) break;
    await rest();
  }
  if (signal.aborted) return { alerts, subjects: 0 };
  const [row] = await db.query<{ deleted: number }>(
    `WITH gone AS (DELETE FROM alert_subjects WHERE alerted_at < $1::timestamptz RETURNING 1)
     SELECT count(*)::int AS deleted FROM gone`,
    [before],
  );
  return { alerts, subjects: row?.deleted ?? 0 };
}
