// How values read in the inbox: English texts, times in the reader's own time zone.
import type { Change } from './api';
import type { FeedbackRecord, Rating, Scope, Status } from './types';

export const RATING_LABELS: Record<Rating, string> = {
  up: 'Helpful',
  down: 'Not helpful',
  neutral: 'Neutral',
};

export const STATUS_LABELS: Record<Status, string> = {
  open: 'Open',
  resolved: 'Resolved',
  spam: 'Spam',
};

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const percentFormat = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const decimalFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const wholeFormat = new Intl.NumberFormat('en');

/** A full date and time, e.g. "Nov 21, 2026, 10:00 AM". */
export const fullTime = (iso: string) => dateTime.format(new Date(iso));

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** How long ago, e.g. "5 min. ago"; a time in the future (a client's clock) reads "now". */
export function ago(iso: string, now: number): string {
  let amount = Math.max(0, (now - Date.parse(iso)) / 1000);
  for (const [unit, size] of STEPS) {
    if (amount < size) {
      return unit === 'second' ? 'now' : relative.format(-Math.floor(amount), unit);
    }
    amount /= size;
  }
  return fullTime(iso);
}

export const percent = (share: number) => percentFormat.format(share);
export const decimal = (value: number) => decimalFormat.format(value);
export const whole = (value: number) => wholeFormat.format(value);

/** How long a delivery has waited, in its largest whole unit: "45 s", "24 min", "3 hr", "2 days". */
export function waited(seconds: number): string {
  if (seconds < 60) return `${whole(Math.floor(seconds))} s`;
  if (seconds < 3_600) return `${whole(Math.floor(seconds / 60))} min`;
  if (seconds < 86_400) return `${whole(Math.floor(seconds / 3_600))} hr`;
  const days = Math.floor(seconds / 86_400);
  return `${whole(days)} ${days === 1 ? 'day' : 'days'}`;
}

/** "1 vote", "3 votes". */
export const votes = (count: number) => `${whole(count)} ${count === 1 ? 'vote' : 'votes'}`;

/** How many votes the search matches, e.g. "3 votes match this search." */
export const matching = (count: number) =>
  count === 0
    ? 'No votes match this search.'
    : `${votes(count)} ${count === 1 ? 'matches' : 'match'} this search.`;

/** A vote the collector no longer holds: erased (SPEC §13) while it was shown, else never stored. */
export const goneText = (wasShown: boolean) =>
  wasShown ? 'This vote no longer exists: it was erased.' : 'This vote no longer exists.';

/**
 * The text cut to `max` characters, whole ones (an emoji is never split), with "…" when cut:
 * what a row previews, and a screen reader reads as its name on each move, stays short; the
 * vote shows the text whole.
 */
export function clip(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : `${characters.slice(0, max).join('')}…`;
}

/** A page URL without its scheme, for a narrow column. */
export const shortUrl = (url: string) => url.replace(/^https?:\/\//, '');

/** Only http(s) URLs become links: a stored value never runs as `javascript:`. */
export function safeHref(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** The trace's page at the LLM tracing tool: `{trace_id}` filled in, URL-encoded. */
export function traceHref(template: string, traceId: string): string | undefined {
  return safeHref(template.replaceAll('{trace_id}', encodeURIComponent(traceId)));
}

/** The records a change is for, in words: "the vote", "3 votes". */
export function subjectOf(scope: Scope, updated?: number): string {
  if (scope.kind === 'record') return 'the vote';
  if (updated !== undefined) return votes(updated);
  return votes(scope.kind === 'ids' ? scope.ids.length : scope.total);
}

/** The state a change asks for, in words: "resolved", "assigned to dana". */
function stateOf(change: Change): string {
  if (change.status === 'spam') return 'marked as spam';
  if (change.status !== undefined) return change.status;
  return change.assignee === null || change.assignee === undefined
    ? 'unassigned'
    : `assigned to ${change.assignee}`;
}

/**
 * The change in words, e.g. "Resolved 2 votes (1 already was)."; one vote that already was
 * in that state (`updated` 0) is said to be left as it was.
 */
export function describeChange(scope: Scope, change: Change, updated?: number): string {
  if (scope.kind === 'record' && updated === 0 && change.note === undefined) {
    return `The vote already was ${stateOf(change)}: nothing changed.`;
  }
  const subject = subjectOf(scope, updated);
  const skipped = scope.kind === 'ids' && updated !== undefined ? scope.ids.length - updated : 0;
  const unchanged = skipped > 0 ? ` (${skipped} already ${skipped === 1 ? 'was' : 'were'})` : '';
  if (change.note !== undefined) return `Added a note to ${subject}.`;
  if (change.status === 'open') return `Reopened ${subject}${unchanged}.`;
  if (change.status === 'resolved') return `Resolved ${subject}${unchanged}.`;
  if (change.status === 'spam') return `Marked ${subject} as spam${unchanged}.`;
  if (change.assignee === null) return `Unassigned ${subject}${unchanged}.`;
  return `Assigned ${subject} to ${change.assignee}${unchanged}.`;
}

/**
 * The vote with the text it rates as `message_content`: a `quality` vote keeps it in
 * `metadata.sent_message_content` (the export reads it as its rated text too), which is then
 * not shown again in the metadata.
 */
export function withRatedText(vote: FeedbackRecord): FeedbackRecord {
  const { sent_message_content: sent, ...metadata } = vote.metadata ?? {};
  if (vote.message_content !== undefined || typeof sent !== 'string') return vote;
  const { metadata: _, ...rest } = vote;
  return {
    ...rest,
    message_content: sent,
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}
