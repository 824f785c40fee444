import ky from 'ky';
import type { Answer, OutboxItem } from './outbox';
import { retryable } from './retry';

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
    // Followed, a 301, 302 or 303 would turn the POST into a GET whose 200 says nothing of the
    // vote: an endpoint that redirects refuses it (answer 0, an opaque redirect, taken as 300).
    redirect: 'manual',
  });
  const status = response.status || 300;
  // A vote dropped for good: the answer may name what the endpoint refused (the collector's does).
  if (status > 299 && !retryable(status)) {
    void response
      .text()
      .then((text) =>
        console.error(
          `feedback-widget: POST ${item.url} answered ${status}, vote dropped`,
          text.slice(0, 500),
        ),
      );
  }
  return { status, retryAfter: response.headers.get('Retry-After') };
}
