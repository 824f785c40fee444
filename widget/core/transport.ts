import ky from 'ky';
import type { Answer, OutboxItem } from './outbox';

/**
 * The one place that talks HTTP: posts one stored vote. ky's defaults are the ones wanted, so
 * they are not repeated (bytes count): it never retries a POST (the outbox does), and it gives
 * up after 10 s.
 */
export async function postVote(item: OutboxItem, keepalive: boolean): Promise<Answer> {
  const headers: Record<string, string> = { 'Idempotency-Key': item.id };
  if (item.token) headers.Authorization = `Bearer ${item.token}`;
  const response = await ky.post(item.url, {
    json: item.body,
    headers,
    credentials: item.credentials,
    keepalive,
    throwHttpErrors: false,
  });
  return { status: response.status, retryAfter: response.headers.get('Retry-After') };
}
