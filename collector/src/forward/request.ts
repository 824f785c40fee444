import type { FeedbackEvent } from '../../../widget/core/event';
import { bodyFor, fillEndpoint, joined } from '../../../widget/core/formats';
import { prune } from '../../../widget/core/prune';
import type { FeedbackRecord } from '../intake/record';
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

/** The record as the widget's event would carry it, with the value on the destination's scale. */
function eventOf(destination: Destination, record: FeedbackRecord): FeedbackEvent {
  const { score, format, received_at, assistant_id, ...event } = record;
  return { ...event, value: valueFor(destination, record), scale: destination.scale } as never;
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
  const kept = record.metadata ?? {};
  const responded = kept.time_to_respond_ms;
  const content = kept.sent_message_content;
  const body = bodyFor(
    {
      format,
      sentAt: Date.parse(record.created_at) - (typeof responded === 'number' ? responded : 0),
    },
    // A `quality` intake keeps the rated text as it came, in the record's metadata.
    format === 'quality' && event.message_content === undefined && typeof content === 'string'
      ? { ...event, message_content: content }
      : event,
  );
  // The widget always knows when its message was shown; a forwarded record may not.
  if (format === 'quality' && typeof responded !== 'number') delete body.time_to_respond_ms;
  return { url, body };
}
