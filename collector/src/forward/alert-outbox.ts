import type { FeedbackRecord } from '../intake/record';
import type { Queryable } from '../storage/database';
import { commentAlertBody, downRateAlertBody } from './alert-messages';
import type { Alert, CommentAlert, DownRateAlert } from './alerts';
import { giveUpAfter, type NewDelivery } from './outbox';

/** The subject a down_rate alert watches, and how to find its votes. */
const SUBJECTS = {
  message: { field: 'message_id', where: 'message_id = $1' },
  // Through the index on the URL's digest (migration 005): a URL may be long.
  page: { field: 'page_url', where: 'md5(page_url) = md5($1) AND page_url = $1' },
} as const;

function delivery(
  alert: Alert,
  record: FeedbackRecord,
  feedbackId: string | null,
  body: Record<string, unknown>,
): NewDelivery {
  return {
    feedbackId,
    destination: alert.name,
    alert: alert.when,
    url: alert.urlTemplate,
    body: JSON.stringify(body),
    failure: null,
    createdAt: record.received_at,
    giveUpAt: giveUpAfter(Date.parse(record.received_at), alert.maxAgeMs),
  };
}

function commentAlert(alert: CommentAlert, record: FeedbackRecord, inbox: string | undefined) {
  if (record.comment === undefined || !alert.ratings.includes(record.rating)) return [];
  return [delivery(alert, record, record.id, commentAlertBody(alert, record, inbox))];
}

/**
 * Counts the subject's votes received within the window (this one included, spam left out);
 * when they reach `minVotes` with a down share of at least `threshold`, claims the subject for
 * the window. The claim is one upsert that only succeeds when the last alert is a window old,
 * so two votes stored at once on PostgreSQL send one alert between them. The count runs at
 * every vote: a plain statement, prepared once (one with the claim in it cost intake more).
 */
async function downRateAlert(
  tx: Queryable,
  alert: DownRateAlert,
  record: FeedbackRecord,
  inbox: string | undefined,
): Promise<NewDelivery[]> {
  const subject = SUBJECTS[alert.by];
  const key = record[subject.field];
  if (key === undefined) return [];
  const receivedAt = Date.parse(record.received_at);
  const since = new Date(receivedAt - alert.windowMs).toISOString();
  const [counts] = await tx.query<{ votes: number; down: number }>(
    `SELECT count(*)::int AS votes, (count(*) FILTER (WHERE rating = 'down'))::int AS down
     FROM feedback WHERE ${subject.where} AND received_at > $2 AND status <> 'spam'`,
    [key, since],
    `alert-votes-by-${alert.by}`,
  );
  if (!counts || counts.votes < alert.minVotes || counts.down / counts.votes < alert.threshold) {
    return [];
  }
  const claimed = await tx.query(
    `INSERT INTO alert_subjects AS s (alert, digest, subject, alerted_at)
     VALUES ($1, md5($2), $2, $3)
     ON CONFLICT (alert, digest) DO UPDATE SET alerted_at = excluded.alerted_at
       WHERE s.alerted_at <= $4
     RETURNING 1`,
    [alert.name, key, record.received_at, since],
  );
  if (claimed.length === 0) return [];
  return [delivery(alert, record, null, downRateAlertBody(alert, key, counts, inbox))];
}

/**
 * The comment alerts a record sets off (SPEC §12): known from the record alone, so they are
 * written in the statement that stores it. `inbox` is where links point: `PUBLIC_URL` and the
 * base path, when set.
 */
export function commentAlertDeliveries(
  alerts: Alert[],
  record: FeedbackRecord,
  inbox: string | undefined,
): NewDelivery[] {
  return alerts.flatMap((alert) =>
    alert.when === 'comment' ? commentAlert(alert, record, inbox) : [],
  );
}

/** The down_rate alerts a newly stored record sets off, counted and claimed in its transaction. */
export async function downRateAlertDeliveries(
  tx: Queryable,
  alerts: DownRateAlert[],
  record: FeedbackRecord,
  inbox: string | undefined,
): Promise<NewDelivery[]> {
  const deliveries: NewDelivery[] = [];
  for (const alert of alerts) deliveries.push(...(await downRateAlert(tx, alert, record, inbox)));
  return deliveries;
}
