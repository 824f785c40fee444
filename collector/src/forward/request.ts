import type { FeedbackEvent } from '../../../widget/core/event';
import { bodyFor, fillEndpoint, joined } from '../../../widget/core/formats';
import { prune } from '../../../widget/core/prune';
import type { FeedbackRecord } from '../intake/record';
import { LIMITS } from '../intake/validate';
import { type Destination, PLACEHOLDER } from './destinations';

/** What one destination gets for one record: a request, a reason it cannot, or nothing. */
export type Planned =
  | { url: string; body: Record<string, unknown> }
  | { failure: string }
  | undefined;

const PLACEHOLDER_FIELDS: Record<string, keyof FeedbackRecord> = {
  conversationId: 'conversation_id',
  messageId: 'message_id',
  sessionId: 'session_id',
};

/** The record's 0–10 score on the destination's scale, or the number it sets for the rating. */
function valueFor(destination: Destination, record: FeedbackRecord): number {
  const fixed = destination.values[record.rating];
  if (fixed !== undefined) return fixed;
  if (destination.format === 'vote') return record.rating === 'up' ? 100 : -100;
  const { min, max } = destination.scale;
  return Math.round((min + (record.score / 10) * (max - min)) * 1e6) / 1e6;
}

/**
 * The record as the widget's event would carry it, with the value on the destination's scale.
 * A `quality` intake keeps what its body had beside the canonical fields in `metadata`: the
 * rated text becomes the event's `message_content`, and the rest stays for a `quality`
 * destination (`qualityTiming`), out of every other format's metadata.
 */
function eventOf(destination: Destination, record: FeedbackRecord): FeedbackEvent {
  const { score, format, received_at, assistant_id, ...event } = record;
  const scaled = { ...event, value: valueFor(destination, record), scale: destination.scale };
  if (format !== 'quality' || record.metadata === undefined) return scaled as never;
  const { sent_message_content, customer_responded, time_to_respond_ms, ...metadata } =
    record.metadata;
  return prune({
    ...scaled,
    message_content: typeof sent_message_content === 'string' ? sent_message_content : undefined,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
  }) as never;
}

/** How long after its message a `quality` intake's vote came, when its body said so. */
function qualityTiming(record: FeedbackRecord): number | undefined {
  const responded = record.format === 'quality' ? record.metadata?.time_to_respond_ms : undefined;
  return typeof responded === 'number' ? responded : undefined;
}

/**
 * Whether the customer responded, as a `quality` intake's body said: the widget sends a vote
 * only once someone clicked (`true`), but an API client may report that nobody answered.
 */
function qualityResponded(record: FeedbackRecord): boolean {
  const responded = record.format === 'quality' ? record.metadata?.customer_responded : undefined;
  return responded !== false;
}

/**
 * The destination's URL for `event`: its placeholders filled as the widget fills them, its
 * `${NAME}`s kept for the worker to fill as it sends, so the delivery stores no secret.
 */
function endpointOf(destination: Destination, event: FeedbackEvent): string {
  return destination.url
    .split(/(\$\{[^}]*\})/)
    .map((part, index) => (index % 2 === 1 ? part : fillEndpoint(part, event)))
    .join('');
}

function langfuse(destination: Destination, event: FeedbackEvent) {
  return prune({
    id: event.id,
    traceId: event.trace_id,
    name: destination.scoreName,
    value: event.value,
    dataType: 'NUMERIC',
    comment: joined(event),
  });
}

/** A vote or score text: the reason and the comment joined by `: `, as intake takes it. */
const JOINED = LIMITS.reason + 2 + LIMITS.comment;

/** `text` cut to `max` characters (code points), its last one an ellipsis when cut. */
function fit(text: string | undefined, max: number): string | undefined {
  if (text === undefined || text.length <= max) return text;
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}

/**
 * The event with each text no longer than the collector's own intake takes it (SPEC §8), which
 * is also what the sentiment API of the seeds takes of a comment (5,000). A stored text can be
 * longer: a score intake keeps its joined text as the comment, and redaction can lengthen one
 * (`a@b.co` becomes `[email]`). Cut, the vote is delivered instead of refused for good; the
 * inbox keeps the text whole.
 */
function fitted(event: FeedbackEvent): FeedbackEvent {
  return prune({
    ...event,
    reason: fit(event.reason, LIMITS.reason),
    reason_key: fit(event.reason_key, LIMITS.reason),
    comment: fit(event.comment, LIMITS.comment),
    message_content: fit(event.message_content, LIMITS.content),
  }) as never;
}

/**
 * Builds what `destination` is sent for `record` with the widget's own body mapping (SPEC §11),
 * so a forwarded body can never drift from the one a browser would send.
 */
export function plan(destination: Destination, record: FeedbackRecord): Planned {
  const { format } = destination;
  if (!destination.ratings.includes(record.rating)) return undefined;
  if (format === 'vote' && record.rating === 'neutral') return undefined;
  if (format === 'langfuse' && record.trace_id === undefined) return undefined;
  if (format === 'quality' && record.message_id === undefined) return undefined;
  for (const [, name] of destination.url.matchAll(PLACEHOLDER)) {
    const field = PLACEHOLDER_FIELDS[name as string];
    if (field !== undefined && record[field] === undefined) {
      return { failure: `The url's {${name}} has no value: the vote has no ${field}.` };
    }
  }
  const event = eventOf(destination, record);
  const url = endpointOf(destination, event);
  if (format === 'langfuse') return { url, body: langfuse(destination, event) };
  const responded = qualityTiming(record);
  const sentAt = Date.parse(record.created_at) - (responded ?? 0);
  // A vote or score text joins the reason and the comment: it is fitted whole, so a score
  // intake's text of more than 5,000 characters goes on as it came.
  const joins = format === 'vote' || format === 'score';
  const body = bodyFor({ format, sentAt }, joins ? event : fitted(event));
  if (joins) {
    const field = format === 'vote' ? 'reason' : 'text';
    if (body[field] !== undefined) body[field] = fit(body[field] as string, JOINED);
  }
  // The widget always knows when its message was shown; a forwarded record may not.
  if (format === 'quality' && responded === undefined) delete body.time_to_respond_ms;
  if (format === 'quality') body.customer_responded = qualityResponded(record);
  return { url, body };
}
