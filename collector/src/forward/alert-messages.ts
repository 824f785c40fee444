import type { FeedbackRecord } from '../intake/record';
import { searchValue } from '../read/search';
import type { CommentAlert, DownRateAlert } from './alerts';

/**
 * Slack reads `&`, `<` and `>` as markup: `<!channel>` mentions everyone, `<url|text>` is a link.
 * Escaped, no comment can do either.
 */
const slack = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const RATING = {
  up: ':+1: *Up* vote',
  down: ':-1: *Down* vote',
  neutral: ':neutral_face: *Neutral* vote',
};

/** Where a person reads what an alert is about: `PUBLIC_URL/dashboard` and its query, if known. */
function link(inbox: string | undefined, query: string, label: string): string[] {
  return inbox === undefined ? [] : [`<${slack(`${inbox}/dashboard?${query}`)}|${label}>`];
}

/** What a comment alert posts (SPEC §12): Slack's `{ text }`, or `{ alert, feedback }`. */
export function commentAlertBody(
  alert: CommentAlert,
  record: FeedbackRecord,
  inbox: string | undefined,
): Record<string, unknown> {
  if (alert.format === 'json') {
    return { alert: alert.name, feedback: { ...record, status: 'open' } };
  }
  const about = [record.message_id && `message ${record.message_id}`, record.page_url].filter(
    Boolean,
  );
  const lines = [
    `${RATING[record.rating]} with a comment${about.length ? ` (${slack(about.join(', '))})` : ''}`,
    ...(record.reason === undefined ? [] : [`Reason: ${slack(record.reason)}`]),
    ...(record.comment ?? '').split(/\r\n|\r|\n/).map((line) => `> ${slack(line)}`),
    ...link(inbox, `id=${encodeURIComponent(record.id)}`, 'Open it in the inbox'),
  ];
  return { text: lines.join('\n') };
}

/** The share as people write it: 0.6 → `60 %`. */
const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;

/**
 * What a down_rate alert posts (SPEC §12): Slack's `{ text }`, or
 * `{ alert, subject, votes, down_rate }`.
 */
export function downRateAlertBody(
  alert: DownRateAlert,
  subject: string,
  counts: { votes: number; down: number },
  inbox: string | undefined,
): Record<string, unknown> {
  const downRate = Math.round((counts.down / counts.votes) * 1e4) / 1e4;
  if (alert.format === 'json') {
    return { alert: alert.name, subject, votes: counts.votes, down_rate: downRate };
  }
  const term = `${alert.by}:${searchValue(subject)}`;
  const lines = [
    `:rotating_light: ${counts.down} of ${counts.votes} votes on ${alert.by} ${slack(subject)} ` +
      `in the last ${alert.window} were down (${percent(downRate)}).`,
    ...link(inbox, `q=${encodeURIComponent(term)}`, 'See them in the inbox'),
  ];
  return { text: lines.join('\n') };
}
