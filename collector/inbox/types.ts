// The shapes the collector answers (SPEC §8, §11, §12), as the inbox reads them. Optional keys
// are absent, never null: the collector leaves them out.

import type { Rating, FeedbackRecord as StoredRecord } from '../src/intake/record';
import type { Status } from '../src/read/search';
import type { Activity } from '../src/read/state';

export type { Activity, Rating, Status };

export const STATUSES: readonly Status[] = ['open', 'resolved', 'spam'];

/** Which records a change is for: one, these ticked ones, or every match of a search. */
export type Scope =
  | { kind: 'record'; id: string }
  | { kind: 'ids'; ids: readonly string[] }
  | { kind: 'search'; q: string; total: number };

/** A stored vote as the collector answers it: the record and its triage state (SPEC §12). */
export interface FeedbackRecord extends StoredRecord {
  status: Status;
  assignee?: string;
  activity?: Activity[];
  /** Whatever else a format keeps (`time_to_respond_ms`…), shown as it is. */
  [field: string]: unknown;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface Delivery {
  id: string;
  feedback_id?: string;
  destination: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  created_at: string;
  next_attempt_at?: string;
  delivered_at?: string;
  last_status?: number;
  last_error?: string;
}

export interface DestinationCounts {
  destination: string;
  pending: number;
  delivered: number;
  failed: number;
  oldest_pending_age_s?: number;
}

export interface AttentionItem {
  key: string;
  votes: number;
  up: number;
  down: number;
  neutral: number;
  down_rate: number;
  down_rate_lower: number;
  top_reason_key?: string;
  previous: { votes: number; down_rate: number };
  last_at: string;
}

export interface Stats {
  total: number;
  by_rating: Record<Rating, number>;
  /** Left out when there are no votes. */
  positive_rate?: number;
  mean_score?: number;
  score_distribution: { score: number; count: number }[];
  top_reasons: { reason: string; count: number }[];
  daily: { day: string; total: number; positive_rate: number }[];
}
