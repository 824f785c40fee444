import type { StoreParts } from '../intake/ingest';
import type { FeedbackRecord } from '../intake/record';
import type { Queryable } from '../storage/database';
import { commentAlertBody, downRateAlertBody } from './alert-messages';
import type { Alert, CommentAlert, DownRateAlert } from './alerts';
import { deliveryArrays, giveUpAfter, insertDeliveriesSql, type NewDelivery } from './outbox';

/** The subject a down_rate alert watches: its field, and its votes' condition on `$subject`. */
const SUBJECTS = {
  message: {
    field: 'message_id',
    where: (subject: string) => `message_id = ${subject}::text`,
  },
  // Through the index on the URL's digest (migration 005): a URL may be long.
  page: {
    field: 'page_url',
    where: (subject: string) =>
      `md5(page_url) = md5(${subject}::text) AND page_url = ${subject}::text`,
  },
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
 * The down_rate alerts, evaluated as each vote is stored (SPEC §12), as parts of the statement
 * that stores it (`intake/ingest.ts`): for each alert a CTE counts its subject's votes received
 * within its window, spam left out, the vote being stored (`stored`) included, and looks up
 * whether the subject was alerted within the window; the statement answers them as `votes_N`,
 * `down_N` and `alerted_N`. Only a subject whose counts reach `minVotes` and `threshold` and
 * that was not alerted then takes a statement of its own (`claim`), so the votes on a subject
 * that keeps failing do not each take a second round trip. Counting at every vote in the vote's
 * own statement keeps intake at one round trip per vote. A subject alerted within the window is
 * not counted at all: the count reads every vote on it in the window, and a failing answer is
 * where votes pile up (one with 65,000 votes in its window cost 36 ms of PostgreSQL's time per
 * vote).
 */
export function downRateCounts(alerts: DownRateAlert[], inbox: string | undefined): StoreParts {
  return {
    ctes: (first) =>
      alerts
        .map((alert, index) => {
          const $ = (offset: number) => `$${first + 3 * index + offset}`;
          const alerted = `EXISTS (SELECT 1 FROM alert_subjects WHERE alert = ${$(2)}
        AND digest = md5(${$(0)}::text) AND alerted_at > ${$(1)}::timestamptz)`;
          return `, rate_${index} AS (
    SELECT count(*)::int + (SELECT count(*)::int FROM stored) AS votes,
      (count(*) FILTER (WHERE rating = 'down'))::int
        + (SELECT count(*)::int FROM stored WHERE rating = 'down') AS down,
      ${alerted} AS alerted
    FROM feedback WHERE ${SUBJECTS[alert.by].where($(0))} AND received_at > ${$(1)}::timestamptz
      AND status <> 'spam' AND EXISTS (SELECT 1 FROM stored) AND NOT ${alerted})`;
        })
        .join(''),
    columns: alerts
      .map(
        (_, index) => `, (SELECT votes FROM rate_${index}) AS votes_${index},
    (SELECT down FROM rate_${index}) AS down_${index},
    (SELECT alerted FROM rate_${index}) AS alerted_${index}`,
      )
      .join(''),
    params: (record) =>
      alerts.flatMap((alert) => [
        record[SUBJECTS[alert.by].field] ?? null,
        windowStart(alert, record),
        alert.name,
      ]),
    async after(q, record, answer) {
      for (const [index, alert] of alerts.entries()) {
        const votes = Number(answer[`votes_${index}`]);
        const down = Number(answer[`down_${index}`]);
        if (answer[`alerted_${index}`] === true) continue;
        if (votes < alert.minVotes || down / votes < alert.threshold) continue;
        await claim(q, alert, record, { votes, down }, inbox);
      }
    },
  };
}

function windowStart(alert: DownRateAlert, record: FeedbackRecord): string {
  return new Date(Date.parse(record.received_at) - alert.windowMs).toISOString();
}

/**
 * Claims the subject for the window and writes its alert, in one statement: the claim is an
 * upsert that only succeeds when the last alert is a window old, so two votes stored at once send
 * one alert between them, and the alert is written only with its claim. Should the collector
 * stop between the vote's statement and this one, the subject's next vote claims it.
 */
async function claim(
  q: Queryable,
  alert: DownRateAlert,
  record: FeedbackRecord,
  counts: { votes: number; down: number },
  inbox: string | undefined,
): Promise<void> {
  const key = record[SUBJECTS[alert.by].field];
  if (key === undefined) return;
  const sent = delivery(alert, record, null, downRateAlertBody(alert, key, counts, inbox));
  await q.query(
    `WITH claimed AS (
       INSERT INTO alert_subjects AS s (alert, digest, subject, alerted_at)
       VALUES ($1, md5($2), $2, $3)
       ON CONFLICT (alert, digest) DO UPDATE SET alerted_at = excluded.alerted_at
         WHERE s.alerted_at <= $4
       RETURNING 1)
     ${insertDeliveriesSql(5)} WHERE EXISTS (SELECT 1 FROM claimed)`,
    [alert.name, key, record.received_at, windowStart(alert, record), ...deliveryArrays([sent])],
  );
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
