import type { Config } from './config';
import type { FeedbackEvent } from './event';
import { prune } from './prune';

/** One vote as it goes on the wire, in the format the backend speaks. */
export interface WireRequest {
  url: string;
  body: Record<string, unknown>;
}

/** Fills an endpoint's placeholders from the event, URL-encoded. */
export function fillEndpoint(template: string, event: FeedbackEvent): string {
  const values: Record<string, string | undefined> = {
    conversationId: event.conversation_id,
    messageId: event.message_id,
    sessionId: event.session_id,
    vote: event.rating === 'up' ? 'upvote' : 'downvote',
    rating: event.rating,
  };
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(values[name] as string),
  );
}

/** The reason and the comment as one text, for formats with a single text field. */
export function joined(event: FeedbackEvent): string | undefined {
  return [event.reason, event.comment].filter(Boolean).join(': ') || undefined;
}

/** What a body needs besides the event: the widget's whole config, or a forwarding destination. */
export type FormatConfig = Pick<Config, 'format' | 'endpoint' | 'sentAt'>;

/** The body of the configured format for the canonical event. */
export function bodyFor(
  config: Pick<Config, 'format' | 'sentAt'>,
  event: FeedbackEvent,
): Record<string, unknown> {
  switch (config.format) {
    case 'event':
      return { ...event };
    case 'sentiment':
      return prune({
        conversation_id:
          event.conversation_id ?? event.message_id ?? event.session_id ?? event.page_url,
        sentiment: event.sentiment,
        comment: event.comment,
        metadata:
          event.metadata || event.reason || event.message_id
            ? {
                ...event.metadata,
                ...prune({ reason: event.reason, message_id: event.message_id }),
              }
            : undefined,
      });
    case 'vote':
      return prune({ value: event.value, reason: joined(event) });
    case 'score':
      return prune({
        session_id: event.session_id ?? event.conversation_id ?? event.message_id ?? event.page_url,
        score: event.value,
        text: joined(event),
      });
    case 'quality':
      return prune({
        original_message_id: event.message_id,
        sent_message_content: event.message_content,
        customer_responded: true,
        quality_score: event.value,
        time_to_respond_ms: Math.max(0, Date.parse(event.created_at) - config.sentAt),
      });
  }
}

/** Maps the canonical event to the URL and body of the configured format. */
export function toRequest(config: FormatConfig, event: FeedbackEvent): WireRequest {
  return { url: fillEndpoint(config.endpoint, event), body: bodyFor(config, event) };
}
