import { RATINGS, SENTIMENTS } from '../../../widget/core/vocabulary';
import { BOUND, locale, pageUrl, pathId, queryScale, scaleOf } from './fields';
import type { Draft, FeedbackRecord } from './record';
import { canonical, normalise, ratingOf } from './record';
import {
  asObject,
  boolean,
  type Fields,
  id,
  invalid,
  LIMITS,
  metadata,
  number,
  oneOf,
  optional,
  recordId,
  required,
  subjectId,
  text,
  timestamp,
} from './validate';

/** What a format handler knows about the request besides its body. */
export interface Submission {
  /** Path segments the route captured, still percent-encoded. */
  params: string[];
  query: URLSearchParams;
  /** The client as the vote window knows it: an HMAC of its address, never the address. */
  client: string;
  now: Date;
  /** From `Referer` and `Accept-Language`, for formats whose bodies do not carry them. */
  pageUrl: string | undefined;
  locale: string | undefined;
  newId: () => string;
}

/** A validated vote: the record to store and the answer its format expects. */
export interface Accepted {
  record: FeedbackRecord;
  status: number;
  response: Record<string, unknown>;
  /** Set for the vote route: who voted, for its once-per-window rule. */
  voter?: string;
}

export type FormatHandler = (body: unknown, submission: Submission) => Accepted;

// A vote or score text is the widget's reason and comment joined by ': '.
const JOINED = LIMITS.reason + 2 + LIMITS.comment;

function received(submission: Submission) {
  return { received_at: submission.now.toISOString(), page_url: submission.pageUrl };
}

const event: FormatHandler = (body, submission) => {
  const fields = asObject(body);
  const rating = oneOf(required(fields, 'rating'), 'rating', RATINGS);
  const sentiment = oneOf(required(fields, 'sentiment'), 'sentiment', Object.values(SENTIMENTS));
  if (sentiment !== SENTIMENTS[rating]) {
    throw invalid('sentiment', `must be ${SENTIMENTS[rating]} for rating ${rating}`);
  }
  const scale = scaleOf(required(fields, 'scale'));
  const record = canonical({
    id: recordId(required(fields, 'id'), 'id'),
    rating,
    value: number(required(fields, 'value'), 'value', scale),
    scale,
    conversation_id: optional(fields, 'conversation_id', id),
    message_id: optional(fields, 'message_id', id),
    session_id: optional(fields, 'session_id', id),
    user_id: optional(fields, 'user_id', id),
    trace_id: optional(fields, 'trace_id', id),
    reason: optional(fields, 'reason', (v, f) => text(v, f, LIMITS.reason)),
    reason_key: optional(fields, 'reason_key', (v, f) => text(v, f, LIMITS.reason)),
    comment: optional(fields, 'comment', (v, f) => text(v, f, LIMITS.comment)),
    message_content: optional(fields, 'message_content', (v, f) => text(v, f, LIMITS.content)),
    replaces: optional(fields, 'replaces', id),
    // The widget always sends both; a collector forwarding the `event` format (SPEC §11) sends
    // neither for a vote whose intake had no Referer or Accept-Language.
    page_url: optional(fields, 'page_url', pageUrl),
    locale: optional(fields, 'locale', locale),
    created_at: timestamp(required(fields, 'created_at'), 'created_at'),
    metadata: optional(fields, 'metadata', metadata),
    format: 'event',
    received_at: submission.now.toISOString(),
  });
  return { record, status: 201, response: { id: record.id } };
};

/** Splits the widget's `metadata.reason` and `metadata.message_id` back into their fields. */
function sentimentExtras(value: Fields | undefined): Partial<Draft> {
  if (!value) return {};
  const { reason, message_id, ...rest } = value;
  const extras: Partial<Draft> = {};
  if (typeof reason === 'string') extras.reason = text(reason, 'metadata.reason', LIMITS.reason);
  else if (reason !== undefined) rest.reason = reason;
  if (typeof message_id === 'string') extras.message_id = id(message_id, 'metadata.message_id');
  else if (message_id !== undefined) rest.message_id = message_id;
  if (Object.keys(rest).length > 0) extras.metadata = rest;
  return extras;
}

