// @vitest-environment node
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { postVote } from '../../widget/core/transport';
import { outboxItem } from '../helpers/outbox';
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server';

let server: RecordingServer;

beforeEach(async () => {
  server = await startRecordingServer();
});

afterEach(async () => {
  vi.useRealTimers();
  await server.close();
});

/** An item that posts to the recording server. */
function item(overrides: Parameters<typeof outboxItem>[0] = {}) {
  return outboxItem({ url: `${server.origin}/api/feedback`, ...overrides });
}

describe('the request', () => {
  test('a vote is posted with method POST to the item URL', async () => {
    await postVote(item({ url: `${server.origin}/api/conversations/c%201/upvote` }), false);
    expect(server.requests.map(({ method, path }) => [method, path])).toEqual([
      ['POST', '/api/conversations/c%201/upvote'],
    ]);
  });

  test('the body is the item body as JSON', async () => {
    const vote = item({ body: { value: -100, reason: 'Wrong: Too vague', nested: { ü: [1] } } });
    await postVote(vote, false);
    expect(server.requests[0]?.body).toEqual({
      value: -100,
      reason: 'Wrong: Too vague',
      nested: { ü: [1] },
    });
  });

  test('the Content-Type is application/json', async () => {
    await postVote(item(), false);
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
  });

  test('the Idempotency-Key is the item id', async () => {
    await postVote(item({ id: '0b6f3c1e-2d4a-4b5c-9d8e-7f6a5b4c3d2e' }), false);
    expect(server.requests[0]?.headers['idempotency-key']).toBe(
      '0b6f3c1e-2d4a-4b5c-9d8e-7f6a5b4c3d2e',
    );
  });

  test('a token is sent as Authorization: Bearer', async () => {
    await postVote(item({ token: 'pk_live_123' }), false);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer pk_live_123');
  });

  test('without a token no Authorization header is sent', async () => {
    await postVote(item({ token: undefined }), false);
    expect('authorization' in (server.requests[0]?.headers ?? {})).toBe(false);
  });

  test('a keepalive post reaches the server the same way', async () => {
    const vote = item({ token: 'pk_live_123' });
    await postVote(vote, true);
    expect(server.requests).toMatchObject([
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': vote.id,
          authorization: 'Bearer pk_live_123',
        },
        body: vote.body,
      },
    ]);
  });

  test('one call sends exactly one request, even when the answer is an error', async () => {
    server.reply = () => ({ status: 503 });
    await postVote(item(), false);
    expect(server.requests).toHaveLength(1);
  });
});

describe('the answer', () => {
  test('a 201 answer gives status 201 and no Retry-After', async () => {
    expect(await postVote(item(), false)).toEqual({ status: 201, retryAfter: null });
  });

  test.each([400, 404, 408, 422, 500, 503])(
    'a %i answer is returned, not thrown',
    async (status) => {
      server.reply = () => ({ status, body: '{"error":"nope"}' });
      expect(await postVote(item(), false)).toEqual({ status, retryAfter: null });
    },
  );

  test('Retry-After in seconds is returned as sent', async () => {
    server.reply = () => ({ status: 429, headers: { 'Retry-After': '120' } });
    expect(await postVote(item(), false)).toEqual({ status: 429, retryAfter: '120' });
  });

  test('Retry-After as an HTTP date is returned as sent', async () => {
    const date = 'Sat, 01 Mar 2025 12:01:30 GMT';
    server.reply = () => ({ status: 503, headers: { 'Retry-After': date } });
    expect(await postVote(item(), false)).toEqual({ status: 503, retryAfter: date });
  });
});

describe('failures', () => {
  test('a refused connection rejects', async () => {
    const url = `${server.origin}/api/feedback`;
    await server.close();
    await expect(postVote(item({ url }), false)).rejects.toThrow('fetch failed');
  });

  test('a request unanswered for 10 s rejects with a timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    server.reply = () => new Promise(() => {});
    const posting = postVote(item(), false);
    const settled = posting.then(
      () => 'answered',
      (error: Error) => error.name,
    );
    await server.waitFor(1);
    await vi.advanceTimersByTimeAsync(9999);
    const early = await Promise.race([settled, Promise.resolve('pending')]);
    await vi.advanceTimersByTimeAsync(1);
    expect([early, await settled]).toEqual(['pending', 'TimeoutError']);
  });
});
