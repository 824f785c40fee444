import { afterEach, describe, expect, test } from 'vitest';
import type { CollectorOptions } from '../../collector/src/config';
import type { Collector } from '../helpers/collector';
import { type Backend, send, useStorage } from '../helpers/collector';
import { type FakeVendor, startFakeVendor, useFakeVendor } from '../helpers/fake-vendor';
import {
  eventBody,
  forwardFile,
  secret,
  vendorDestinations,
  waitForCounts,
} from '../helpers/forward';

// Each test starts a collector on fresh storage with its own FORWARD_FILE; a fresh PGlite alone
// takes seconds, more on a machine busy with the other suites.
describe.each<Backend>(['pglite', 'postgres'])(
  'forwarding on %s',
  { timeout: 120_000 },
  (backend) => {
    const storage = useStorage(backend);
    const vendor = useFakeVendor({ env: true, fresh: true });
    let collector: Collector | undefined;
    let suffixes = 0;

    afterEach(async () => {
      await collector?.close();
      collector = undefined;
    });

    /** A collector forwarding to `destinations`; names get a suffix unique to this test. */
    async function start(
      destinations: (suffix: string) => Record<string, unknown>[],
      overrides: CollectorOptions = {},
    ) {
      const suffix = `-${++suffixes}`;
      collector = await storage.start({
        forwardFile: forwardFile({ destinations: destinations(suffix) }),
        ...overrides,
      });
      return { url: collector.url, suffix };
    }

    const single =
      (format: string, path: string, extra: Record<string, unknown> = {}) =>
      (suffix: string) => [
        {
          ...(vendorDestinations(vendor.origin, suffix).find((d) => d.format === format) as object),
          url: `${vendor.origin}${path}`,
          ...extra,
        },
      ];

    test('a vote reaches every destination with its API own URL, auth header and body', async () => {
      const { url, suffix } = await start((s) => vendorDestinations(vendor.origin, s));
      const vote = eventBody('fw-all', {
        rating: 'down',
        sentiment: 'negative',
        value: -100,
        conversation_id: 'conv 1',
        message_id: 'msg-1',
        session_id: 'sess-1',
        trace_id: 'trace-1',
        reason: 'Falsch',
        reason_key: 'incorrect',
        comment: 'Zu vage',
        locale: 'de',
        metadata: { plan: 'pro' },
      });
      const posted = await send(`${url}api/feedback`, { body: vote });
      expect(posted.status).toBe(201);
      await vendor.waitFor(6);
      const byPath = Object.fromEntries(vendor.requests.map((r) => [r.path, r.body]));
      expect(byPath).toEqual({
        '/v1/Assistants/asst_1/Feedbacks': {
          session_id: 'sess-1',
          score: 0,
          text: 'Falsch: Zu vage',
        },
        '/v1/conversation/conv%201/downvote': { value: -100, reason: 'Falsch: Zu vage' },
        '/v1/feedback': {
          conversation_id: 'conv 1',
          sentiment: 'negative',
          comment: 'Zu vage',
          metadata: { plan: 'pro', reason: 'Falsch', message_id: 'msg-1' },
        },
        '/v1/messages/feedback': {
          original_message_id: 'msg-1',
          customer_responded: true,
          quality_score: 0,
        },
        '/api/public/scores': {
          id: 'fw-all',
          traceId: 'trace-1',
          name: 'user-feedback',
          value: 0,
          dataType: 'NUMERIC',
          comment: 'Falsch: Zu vage',
        },
        '/api/feedback': vote,
      });
      for (const request of vendor.requests) {
        expect(request.headers['content-type']).toBe('application/json');
        expect(request.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      }
      const names = vendorDestinations(vendor.origin, suffix).map((d) => d.name);
      await waitForCounts(
        url,
        names.map((destination) => ({ destination, delivered: 1 })),
      );
    });

    test('a text longer than the receiving API takes is cut to it with an ellipsis; a joined text goes whole', async () => {
      const formats = ['score', 'sentiment', 'event'];
      const { url } = await start((s) =>
        vendorDestinations(vendor.origin, s).filter((d) => formats.includes(d.format)),
      );
      // A score intake keeps its text (up to a 500-character reason, ': ' and a 5,000-character
      // comment) as the comment; counted in characters, not UTF-16 units.
      const text = '😀'.repeat(5400);
      const scored = await send(`${url}api/assistants/asst_1/feedbacks`, {
        body: { session_id: 'sess-long', score: 0, text },
      });
      expect(scored.status).toBe(201);
      await vendor.waitFor(3);
      const byPath = Object.fromEntries(vendor.requests.map((r) => [r.path, r.body]));
      const cut = `${'😀'.repeat(4999)}…`;
      expect(byPath['/v1/Assistants/asst_1/Feedbacks']).toMatchObject({ text });
      expect(byPath['/v1/feedback']).toMatchObject({ comment: cut });
      expect(byPath['/api/feedback']).toMatchObject({ comment: cut });
      vendor.requests.length = 0;
      // The vote route's reason is the joined text too; an event takes 500 characters of it.
      // Called without a Referer, the vote has no page: its event carries none.
      const voted = await send(`${url}api/conversations/conv-long/downvote`, {
        body: { reason: `${'r'.repeat(600)}` },
      });
      expect(voted.status).toBe(200);
      await vendor.waitFor(3);
      const event = vendor.requests.find((r) => r.path === '/api/feedback')?.body;
      expect(event).toMatchObject({ conversation_id: 'conv-long', reason: `${'r'.repeat(499)}…` });
      expect(event).not.toHaveProperty('page_url');
      expect(vendor.requests.find((r) => r.path === '/v1/feedback')?.body.metadata.reason).toBe(
        `${'r'.repeat(499)}…`,
      );
    });

    test('a quality vote forwards its message content and response time, and maps its score', async () => {
      const { url, suffix } = await start((s) => vendorDestinations(vendor.origin, s));
      const posted = await send(`${url}api/messages/feedback`, {
        body: {
          original_message_id: 'm-q',
          sent_message_content: 'Your card ships today.',
          customer_responded: true,
          quality_score: 85,
          time_to_respond_ms: 900_000,
        },
      });
      expect(posted.status).toBe(201);
      // The vote has no conversation for the vote URL and no trace for Langfuse: 4 requests.
      await vendor.waitFor(4);
      const byPath = Object.fromEntries(vendor.requests.map((r) => [r.path, r.body]));
      expect(byPath['/v1/messages/feedback']).toEqual({
        original_message_id: 'm-q',
        sent_message_content: 'Your card ships today.',
        customer_responded: true,
        quality_score: 85,
        time_to_respond_ms: 900_000,
      });
      expect(byPath['/v1/Assistants/asst_1/Feedbacks']).toEqual({ session_id: 'm-q', score: 0.85 });
      // Another format gets the rated text where its body keeps one, and never in its metadata.
      expect(byPath['/v1/feedback']).toEqual({
        conversation_id: 'm-q',
        sentiment: 'positive',
        metadata: { message_id: 'm-q' },
      });
      expect(byPath['/api/feedback']).toMatchObject({
        message_id: 'm-q',
        message_content: 'Your card ships today.',
      });
      expect(byPath['/api/feedback']).not.toHaveProperty('metadata');
      await waitForCounts(url, [
        { destination: `bot-votes${suffix}`, failed: 1, pending: 0, delivered: 0 },
        { destination: `langfuse${suffix}`, failed: 0, pending: 0, delivered: 0 },
      ]);
      const failed = await send(`${url}api/deliveries?destination=bot-votes${suffix}`);
      expect(failed.body.items[0]).toMatchObject({ status: 'failed', attempts: 0 });
      expect(failed.body.items[0].last_error).toContain('{conversationId}');
    });

    test('scale and values set the number each rating sends', async () => {
      const { url } = await start(
        single('score', '/v1/Assistants/asst_2/Feedbacks', { values: { up: 0.9, down: 0.1 } }),
      );
      await send(`${url}api/feedback`, { body: eventBody('fw-values-up') });
      await send(`${url}api/feedback`, {
        body: eventBody('fw-values-mid', { rating: 'neutral', sentiment: 'neutral', value: 0 }),
      });
      await vendor.waitFor(2);
      const scores = vendor.requests.map((request) => request.body.score).sort();
      expect(scores).toEqual([0.5, 0.9]);
    });

    test('when forwards only the ratings it lists, and vote never gets a neutral vote', async () => {
      const { url, suffix } = await start((s) => [
        ...single('vote', '/v1/conversation/{conversationId}/{vote}')(s),
        ...single('sentiment', '/v1/feedback', { when: { rating: ['down'] } })(s),
      ]);
      await send(`${url}api/feedback`, { body: eventBody('fw-when-up') });
      await send(`${url}api/feedback`, {
        body: eventBody('fw-when-neutral', { rating: 'neutral', sentiment: 'neutral', value: 0 }),
      });
      await send(`${url}api/feedback`, {
        body: eventBody('fw-when-down', { rating: 'down', sentiment: 'negative', value: -100 }),
      });
      await waitForCounts(url, [
        { destination: `bot-votes${suffix}`, delivered: 2 },
        { destination: `sight${suffix}`, delivered: 1 },
      ]);
      expect(vendor.requests.map((r) => r.path).sort()).toEqual([
        '/v1/conversation/conv-fw-when-down/downvote',
        '/v1/conversation/conv-fw-when-up/upvote',
        '/v1/feedback',
      ]);
    });

    test('a changed vote is forwarded as a new vote', async () => {
      const { url, suffix } = await start(
        single('vote', '/v1/conversation/{conversationId}/{vote}'),
      );
      await send(`${url}api/feedback`, {
        body: eventBody('fw-first', { conversation_id: 'conv-c' }),
      });
      const changed = eventBody('fw-changed', {
        conversation_id: 'conv-c',
        rating: 'down',
        sentiment: 'negative',
        value: -100,
        replaces: 'fw-first',
      });
      await send(`${url}api/feedback`, { body: changed });
      await waitForCounts(url, [{ destination: `bot-votes${suffix}`, delivered: 2 }]);
      expect(vendor.requests.map((r) => [r.path, r.body.value]).sort()).toEqual([
        ['/v1/conversation/conv-c/downvote', -100],
        ['/v1/conversation/conv-c/upvote', 100],
      ]);
    });

    test('a vote that is not stored is not forwarded', async () => {
      const { url, suffix } = await start(single('event', '/api/feedback'));
      const headers = { 'Idempotency-Key': 'fw-repeat-key' };
      await send(`${url}api/feedback`, { body: eventBody('fw-repeat'), headers });
      await send(`${url}api/feedback`, { body: eventBody('fw-repeat'), headers });
      await send(`${url}api/feedback`, { body: eventBody('fw-repeat') });
      await waitForCounts(url, [{ destination: `events${suffix}`, delivered: 1 }]);
      const listed = await send(`${url}api/deliveries?feedback_id=fw-repeat`);
      expect(listed.body.total).toBe(1);
    });

    test('a 5xx is retried with the same Idempotency-Key until it succeeds', async () => {
      // FORWARD_MAX_AGE=forever: retried with no end.
      const { url, suffix } = await start(single('event', '/api/feedback'), {
        forwardMaxAge: Number.POSITIVE_INFINITY,
      });
      vendor.answer = () =>
        vendor.requests.length < 3 ? { status: 503, body: 'busy' } : { status: 201, body: '{}' };
      await send(`${url}api/feedback`, { body: eventBody('fw-retry') });
      await waitForCounts(url, [{ destination: `events${suffix}`, delivered: 1 }]);
      expect(vendor.requests).toHaveLength(3);
      expect(vendor.keys().size).toBe(1);
      const [first, second, third] = vendor.requests.map((r) => r.at);
      // Backoff with jitter: the first wait is 0.5–1 s, the second 1–2 s.
      expect((second as number) - (first as number)).toBeGreaterThanOrEqual(450);
      expect((third as number) - (second as number)).toBeGreaterThanOrEqual(950);
      const { body } = await send(`${url}api/deliveries?feedback_id=fw-retry`);
      expect(body.items[0]).toMatchObject({ status: 'delivered', attempts: 3, last_status: 201 });
    });

    test('a 429 waits as long as its Retry-After says', async () => {
      const { url, suffix } = await start(single('event', '/api/feedback'));
      vendor.answer = () =>
        vendor.requests.length < 2
          ? { status: 429, headers: { 'Retry-After': '2' }, body: '' }
          : { status: 201, body: '{}' };
      await send(`${url}api/feedback`, { body: eventBody('fw-429') });
      await waitForCounts(url, [{ destination: `events${suffix}`, delivered: 1 }]);
      const [first, second] = vendor.requests.map((r) => r.at);
      expect((second as number) - (first as number)).toBeGreaterThanOrEqual(1950);
    });

    test('a 4xx fails at once with its status and body kept, and a manual retry resends it', async () => {
      const { url, suffix } = await start(single('event', '/api/feedback'));
      vendor.answer = () => ({ status: 422, body: `{"error":"${'x'.repeat(2000)}"}` });
      await send(`${url}api/feedback`, { body: eventBody('fw-422') });
      await waitForCounts(url, [{ destination: `events${suffix}`, failed: 1 }]);
      const { body } = await send(`${url}api/deliveries?status=failed&destination=events${suffix}`);
      const [failed] = body.items;
      expect(failed).toMatchObject({ feedback_id: 'fw-422', status: 'failed', last_status: 422 });
      expect(failed.last_error).toHaveLength(1024);
      expect(failed).not.toHaveProperty('next_attempt_at');

      vendor.answer = () => ({ status: 201, body: '{}' });
      const retried = await send(`${url}api/deliveries/${failed.id}/retry`, { method: 'POST' });
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ id: failed.id, status: 'pending' });
      await waitForCounts(url, [{ destination: `events${suffix}`, delivered: 1, failed: 0 }]);
      expect(vendor.keys()).toEqual(new Set([failed.id]));
      expect(vendor.requests).toHaveLength(2);

      const again = await send(`${url}api/deliveries/${failed.id}/retry`, { method: 'POST' });
      expect(again.status).toBe(409);
      const missing = await send(`${url}api/deliveries/nope/retry`, { method: 'POST' });
      expect(missing.status).toBe(404);
    });

    test('an error body holding a NUL byte is kept readable, and the rest of its batch is written back', async () => {
      const { url, suffix } = await start((s) =>
        vendorDestinations(vendor.origin, s).filter(({ format }) =>
          ['event', 'sentiment'].includes(format),
        ),
      );
      vendor.answer = ({ path }) =>
        path === '/v1/feedback'
          ? { status: 400, body: 'bad request\u0000 at byte 0' }
          : { status: 201, body: '{}' };
      await send(`${url}api/feedback`, { body: eventBody('fw-nul') });
      await waitForCounts(url, [
        { destination: `events${suffix}`, delivered: 1, pending: 0 },
        { destination: `sight${suffix}`, failed: 1, pending: 0 },
      ]);
      const { body } = await send(`${url}api/deliveries?destination=sight${suffix}`);
      expect(body.items[0]).toMatchObject({
        last_status: 400,
        last_error: 'bad request\uFFFD at byte 0',
      });
      expect(vendor.requests).toHaveLength(2);
    });

    test('a destination still failing after FORWARD_MAX_AGE is failed with its last answer', async () => {
      const { url, suffix } = await start(single('event', '/api/feedback'), {
        forwardMaxAge: 1200,
      });
      vendor.answer = () => ({ status: 500, body: 'down for maintenance' });
      await send(`${url}api/feedback`, { body: eventBody('fw-old') });
      await waitForCounts(url, [{ destination: `events${suffix}`, failed: 1 }]);
      const { body } = await send(`${url}api/deliveries?feedback_id=fw-old`);
      expect(body.items[0]).toMatchObject({ last_status: 500, last_error: 'down for maintenance' });
      expect(body.items[0].attempts).toBeGreaterThanOrEqual(2);
    });

    test('a vendor that cannot be reached is retried, and pending shows when it is due', async () => {
      const closed = await startFakeVendor();
      await closed.close();
      const { url, suffix } = await start((s) => [
        { name: `gone${s}`, format: 'event', url: `${closed.origin}/api/feedback` },
      ]);
      await send(`${url}api/feedback`, { body: eventBody('fw-gone') });
      await waitForCounts(url, [{ destination: `gone${suffix}`, pending: 1 }]);
      await expect
        .poll(async () => (await send(`${url}api/deliveries?feedback_id=fw-gone`)).body.items[0], {
          timeout: 10_000,
        })
        .toMatchObject({
          status: 'pending',
          attempts: 1,
          last_error: expect.stringContaining('ECONNREFUSED'),
        });
      const { body } = await send(`${url}api/deliveries?feedback_id=fw-gone`);
      expect(Date.parse(body.items[0].next_attempt_at)).toBeGreaterThan(Date.now() - 1000);
    });

    test('a vendor that never answers is given up on after 10 s and retried under the same key', async () => {
      const { url, suffix } = await start(single('event', '/api/feedback'));
      const never = new Promise<never>(() => {});
      vendor.answer = () => (vendor.requests.length < 2 ? never : { status: 201, body: '{}' });
      await send(`${url}api/feedback`, { body: eventBody('fw-hang') });
      await waitForCounts(url, [{ destination: `events${suffix}`, delivered: 1 }]);
      const [first, second] = vendor.requests.map((r) => r.at);
      expect((second as number) - (first as number)).toBeGreaterThanOrEqual(10_000);
      expect(vendor.keys().size).toBe(1);
      const { body } = await send(`${url}api/deliveries?feedback_id=fw-hang`);
      expect(body.items[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    });

    /** An `event` destination at `origin`; the fake vendor there checks the auth header. */
    const eventsAt = (origin: string, name: string) => ({
      name,
      format: 'event',
      url: `${origin}/api/feedback`,
      headers: { Authorization: `Bearer ${secret('EVENT_API_KEY')}` },
    });

    /** A second fake vendor, which takes every request and never answers it. */
    async function startStalledVendor(): Promise<FakeVendor> {
      const stalled = await startFakeVendor();
      stalled.answer = () => new Promise<never>(() => {});
      return stalled;
    }

    test('a destination that never answers does not hold back another’s deliveries', async () => {
      const stalled = await startStalledVendor();
      try {
        const { url } = await start((s) => [
          eventsAt(stalled.origin, `stalled${s}`),
          eventsAt(vendor.origin, `events${s}`),
        ]);
        // One vote at a time, each claimed while the stalled requests before it still hang: when
        // a batch waited for its slowest attempt, the second (PGlite) or the fourth (PostgreSQL's
        // three loops) waited for the first's 10 s timeout.
        for (let count = 1; count <= 6; count++) {
          await send(`${url}api/feedback`, { body: eventBody(`fw-beside-${count}`) });
          await vendor.waitFor(count, 8_000);
        }
        await stalled.waitFor(6, 8_000);
      } finally {
        await stalled.close();
      }
    });

    test('a vote arriving while a batch waits on a hanging vendor is sent before that batch is written back', async () => {
      const stalled = await startStalledVendor();
      try {
        const { url, suffix } = await start((s) => [
          eventsAt(stalled.origin, `stalled${s}`),
          eventsAt(vendor.origin, `events${s}`),
        ]);
        await send(`${url}api/feedback`, { body: eventBody('fw-pipelined-1') });
        await vendor.waitFor(1, 10_000);
        await stalled.waitFor(1, 10_000);
        // The first batch waits a second for its stalled attempt before it writes anything back;
        // another batch takes the second vote meanwhile. Nothing is asked of the collector inside
        // that second: the first delivery's delivered_at, stamped as its batch is written back,
        // says afterwards whether the second vote had reached the vendor by then.
        await send(`${url}api/feedback`, { body: eventBody('fw-pipelined-2') });
        await waitForCounts(url, [{ destination: `events${suffix}`, delivered: 2 }]);
        const [, second] = vendor.requests;
        expect(second?.body.id).toBe('fw-pipelined-2');
        const { body } = await send(
          `${url}api/deliveries?feedback_id=fw-pipelined-1&destination=events${suffix}`,
        );
        expect(second?.at).toBeLessThan(Date.parse(body.items[0].delivered_at));
      } finally {
        await stalled.close();
      }
    });

    test('a retry is sent after its backoff while a delivery claimed with it hangs', async () => {
      const stalled = await startStalledVendor();
      try {
        const { url, suffix } = await start((s) => [
          eventsAt(stalled.origin, `stalled${s}`),
          eventsAt(vendor.origin, `events${s}`),
        ]);
        vendor.answer = () =>
          vendor.requests.length < 2 ? { status: 503, body: 'busy' } : { status: 201, body: '{}' };
        await send(`${url}api/feedback`, { body: eventBody('fw-retry-beside') });
        const [first, second] = (await vendor.waitFor(2, 9_000)).map((request) => request.at);
        // The first backoff is 0.5–1 s; the hanging batch-mate held it back for its 10 s timeout.
        expect((second as number) - (first as number)).toBeGreaterThanOrEqual(450);
        expect((second as number) - (first as number)).toBeLessThan(8_000);
        await waitForCounts(url, [
          { destination: `events${suffix}`, delivered: 1 },
          { destination: `stalled${suffix}`, pending: 1 },
        ]);
      } finally {
        await stalled.close();
      }
    });

    test('a redirect is not followed: the delivery fails naming its status', async () => {
      const { url, suffix } = await start(single('event', '/api/feedback'));
      vendor.answer = () => ({
        status: 308,
        headers: { Location: 'http://203.0.113.9/api/feedback' },
        body: '',
      });
      await send(`${url}api/feedback`, { body: eventBody('fw-moved') });
      await waitForCounts(url, [{ destination: `events${suffix}`, failed: 1 }]);
      const { body } = await send(`${url}api/deliveries?feedback_id=fw-moved`);
      expect(body.items[0]).toMatchObject({ status: 'failed', attempts: 1, last_status: 308 });
      expect(vendor.requests).toHaveLength(1);
    });

    test('a destination’s url may take an environment variable, filled in as it is sent', async () => {
      process.env.FORWARD_TEST_VENDOR = vendor.origin;
      const { url, suffix } = await start(
        single('vote', '/v1/conversation/{conversationId}/{vote}', {
          url: `${secret('FORWARD_TEST_VENDOR')}/v1/conversation/{conversationId}/{vote}`,
        }),
      );
      await send(`${url}api/feedback`, { body: eventBody('fw-variable') });
      await waitForCounts(url, [{ destination: `bot-votes${suffix}`, delivered: 1 }]);
      expect(vendor.requests.map((request) => request.path)).toEqual([
        '/v1/conversation/conv-fw-variable/upvote',
      ]);
    });

    test('a secret of the url is scrubbed from last_error also as the vendor echoes it percent-encoded', async () => {
      process.env.FORWARD_PATH_SECRET = 'p@ss word+ENC:1 ü';
      // The target as received (the URL's encoding), form-encoded once decoded, and decoded.
      vendor.answer = (request) => {
        const decoded = decodeURIComponent(request.path);
        return {
          status: 400,
          body: `bad ${request.path} ${new URLSearchParams({ u: decoded })} ${decoded}`,
        };
      };
      const { url, suffix } = await start(
        single('vote', `/v1/conversation/${secret('FORWARD_PATH_SECRET')}/{vote}`),
      );
      await send(`${url}api/feedback`, { body: eventBody('fw-echo-url') });
      await waitForCounts(url, [{ destination: `bot-votes${suffix}`, failed: 1 }]);
      expect(vendor.requests.map((request) => request.path)).toEqual([
        '/v1/conversation/p@ss%20word+ENC:1%20%C3%BC/upvote',
      ]);
      const { body } = await send(`${url}api/deliveries?feedback_id=fw-echo-url`);
      expect(body.items[0].last_error).toBe(
        'bad /v1/conversation/[secret]/upvote u=%2Fv1%2Fconversation%2F[secret]%2Fupvote /v1/conversation/[secret]/upvote',
      );
    });

    test('with ADMIN_TOKEN the delivery routes answer only the team', async () => {
      const token = 'forward-admin-token-0123456789';
      const { url } = await start(single('event', '/api/feedback'), { adminToken: token });
      const list = await send(`${url}api/deliveries`);
      const stats = await send(`${url}api/deliveries/stats`);
      const retry = await send(`${url}api/deliveries/some-id/retry`, { method: 'POST' });
      expect([list.status, stats.status, retry.status]).toEqual([401, 401, 401]);
      const headers = { Authorization: `Bearer ${token}` };
      expect((await send(`${url}api/deliveries`, { headers })).status).toBe(200);
      const missing = await send(`${url}api/deliveries/some-id/retry`, { method: 'POST', headers });
      expect(missing.status).toBe(404);
    });

    test('GET /api/deliveries names the parameter it refuses', async () => {
      const { url } = await start(single('event', '/api/feedback'));
      const status = await send(`${url}api/deliveries?status=lost`);
      expect([status.status, status.body.field]).toEqual([400, 'status']);
      const limit = await send(`${url}api/deliveries?limit=0`);
      expect([limit.status, limit.body.field]).toEqual([400, 'limit']);
    });

    test.each([
      ['feedback_id', '%00'],
      ['feedback_id', 'fw%0Aline'],
      ['destination', 'events%00'],
      ['destination', 'x'.repeat(201)],
    ])(
      'GET /api/deliveries?%s=%s, text no id can hold, answers 400 naming it',
      async (field, value) => {
        const { url } = await start(single('event', '/api/feedback'));
        const response = await send(`${url}api/deliveries?${field}=${value}`);
        expect([response.status, response.body.field]).toEqual([400, field]);
      },
    );

    test('top reasons count one reason key voted in several languages once, by its commonest label', async () => {
      const { url } = await start(single('event', '/api/feedback'));
      const down = {
        rating: 'down',
        sentiment: 'negative',
        value: -100,
        conversation_id: 'conv-rk',
      };
      await send(`${url}api/feedback`, {
        body: eventBody('fw-rk-de', { ...down, reason: 'Falsch', reason_key: 'incorrect' }),
      });
      await send(`${url}api/feedback`, {
        body: eventBody('fw-rk-fr', { ...down, reason: 'Incorrect', reason_key: 'incorrect' }),
      });
      await send(`${url}api/feedback`, {
        body: eventBody('fw-rk-fr2', { ...down, reason: 'Incorrect', reason_key: 'incorrect' }),
      });
      const { body } = await send(`${url}api/feedback/stats?conversation_id=conv-rk`);
      expect(body.top_reasons).toEqual([{ reason: 'Incorrect', count: 3 }]);
    });
  },
);
