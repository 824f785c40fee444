import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Collector } from '../helpers/collector';
import { type Backend, send, useStorage } from '../helpers/collector';
import { eventBody, forwardFile, waitForCounts } from '../helpers/forward';

function ok(socket: Socket) {
  socket.write('HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}');
}

/** One raw request as the mean vendor read it: its head and its body. */
interface RawRequest {
  head: string;
  body: string;
}

/**
 * A vendor speaking raw HTTP/1.1, so an answer can be cut off, left hanging, or be bytes that
 * are not UTF-8; `answer` writes onto the socket and may destroy it.
 */
async function startMeanVendor() {
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  const vendor = {
    origin: '',
    requests,
    answer: ok as (socket: Socket, index: number) => void,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const body = buffer.subarray(end + 4, end + 4 + length).toString();
        buffer = buffer.subarray(end + 4 + length);
        requests.push({ head, body });
        vendor.answer(socket, requests.length - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  vendor.origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return vendor;
}

function keyOf(request: RawRequest): string | undefined {
  return /idempotency-key: *(\S+)/i.exec(request.head)?.[1];
}

describe.each<Backend>(['pglite', 'postgres'])(
  'forwarding audit on %s',
  { timeout: 120_000 },
  (backend) => {
    const storage = useStorage(backend);
    let vendor: Awaited<ReturnType<typeof startMeanVendor>>;
    let collector: Collector | undefined;
    let suffixes = 0;

    beforeAll(async () => {
      vendor = await startMeanVendor();
    });

    afterAll(async () => {
      await vendor.close();
    });

    afterEach(async () => {
      await collector?.close();
      collector = undefined;
      vendor.requests.length = 0;
      vendor.answer = ok;
    });

    async function start(destination: Record<string, unknown>) {
      const name = `audit-${++suffixes}`;
      collector = await storage.start({
        forwardFile: forwardFile({ destinations: [{ name, ...destination }] }),
      });
      return { url: collector.url, name };
    }

    async function deliveryOf(url: string, feedbackId: string) {
      const { body } = await send(`${url}api/deliveries?feedback_id=${feedbackId}`);
      return body;
    }

    test('an answer cut off mid-body is not taken as delivered: it is retried under the same key', async () => {
      const { url, name } = await start({ format: 'event', url: `${vendor.origin}/in` });
      vendor.answer = (socket, index) => {
        if (index > 0) return ok(socket);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"par');
        socket.destroy();
      };
      await send(`${url}api/feedback`, { body: eventBody('audit-cut') });
      await waitForCounts(url, [{ destination: name, delivered: 1 }]);
      expect(vendor.requests).toHaveLength(2);
      expect(new Set(vendor.requests.map(keyOf)).size).toBe(1);
      const { items } = await deliveryOf(url, 'audit-cut');
      expect(items[0]).toMatchObject({ status: 'delivered', attempts: 2, last_status: 201 });
    });

    test('a connection closed before any answer is retried under the same key', async () => {
      const { url, name } = await start({ format: 'event', url: `${vendor.origin}/in` });
      vendor.answer = (socket, index) => (index > 0 ? ok(socket) : socket.destroy());
      await send(`${url}api/feedback`, { body: eventBody('audit-reset') });
      await waitForCounts(url, [{ destination: name, delivered: 1 }]);
      expect(new Set(vendor.requests.map(keyOf)).size).toBe(1);
    });

    test('a 408 is retried; a Retry-After HTTP date is waited for', async () => {
      const { url, name } = await start({ format: 'event', url: `${vendor.origin}/in` });
      let asked = 0;
      vendor.answer = (socket, index) => {
        if (index === 0) {
          socket.write('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n');
        } else if (index === 1) {
          // Whole seconds: at least 2 s from now, whatever the fraction of this second.
          asked = Math.ceil(Date.now() / 1000) * 1000 + 3000;
          const date = new Date(asked).toUTCString();
          socket.write(`HTTP/1.1 503 Busy\r\nRetry-After: ${date}\r\nContent-Length: 0\r\n\r\n`);
        } else ok(socket);
      };
      await send(`${url}api/feedback`, { body: eventBody('audit-date') });
      await waitForCounts(url, [{ destination: name, delivered: 1 }]);
      expect(vendor.requests).toHaveLength(3);
      const { items } = await deliveryOf(url, 'audit-date');
      expect(Date.parse(items[0].delivered_at)).toBeGreaterThanOrEqual(asked);
    });

    test('a huge error answer that is not UTF-8 is kept as its first 1 KiB, readable', async () => {
      const { url, name } = await start({ format: 'event', url: `${vendor.origin}/in` });
      const huge = Buffer.alloc(5 * 1024 * 1024, 0xff);
      vendor.answer = (socket) => {
        socket.write(`HTTP/1.1 400 Bad Request\r\nContent-Length: ${huge.length}\r\n\r\n`);
        socket.write(huge);
      };
      await send(`${url}api/feedback`, { body: eventBody('audit-huge') });
      await waitForCounts(url, [{ destination: name, failed: 1 }]);
      const { items } = await deliveryOf(url, 'audit-huge');
      expect(items[0]).toMatchObject({ status: 'failed', last_status: 400, attempts: 1 });
      expect(items[0].last_error).toBe('\uFFFD'.repeat(1024));
    });

    test('a vendor that sends its head, then nothing, is given up on and retried', async () => {
      const { url, name } = await start({ format: 'event', url: `${vendor.origin}/in` });
      vendor.answer = (socket, index) => {
        if (index > 0) return ok(socket);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{');
      };
      await send(`${url}api/feedback`, { body: eventBody('audit-stall') });
      await waitForCounts(url, [{ destination: name, delivered: 1 }], 60_000);
      expect(new Set(vendor.requests.map(keyOf)).size).toBe(1);
    });

    test('URL placeholders are filled URL-encoded, as the widget fills them', async () => {
      const { url, name } = await start({
        format: 'score',
        url: `${vendor.origin}/m/{messageId}/c/{conversationId}/s/{sessionId}/{rating}/{vote}`,
      });
      const posted = await send(`${url}api/feedback`, {
        body: eventBody('audit-url', {
          message_id: 'a/b?c#d e',
          conversation_id: 'ü&=%',
          session_id: '.x',
          rating: 'down',
          sentiment: 'negative',
          value: -100,
        }),
      });
      expect(posted.status).toBe(201);
      await waitForCounts(url, [{ destination: name, delivered: 1 }]);
      const [line] = (vendor.requests[0] as RawRequest).head.split('\r\n');
      expect(line).toBe(
        `POST /m/a%2Fb%3Fc%23d%20e/c/${encodeURIComponent('ü&=%')}/s/.x/down/downvote HTTP/1.1`,
      );
    });

    test('a delivery failed at once for a missing placeholder names it, and a manual retry answers 409', async () => {
      const { url } = await start({ format: 'vote', url: `${vendor.origin}/c/{messageId}/{vote}` });
      await send(`${url}api/feedback`, { body: eventBody('audit-ph') });
      const { items } = await deliveryOf(url, 'audit-ph');
      expect(items[0]).toMatchObject({ status: 'failed', attempts: 0 });
      expect(items[0].last_error).toContain('{messageId}');
      const retried = await send(`${url}api/deliveries/${items[0].id}/retry`, { method: 'POST' });
      expect(retried.status).toBe(409);
      expect(vendor.requests).toHaveLength(0);
    });

    test('langfuse: values and scale set the value; no trace, no delivery; a comment alone', async () => {
      const { url, name } = await start({
        format: 'langfuse',
        url: `${vendor.origin}/api/public/scores`,
        scale: '1..5',
        score_name: 'thumbs',
        values: { down: 1 },
      });
      await send(`${url}api/feedback`, {
        body: eventBody('audit-lf-none', { rating: 'down', sentiment: 'negative', value: -100 }),
      });
      await send(`${url}api/feedback`, {
        body: eventBody('audit-lf-down', {
          rating: 'down',
          sentiment: 'negative',
          value: -100,
          trace_id: 't/1',
          comment: 'slow',
        }),
      });
      await send(`${url}api/feedback`, {
        body: eventBody('audit-lf-up', { trace_id: 't-2', reason: 'Helpful' }),
      });
      await waitForCounts(url, [{ destination: name, delivered: 2 }]);
      expect((await deliveryOf(url, 'audit-lf-none')).total).toBe(0);
      const bodies = vendor.requests.map((request) => JSON.parse(request.body));
      expect(bodies).toEqual(
        expect.arrayContaining([
          {
            id: 'audit-lf-down',
            traceId: 't/1',
            name: 'thumbs',
            value: 1,
            dataType: 'NUMERIC',
            comment: 'slow',
          },
          {
            id: 'audit-lf-up',
            traceId: 't-2',
            name: 'thumbs',
            value: 5,
            dataType: 'NUMERIC',
            comment: 'Helpful',
          },
        ]),
      );
    });

    test('a quality intake saying the customer did not respond is forwarded as such', async () => {
      const { url, name } = await start({ format: 'quality', url: `${vendor.origin}/in` });
      const answers = await Promise.all(
        [false, true, undefined].map((customer_responded, index) =>
          send(`${url}api/messages/feedback`, {
            body: { original_message_id: `q-${index}`, customer_responded, quality_score: 20 },
          }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
      await waitForCounts(url, [{ destination: name, delivered: 3 }]);
      const bodies = vendor.requests.map((request) => JSON.parse(request.body));
      expect(bodies).toEqual(
        expect.arrayContaining([
          { original_message_id: 'q-0', customer_responded: false, quality_score: 20 },
          { original_message_id: 'q-1', customer_responded: true, quality_score: 20 },
          { original_message_id: 'q-2', customer_responded: true, quality_score: 20 },
        ]),
      );
    });

    test('GET /api/deliveries refuses a limit outside 1–100 and an unknown status', async () => {
      const { url } = await start({ format: 'event', url: `${vendor.origin}/in` });
      for (const query of ['limit=0', 'limit=101', 'limit=x', 'status=done', 'offset=-1']) {
        const answer = await send(`${url}api/deliveries?${query}`);
        expect(answer.status, query).toBe(400);
      }
      const missing = await send(`${url}api/deliveries/nope/retry`, { method: 'POST' });
      expect(missing.status).toBe(404);
    });

    test('a destination forwardFile no longer names: start-up says how many wait for it, and a retry answers 409 naming it and the option', async () => {
      const place = await storage.options();
      const name = `audit-gone-${++suffixes}`;
      const url = `${vendor.origin}/in`;
      collector = await storage.start({
        ...place,
        forwardFile: forwardFile({ destinations: [{ name, format: 'event', url }] }),
      });
      vendor.answer = (socket) =>
        socket.write(
          vendor.requests.length === 1
            ? 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'
            : 'HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n',
        );
      await send(`${collector.url}api/feedback`, { body: eventBody('audit-gone-failed') });
      await waitForCounts(collector.url, [{ destination: name, failed: 1 }]);
      await send(`${collector.url}api/feedback`, { body: eventBody('audit-gone-waiting') });
      await vi.waitFor(() => expect(vendor.requests).toHaveLength(2), { timeout: 10_000 });
      await collector.close();

      collector = await storage.start({
        ...place,
        forwardFile: forwardFile({ destinations: [{ name: `${name}-new`, format: 'event', url }] }),
      });
      const { url: now } = collector;
      const [failed] = (await deliveryOf(now, 'audit-gone-failed')).items;
      const retry = await send(`${now}api/deliveries/${failed.id}/retry`, { method: 'POST' });
      expect(retry.status).toBe(409);
      expect(retry.body.error).toContain(`\`${name}\` is not in forwardFile`);
      expect((await deliveryOf(now, 'audit-gone-failed')).items[0]).toMatchObject({
        status: 'failed',
      });
      const warned = () =>
        collector
          ?.logs()
          .map((line) => JSON.parse(line))
          .filter((entry) => entry.destination === name && entry.level === 'warn');
      await vi.waitFor(() => expect(warned()).toHaveLength(1), { timeout: 10_000 });
      expect(warned()?.[0]).toMatchObject({ pending: 1 });
      expect(warned()?.[0].msg).toContain('forwardFile no longer names');
    });

    test('a neutral vote with a when filter is not forwarded; an up one is', async () => {
      const { url, name } = await start({
        format: 'sentiment',
        url: `${vendor.origin}/in`,
        when: { rating: ['up'] },
      });
      await send(`${url}api/feedback`, {
        body: eventBody('audit-when-n', { rating: 'neutral', sentiment: 'neutral', value: 0 }),
      });
      await send(`${url}api/feedback`, {
        body: eventBody('audit-when-u', { conversation_id: undefined, message_id: 'm-1' }),
      });
      await waitForCounts(url, [{ destination: name, delivered: 1, pending: 0, failed: 0 }]);
      expect(vendor.requests.map((request) => JSON.parse(request.body))).toEqual([
        { conversation_id: 'm-1', sentiment: 'positive', metadata: { message_id: 'm-1' } },
      ]);
      await vi.waitFor(async () => {
        expect((await deliveryOf(url, 'audit-when-n')).total).toBe(0);
      });
    });
  },
);
