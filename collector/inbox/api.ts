// The one place the inbox talks HTTP. Paths are relative to the page (`dashboard` at the
// collector's root, or under its BASE_PATH), so `api/feedback` reaches the same collector
// wherever it is mounted. The browser sends the team's credentials (HTTP Basic) by itself.
import { signal } from '@preact/signals';
import type {
  AttentionItem,
  Delivery,
  DestinationCounts,
  FeedbackRecord,
  Page,
  Stats,
  Status,
} from './types';

/** A refusal of the collector, with the field it named (`q` for a bad search term). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The collector's state, not the request's: it may go through once the collector answers. */
  get passing(): boolean {
    return this.status >= 500 || this.status === 401 || this.status === 429;
  }
}

/**
 * How many requests the collector has answered with success: once it answers again (the
 * refresh every few seconds asks it), what said it could not be reached is out of date.
 */
export const reached = signal(0);

const SIGNED_OUT =
  'The collector no longer accepts your sign-in (was ADMIN_TOKEN changed?): reload the page to sign in again.';

type Query = Record<string, string | number | undefined>;

function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: { Accept: 'application/json', ...init.headers },
  });
  const text = await response.text();
  let body: { error?: unknown; field?: unknown } | undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.status === 401) {
    // The collector's own text tells a script which header to send; a reader can only sign in
    // again.
    throw new ApiError(401, SIGNED_OUT);
  }
  if (!response.ok) {
    throw new ApiError(
      response.status,
      typeof body?.error === 'string' ? body.error : `The collector answered ${response.status}.`,
      typeof body?.field === 'string' ? body.field : undefined,
    );
  }
  reached.value++;
  return body as T;
}

const write = <T>(method: 'PATCH' | 'POST', path: string, body: unknown) =>
  call<T>(path, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

const record = (id: string) => `api/feedback/${encodeURIComponent(id)}`;

/** A change to the triage state: `assignee: null` unassigns. */
export interface Change {
  status?: Status;
  assignee?: string | null;
  note?: string;
}

/** Which records a bulk change is for: these ids, or every record the search matches. */
export type Target = { ids: readonly string[] } | { q: string };

export const api = {
  list: (query: { q: string; limit: number; offset: number }, signal?: AbortSignal) =>
    call<Page<FeedbackRecord>>(url('api/feedback', query), { signal: signal ?? null }),
  /** How many records the search holds in each status, its own `is:` terms left out. */
  counts: (q: string, signal?: AbortSignal) =>
    call<Record<Status, number>>(url('api/feedback/counts', { q }), { signal: signal ?? null }),
  record: (id: string, signal?: AbortSignal) =>
    call<FeedbackRecord>(record(id), { signal: signal ?? null }),
  deliveriesOf: (id: string, signal?: AbortSignal) =>
    call<Page<Delivery>>(url('api/deliveries', { feedback_id: id, limit: 100 }), {
      signal: signal ?? null,
    }),
  change: (id: string, change: Change) => write<FeedbackRecord>('PATCH', record(id), change),
  bulk: (target: Target, change: Change) =>
    write<{ updated: number }>('POST', 'api/feedback/bulk', { ...target, ...change }),
  attention: (query: { by: string; window: string; min_votes: number }, signal?: AbortSignal) =>
    call<{ items: AttentionItem[] }>(url('api/feedback/attention', query), {
      signal: signal ?? null,
    }),
  stats: (query: { from?: string; to?: string }, signal?: AbortSignal) =>
    call<Stats>(url('api/feedback/stats', query), { signal: signal ?? null }),
  destinations: (signal?: AbortSignal) =>
    call<{ destinations: DestinationCounts[] }>('api/deliveries/stats', { signal: signal ?? null }),
  failures: (signal?: AbortSignal) =>
    call<Page<Delivery>>(url('api/deliveries', { status: 'failed', limit: 10 }), {
      signal: signal ?? null,
    }),
  retry: (id: string) =>
    call<Delivery>(`api/deliveries/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  /** Who the reader is to the collector, and `TRACE_URL` when it is set. */
  config: () => call<{ actor: string; trace_url?: string }>('api/inbox/config'),
  /** Where the browser downloads every record the search matches (a streamed attachment). */
  exportUrl: (q: string, format: 'csv' | 'jsonl') => url('api/feedback/export', { q, format }),
};
