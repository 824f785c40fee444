import { type Config, wellFormed } from './config';
import { prune } from './prune';
import { type Rating, type Scale, SENTIMENTS } from './vocabulary';

/** The canonical record of one vote: the `event` format's body and every event's `detail`. */
export interface FeedbackEvent {
  id: string;
  rating: Rating;
  sentiment: (typeof SENTIMENTS)[Rating];
  value: number;
  scale: Scale;
  conversation_id?: string;
  message_id?: string;
  session_id?: string;
  user_id?: string;
  trace_id?: string;
  reason?: string;
  reason_key?: string;
  comment?: string;
  /** The rated message's text (`data-message-content`), at most its first 20,000 characters. */
  message_content?: string;
  replaces?: string;
  page_url: string;
  locale: string;
  created_at: string;
  metadata?: Record<string, unknown>;
}

/** What the person chose: a rating, and what the follow-up added. */
export interface Choice {
  rating: Rating;
  /** A reason choice as configured: `Label` or `key=Label`. */
  reason?: string | undefined;
  comment?: string | undefined;
}

/**
 * A reason choice's key and label: `key=Label` (the key `[A-Za-z0-9_.-]+` before the first `=`),
 * else the label is its own key, so votes in every language can be counted by key.
 */
export function reasonParts(choice: string): [key: string, label: string] {
  const [, key, label] = /^([\w.-]+)=(.*)/s.exec(choice) ?? [0, choice, choice];
  return [key as string, label as string];
}

/** The page's URL without query and fragment, which may carry tokens. */
export function pageUrlOf(href: string): string {
  return href.replace(/[?#].*$/, '');
}

/** What one vote is about: the message, else the conversation, else the session, else the page. */
export function subjectOf(config: Config, pageUrl: string): string {
  return config.messageId ?? config.conversationId ?? config.sessionId ?? pageUrl;
}

export function createEvent(
  config: Config,
  choice: Choice,
  context: { id: string; now: number; pageUrl: string; replaces: string | undefined },
): FeedbackEvent {
  const [key, label] = choice.reason ? reasonParts(choice.reason) : [];
  return prune({
    id: context.id,
    rating: choice.rating,
    sentiment: SENTIMENTS[choice.rating],
    value: config.values[choice.rating],
    scale: config.scale,
    conversation_id: config.conversationId,
    message_id: config.messageId,
    session_id: config.sessionId,
    user_id: config.userId,
    trace_id: config.traceId,
    reason: label,
    reason_key: key,
    // A paste cut at the box's maxLength, counted in UTF-16 units, may split an emoji.
    comment: wellFormed(choice.comment ?? '').trim() || undefined,
    // By code point, as the collector counts: a cut never splits a surrogate pair.
    message_content: [...(config.messageContent || '')].slice(0, 2e4).join('') || undefined,
    replaces: context.replaces,
    page_url: context.pageUrl,
    locale: config.locale,
    created_at: new Date(context.now).toISOString(),
    metadata: config.metadata,
  }) as unknown as FeedbackEvent;
}