const sentiment: FormatHandler = (body, submission) => {
  const fields = asObject(body);
  const rating = { positive: 'up', neutral: 'neutral', negative: 'down' } as const;
  const chosen = oneOf(required(fields, 'sentiment'), 'sentiment', Object.values(SENTIMENTS));
  const record = canonical({
    id: submission.newId(),
    rating: rating[chosen],
    value: { positive: 100, neutral: 0, negative: -100 }[chosen],
    scale: { min: -100, max: 100 },
    conversation_id: subjectId(required(fields, 'conversation_id'), 'conversation_id'),
    comment: optional(fields, 'comment', (v, f) => text(v, f, LIMITS.comment)),
    ...sentimentExtras(optional(fields, 'metadata', metadata)),
    locale: submission.locale,
    created_at: submission.now.toISOString(),
    format: 'sentiment',
    ...received(submission),
  });
  return { record, status: 201, response: { id: record.id } };
};

const vote: FormatHandler = (body, submission) => {
  const fields = asObject(body);
  const [rawConversation = '', direction] = submission.params;
  const up = direction === 'upvote';
  const conversationId = pathId(rawConversation, 'conversation_id');
  const range = up ? { min: 1, max: 100, integer: true } : { min: -100, max: -1, integer: true };
  const value = optional(fields, 'value', (v, f) => number(v, f, range)) ?? (up ? 100 : -100);
  const userId = optional(fields, 'user_id', id);
  const record = canonical({
    id: submission.newId(),
    rating: up ? 'up' : 'down',
    value,
    scale: { min: -100, max: 100 },
    conversation_id: conversationId,
    user_id: userId,
    reason: optional(fields, 'reason', (v, f) => text(v, f, JOINED)),
    locale: submission.locale,
    created_at: submission.now.toISOString(),
    format: 'vote',
    ...received(submission),
  });
  const voter = userId === undefined ? `client:${submission.client}` : `user:${userId}`;
  return { record, status: 200, response: { conversation_id: conversationId, value }, voter };
};

const score: FormatHandler = (body, submission) => {
  const fields = asObject(body);
  const scale = queryScale(submission.query);
  const assistantId = pathId(submission.params[0] ?? '', 'assistant_id');
  const value = number(required(fields, 'score'), 'score', scale);
  const draft = {
    id: submission.newId(),
    value,
    scale,
    session_id: subjectId(required(fields, 'session_id'), 'session_id'),
    comment: optional(fields, 'text', (v, f) => text(v, f, JOINED)),
    locale: submission.locale,
    created_at: submission.now.toISOString(),
    format: 'score' as const,
    ...received(submission),
    assistant_id: assistantId,
  };
  const record = canonical({ ...draft, rating: ratingOf(normalise(value, scale)) });
  const response = {
    id: record.id,
    assistant_id: assistantId,
    session_id: record.session_id,
    score: value,
    ...(record.comment === undefined ? {} : { text: record.comment }),
    created_at: record.created_at,
  };
  return { record, status: 201, response };
};

const quality: FormatHandler = (body, submission) => {
  const fields = asObject(body);
  const scale = { min: 0, max: 100 };
  const value = number(required(fields, 'quality_score'), 'quality_score', scale);
  const extras = {
    sent_message_content: optional(fields, 'sent_message_content', (v, f) =>
      text(v, f, LIMITS.content),
    ),
    customer_responded: optional(fields, 'customer_responded', boolean),
    time_to_respond_ms: optional(fields, 'time_to_respond_ms', (v, f) =>
      number(v, f, { min: 0, max: BOUND, integer: true }),
    ),
  };
  const kept = Object.fromEntries(Object.entries(extras).filter(([, v]) => v !== undefined));
  const record = canonical({
    id: submission.newId(),
    rating: ratingOf((value / 100) * 10),
    value,
    scale,
    message_id: id(required(fields, 'original_message_id'), 'original_message_id'),
    locale: submission.locale,
    created_at: submission.now.toISOString(),
    metadata: Object.keys(kept).length > 0 ? kept : undefined,
    format: 'quality',
    ...received(submission),
  });
  return { record, status: 201, response: { feedback_id: record.id } };
};

export const FORMATS = { event, sentiment, vote, score, quality } satisfies Record<
  string,
  FormatHandler
>;
