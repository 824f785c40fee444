import type { Queryable } from '../storage/database';

/** One change of a record's triage state, or a note, as SPEC §12 answers it. */
export interface Activity {
  at: string;
  actor: string;
  action: 'status' | 'assignee' | 'note';
  from?: string;
  to?: string;
  note?: string;
}

interface ActivityRow {
  at: Date | string;
  actor: string;
  action: Activity['action'];
  from_value: string | null;
  to_value: string | null;
  note: string | null;
}

/**
 * The stored record with its triage state added as its last keys. Records are kept as JSON
 * text and answered byte for byte, so the state is spliced into the text rather than the record
 * parsed and written again.
 */
export function withState(
  record: string,
  status: string,
  assignee: string | null,
  extra = '',
): string {
  const body = record.slice(0, record.lastIndexOf('}')).trimEnd();
  const separator = body.endsWith('{') ? '' : ',';
  const state = `"status":${JSON.stringify(status)}${assignee === null ? '' : `,"assignee":${JSON.stringify(assignee)}`}`;
  return `${body}${separator}${state}${extra}}`;
}

/** A record's activity, oldest first. */
export async function activityOf(db: Queryable, id: string): Promise<Activity[]> {
  const rows = await db.query<ActivityRow>(
    `SELECT at, actor, action, from_value, to_value, note FROM feedback_activity
     WHERE feedback_id = $1 ORDER BY id`,
    [id],
  );
  return rows.map((row) => ({
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    ...(row.from_value === null ? {} : { from: row.from_value }),
    ...(row.to_value === null ? {} : { to: row.to_value }),
    ...(row.note === null ? {} : { note: row.note }),
  }));
}

/** `GET /api/feedback/{id}`'s answer: the record, its state and its activity; undefined if none. */
export async function recordWithActivity(db: Queryable, id: string): Promise<string | undefined> {
  const [row] = await db.query<{ record: string; status: string; assignee: string | null }>(
    'SELECT record, status, assignee FROM feedback WHERE id = $1',
    [id],
  );
  if (!row) return undefined;
  const activity = await activityOf(db, id);
  return withState(row.record, row.status, row.assignee, `,"activity":${JSON.stringify(activity)}`);
}
