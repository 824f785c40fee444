import { NotFoundError } from '../errors';
import type { Conditions } from '../read/filters';
import { parseSearch } from '../read/search';
import { searchConditions } from '../read/search-sql';
import { recordWithActivity } from '../read/state';
import type { Database, Queryable } from '../storage/database';
import type { Change, Targets } from './change';

/**
 * Changes every selected record not already in the asked-for state, in one statement: the new
 * state, one activity entry per change, the daily figures (spam is left out of them, SPEC §12)
 * and the comment alerts still pending for a record now spam (failed, `spam`). Rows are locked
 * as they are read, so two changes of one record at once are applied one after the other.
 * Resolves with the ids changed.
 */
async function applyChange(
  tx: Queryable,
  selected: Conditions,
  change: Change,
  who: { actor: string; at: string },
): Promise<string[]> {
  const params = [...selected.params];
  const p = (value: unknown) => `$${params.push(value)}`;
  const status = p(change.status ?? null);
  const assigning = p(change.assignee !== undefined);
  const assignee = p(change.assignee ?? null);
  const at = p(who.at);
  const actor = p(who.actor);
  const where = selected.conditions.length ? `${selected.conditions.join(' AND ')} AND` : '';
  const rows = await tx.query<{ id: string }>(
    `WITH target AS (
       SELECT id, status, assignee FROM feedback
       WHERE ${where} ((${status}::text IS NOT NULL AND status <> ${status}::text)
         OR (${assigning}::boolean AND assignee IS DISTINCT FROM ${assignee}::text))
       FOR UPDATE
     ), changed AS (
       UPDATE feedback AS f SET
         status = coalesce(${status}::text, f.status),
         assignee = CASE WHEN ${assigning}::boolean THEN ${assignee}::text ELSE f.assignee END
       FROM target AS t WHERE f.id = t.id
       RETURNING f.id, t.status AS old_status, f.status AS new_status,
         t.assignee AS old_assignee, f.assignee AS new_assignee,
         f.rating, f.score, f.created_at, f.reason_key, f.reason
     ), logged AS (
       INSERT INTO feedback_activity (feedback_id, at, actor, action, from_value, to_value)
       SELECT id, ${at}::timestamptz, ${actor}::text, 'status', old_status, new_status
         FROM changed WHERE old_status <> new_status
       UNION ALL
       SELECT id, ${at}::timestamptz, ${actor}::text, 'assignee', old_assignee, new_assignee
         FROM changed WHERE old_assignee IS DISTINCT FROM new_assignee
     ), counted AS (
       INSERT INTO feedback_daily AS daily
         (day, rating, bucket, reason_key, reason, shard, votes, score_sum)
       SELECT (created_at AT TIME ZONE 'UTC')::date, rating, round(score::numeric)::int,
         coalesce(reason_key, ''), coalesce(reason, ''), 0,
         sum(CASE WHEN new_status = 'spam' THEN -1 ELSE 1 END),
         sum(CASE WHEN new_status = 'spam' THEN -score ELSE score END)
       FROM changed WHERE (old_status = 'spam') <> (new_status = 'spam')
       GROUP BY 1, 2, 3, 4, 5
       ON CONFLICT (day, rating, bucket, reason_key, reason, shard)
       DO UPDATE SET votes = daily.votes + excluded.votes,
         score_sum = daily.score_sum + excluded.score_sum
     ), cancelled AS (
       -- An alert being sent at this moment is locked by its forwarder and skipped here; the
       -- forwarder finds its record spam before it tries again.
       UPDATE deliveries SET status = 'failed', last_error = 'spam', next_attempt_at = NULL
       WHERE id IN (
         SELECT d.id FROM deliveries AS d JOIN changed AS c ON d.feedback_id = c.id
         WHERE c.new_status = 'spam' AND d.alert = 'comment' AND d.status = 'pending'
         FOR UPDATE OF d SKIP LOCKED)
     )
     SELECT id FROM changed`,
    params,
  );
  return rows.map((row) => row.id);
}

/** Who changes records, and when. */
export interface Actor {
  actor: string;
  now: Date;
}

/** `PATCH /api/feedback/{id}`: the change and the note; resolves with the record as GET answers it. */
export function patchFeedback(
  db: Database,
  id: string,
  patch: { change: Change; note?: string },
  { actor, now }: Actor,
): Promise<string> {
  const at = now.toISOString();
  return db.transaction(async (tx) => {
    await applyChange(tx, { conditions: ['id = $1'], params: [id] }, patch.change, { actor, at });
    if (patch.note !== undefined) {
      await tx.query(
        `INSERT INTO feedback_activity (feedback_id, at, actor, action, note)
         SELECT id, $2::timestamptz, $3, 'note', $4 FROM feedback WHERE id = $1`,
        [id, at, actor, patch.note],
      );
    }
    const answer = await recordWithActivity(tx, id);
    if (answer === undefined) {
      throw new NotFoundError('id', `No feedback has the \`id\` ${JSON.stringify(id)}.`);
    }
    return answer;
  });
}

/** `POST /api/feedback/bulk`: resolves with how many records changed. */
export async function bulkChange(
  db: Database,
  targets: Targets,
  change: Change,
  { actor, now }: Actor,
): Promise<number> {
  const selected: Conditions =
    'ids' in targets
      ? { conditions: ['id = ANY($1::text[])'], params: [targets.ids] }
      : { conditions: [], params: [] };
  if ('q' in targets) {
    selected.conditions.push(...searchConditions(parseSearch(targets.q), actor, selected.params));
  }
  const changed = await db.transaction((tx) =>
    applyChange(tx, selected, change, { actor, at: now.toISOString() }),
  );
  return changed.length;
}
