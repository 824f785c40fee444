import type { FeedbackEvent } from '../../../widget/core/event';
import { type Format, type Rating, type Scale, SENTIMENTS } from '../../../widget/core/vocabulary';
import { ValidationError } from '../errors';

export type { Format, Rating, Scale };

/**
 * One stored vote: the canonical `event` fields (SPEC §5, the widget's own type: it is the wire
 * contract) plus what the collector adds. Other formats carry no page URL or locale.
 */
export interface FeedbackRecord
  extends Omit<FeedbackEvent, 'page_url' | 'locale' | 'rating' | 'sentiment'> {
  rating: Rating;
  sentiment: (typeof SENTIMENTS)[Rating];
  page_url?: string;
  locale?: string;
  /** `value` mapped onto 0–10. */
  score: number;
  format: Format;
  received_at: string;
  assistant_id?: string;
}

type OptionalKey = {
  [K in keyof FeedbackRecord]-?: undefined extends FeedbackRecord[K] ? K : never;
}[keyof FeedbackRecord];

/** What a format's body becomes before the collector derives sentiment and score. */
export type Draft = Omit<FeedbackRecord, 'sentiment' | 'score' | OptionalKey> & {
  [K in OptionalKey]?: FeedbackRecord[K] | undefined;
};

const ORDER: (keyof FeedbackRecord)[] = [
  'id',
  'rating',
  'sentiment',
  'value',
  'scale',
  'conversation_id',
  'message_id',
  'session_id',
  'user_id',
  'trace_id',
  'reason',
  'reason_key',
  'comment',
  'message_content',
  'replaces',
  'page_url',
  'locale',
  'created_at',
  'metadata',
  'score',
  'format',
  'received_at',
  'assistant_id',
];

/** `value` on `scale` mapped onto 0–10, rounded to 6 decimals so 0.1 + 0.2 stays 0.3. */
export function normalise(value: number, scale: Scale): number {
  return Math.round(((value - scale.min) / (scale.max - scale.min)) * 10 * 1e6) / 1e6;
}

/** The rating a number means once on 0–10: above the middle up, below it down. */
export function ratingOf(score: number): Rating {
  return score > 5 ? 'up' : score < 5 ? 'down' : 'neutral';
}

/** The stored record: keys in canonical order, absent optionals left out rather than null. */
export function canonical(draft: Draft): FeedbackRecord {
  const score = normalise(draft.value, draft.scale);
  // The last line of defence: whatever a format parsed, no NaN, Infinity or out-of-scale
  // value reaches the database, where it would break every statistic from then on.
  if (!(score >= 0 && score <= 10)) {
    throw new ValidationError('value', '`value` must be a finite number within its `scale`.');
  }
  const full: Record<string, unknown> = { ...draft, sentiment: SENTIMENTS[draft.rating], score };
  const record: Record<string, unknown> = {};
  for (const key of ORDER) if (full[key] !== undefined) record[key] = full[key];
  return record as unknown as FeedbackRecord;
}
