import ky from 'ky';
import type { Answer, OutboxItem } from './outbox';

const TIMEOUT_MS = 10_000;

/** The one place that talks HTTP: posts one stored vote, never retrying by itself. */
export async function postVote(item: OutboxItem, keepalive: boolean): Promise<Answer> {
  const headers: Record<string, string> = { 'Idempotency-Key': item.id };
  if (item.token) headers.Authorization = `Bearer ${item.token}`;
  const response = await ky.post(item.url, {
    json: item.body,
    headers,
    credentials: item.credentials,
    keepalive,
    retry: 0,
    timeout: TIMEOUT_MS,
    throwHttpErrors: false,
  });
  return { status: response.status, retryAfter: response.headers.get('Retry-After') };
}
