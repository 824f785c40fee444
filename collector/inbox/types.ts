// The shapes the collector answers (SPEC §8, §11, §12), as the inbox reads them. Optional keys
// are absent, never null: the collector leaves them out.

export type Rating = 'up' | 'down' | 'neutral';
export type Status = 'open' | 'resolved' | 'spam';

export const STATUSES: readonly Status[] = ['open', 'resolved', 'spam'];

/** Which records a change is for: one, these ticked ones, or every match of a search. */
export type Scope =
  | { kind: 'record'; id: string }
  | { kind: 'ids'; ids: readonly string[] }
  | { kind: 'search'; q: string; total: number };

export interface Activity {
  at: string;
  actor: string;
  action: 'status' | 'assignee' | 'note';
  from?: string;
  to?: string;
  note?: string;
}

/** A stored vote: the `event` format's fields, the collector's own and the triage state. */
export interface FeedbackRecord {
  id: string;
  rating: Rating;
  sentiment?: string;
  value: number;
  scale: { min: number; max: number };
  score: number;
  format: string;
  created_at: string;
  received_at: string;
  status: Status;
  assignee?: string;
  conversation_id?: string;
  message_id?: string;
  session_id?: string;
  user_id?: string;
  trace_id?: string;
  reason?: string;
  reason_key?: string;
  comment?: string;
  message_content?: string;
  replaces?: string;
  page_url?: string;
  locale?: string;
  metadata?: Record<string, unknown>;
  activity?: Activity[];
  /** Whatever else a format keeps (`assistant_id`, `time_to_respond_ms`…), shown as it is. */
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
  positive_rate: number | null;
  mean_score: number | null;
  score_distribution: { score: number; count: number }[];
  top_reasons: { reason: string; count: number }[];
  daily: { day: string; total: number; positive_rate: number | null }[];
}
