import { createServer, get as httpGet } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, onTestFinished, test, vi } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import { CollectorConfigError, configFromEnv } from '../../collector/src/config';
import { toNodeListener } from '../../collector/src/http/node';
import { signFeedbackToken, verifyFeedbackToken } from '../../collector/src/token';
import type { Collector } from '../helpers/collector';
import {
  type Backend,
  minimalEvent,
  openStorage,
  pgliteDataDir,
  send,
  type TestStorage,
} from '../helpers/collector';

const SECRET = 'a'.repeat(32);
const NEXT_SECRET = 'b'.repeat(32);
const OTHER_SECRET = 'c'.repeat(32);
const ADMIN = 'admin-token-0123456789';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const key = (text: string) => new TextEncoder().encode(text);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

const event = (overrides: Record<string, unknown> = {}) => minimalEvent(unique('evt'), overrides);

/** Headers by which a proxy or CDN passes a client on: each makes a request not loopback. */
const PROXY_HEADERS: [name: string, value: string][] = [
  ['X-Forwarded-For', '203.0.113.9'],
  ['X-Real-IP', '203.0.113.9'],
  ['Forwarded', 'for=203.0.113.9'],
  ['X-Forwarded-Host', 'votes.example.com'],
  ['X-Forwarded-Proto', 'https'],
  ['Via', '1.1 proxy.example.com'],
  ['CF-Connecting-IP', '203.0.113.9'],
  ['True-Client-IP', '203.0.113.9'],
  ['X-Client-IP', '203.0.113.9'],
  ['Fastly-Client-IP', '203.0.113.9'],
  ['X-Cluster-Client-IP', '203.0.113.9'],
  ['Client-IP', '203.0.113.9'],
  ['x-FORWARDED-for', '203.0.113.9'],
];

/** Writes `text` to the collector on `port` as it is, and resolves with everything it answered. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe.each<Backend>(['pglite', 'postgres'])('trust on %s', (backend) => {
  let storage: TestStorage;
  let signed: Collector;
  beforeAll(async () => {
    storage = await openStorage(backend);
    signed = await storage.start({ feedbackSecret: [SECRET, NEXT_SECRET] });
  });
  afterAll(async () => {
    await signed.close();
    await storage.stop();
  });
  const api = (path: string, collector = signed) => `${collector.url}api/${path}`;
  const stored = async (conversation: string, collector = signed) =>
    (await send(api(`feedback?conversation_id=${conversation}`, collector))).body;

  describe('signed feedback tokens', () => {
    test.each([
      ['missing', {}],
      ['not Bearer', { Authorization: 'Token abc' }],
      ['malformed', bearer('not.a.jwt')],
    ])('a %s token answers 401 naming token and stores nothing', async (_, headers) => {
      const conversation = unique('conv');
      const response = await send(api('sentiment'), {
        body: { conversation_id: conversation, sentiment: 'positive' },
        headers,
      });
      expect([response.status, response.body.field]).toEqual([401, 'token']);
      expect((await stored(conversation)).total).toBe(0);
    });

    test.each([
      [
        'signed with another secret',
        () => signFeedbackToken({}, OTHER_SECRET),
        'not signed by this server',
      ],
      [
        'with alg none',
        async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: 4e9 })}.`,
        'HS256',
      ],
      [
        'signed HS512 with the right secret',
        () =>
          new SignJWT({})
            .setProtectedHeader({ alg: 'HS512' })
            .setExpirationTime('1h')
            .sign(key(SECRET)),
        'HS256',
      ],
      [
        'expired',
        () =>
          new SignJWT({})
            .setProtectedHeader({ alg: 'HS256' })
            .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
            .sign(key(SECRET)),
        'expired',
      ],
      [
        'without exp',
        () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(key(SECRET)),
        '`exp`',
      ],
      [
        'not valid before an hour from now (nbf)',
        () =>
          new SignJWT({})
            .setProtectedHeader({ alg: 'HS256' })
            .setNotBefore('1h')
            .setExpirationTime('2h')
            .sign(key(SECRET)),
        'not valid yet',
      ],
    ])('a token %s answers 401 saying why, and stores nothing', async (_, mint, why) => {
      const conversation = unique('conv');
      const response = await send(api('sentiment'), {
        body: { conversation_id: conversation, sentiment: 'positive' },
        headers: bearer(await mint()),
      });
      expect([response.status, response.body.field]).toEqual([401, 'token']);
      expect(response.body.error).toContain(why);
      expect(response.body.error).not.toContain(SECRET);
      expect((await stored(conversation)).total).toBe(0);
    });

    test.each([
      ['user_id', 'u\u00007', 'NUL'],
      ['user_id', 'u\ud8007', 'Unicode'],
      ['user_id', 'u'.repeat(10_000), '200 characters'],
      ['user_id', 'u\n7', 'control characters'],
      ['conversation_id', 'c\u0000', 'NUL'],
      ['message_id', 'm\u0007', 'control characters'],
      ['session_id', 's\ud800', 'Unicode'],
    ])(
      'a signed %s the body could not carry (%#) answers 401 naming token and the claim, and stores nothing',
      async (claim, value, why) => {
        const conversation = unique('conv');
        const response = await send(api('sentiment'), {
          body: { conversation_id: conversation, sentiment: 'positive' },
          headers: bearer(await signFeedbackToken({ [claim]: value }, SECRET)),
        });
        expect([response.status, response.body.field]).toEqual([401, 'token']);
        expect(response.body.error).toContain(`\`${claim}\``);
        expect(response.body.error).toContain(why);
        expect((await stored(conversation)).total).toBe(0);
      },
    );

    test('a token may bind a page URL as the conversation, as a sentiment body may name it', async () => {
      const page = `https://help.example.com/${'a'.repeat(300)}`;
      const response = await send(api('sentiment'), {
        body: { conversation_id: page, sentiment: 'positive' },
        headers: bearer(await signFeedbackToken({ conversation_id: page }, SECRET)),
      });
      expect(response.status).toBe(201);
    });

    test('every format takes a vote with a valid token', async () => {
      const conversation = unique('conv');
      const token = await signFeedbackToken({ conversation_id: conversation }, SECRET);
      const headers = bearer(token);
      const answers = await Promise.all([
        send(api('feedback'), { body: event({ conversation_id: conversation }), headers }),
        send(api('sentiment'), {
          body: { conversation_id: conversation, sentiment: 'negative' },
          headers,
        }),
        send(api(`conversations/${conversation}/upvote`), { body: {}, headers }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 200]);
      const free = bearer(await signFeedbackToken({ session_id: 's-1' }, SECRET));
      const score = await send(api('assistants/a/feedbacks'), {
        body: { session_id: 's-1', score: 1 },
        headers: free,
      });
      const quality = await send(api('messages/feedback'), {
        body: { original_message_id: 'm-1', quality_score: 80 },
        headers: bearer(await signFeedbackToken({ message_id: 'm-1' }, SECRET)),
      });
      expect([score.status, quality.status]).toEqual([201, 201]);
      expect((await stored(conversation)).total).toBe(3);
    });

    test('a token signed with either of two secrets verifies (rotation)', async () => {
      for (const secret of [SECRET, NEXT_SECRET]) {
        const response = await send(api('sentiment'), {
          body: { conversation_id: unique('conv'), sentiment: 'positive' },
          headers: bearer(await signFeedbackToken({}, secret)),
        });
        expect(response.status).toBe(201);
      }
    });

    test.each([
      ['conversation_id', 'sentiment', { conversation_id: 'other', sentiment: 'positive' }],
      ['conversation_id', 'conversations/other/upvote', {}],
      ['message_id', 'messages/feedback', { original_message_id: 'other', quality_score: 5 }],
      [
        'message_id',
        'sentiment',
        { conversation_id: 'c', sentiment: 'positive', metadata: { message_id: 'other' } },
      ],
      ['session_id', 'assistants/a/feedbacks', { session_id: 'other', score: 1 }],
      ['message_id', 'feedback', event()],
    ])(
      'a vote whose %s is not the token’s (%s) answers 403 naming it',
      async (field, path, body) => {
        const token = await signFeedbackToken({ [field]: 'mine' }, SECRET);
        const response = await send(api(path), { body, headers: bearer(token) });
        expect([response.status, response.body.field]).toEqual([403, field]);
      },
    );

    test('the token’s user_id replaces the body’s', async () => {
      const conversation = unique('conv');
      const token = await signFeedbackToken({ user_id: 'u-token' }, SECRET);
      const body = event({ conversation_id: conversation, user_id: 'u-body' });
      expect((await send(api('feedback'), { body, headers: bearer(token) })).status).toBe(201);
      expect((await stored(conversation)).items[0].user_id).toBe('u-token');
    });

    test('the vote window counts the token’s user, whatever the body says', async () => {
      const conversation = unique('conv');
      const vote = async (user: string, bodyUser: string) =>
        send(api(`conversations/${conversation}/upvote`), {
          body: { user_id: bodyUser },
          headers: bearer(await signFeedbackToken({ user_id: user }, SECRET)),
        });
      await vote('u-1', 'a');
      await vote('u-1', 'b');
      await vote('u-2', 'a');
      const { items, total } = await stored(conversation);
      expect(total).toBe(2);
      expect(items.map((item: { user_id: string }) => item.user_id).sort()).toEqual(['u-1', 'u-2']);
    });
  });

  describe('private reads', () => {
    let guarded: Collector;
    beforeAll(async () => {
      guarded = await storage.start({ adminToken: ADMIN });
    });
    afterAll(() => guarded.close());

    test.each(['api/feedback', 'api/feedback/stats', 'api/feedback/some-id', 'dashboard'])(
      'GET /%s without the admin token answers 401 with a Basic challenge',
      async (path) => {
        const response = await fetch(`${guarded.url}${path}`);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Basic realm="feedback"');
      },
    );

    test.each([
      ['Bearer', bearer(ADMIN)],
      ['Basic with any user name', basic('anyone', ADMIN)],
    ])('the admin token as %s reads', async (_, headers) => {
      expect((await send(`${guarded.url}api/feedback`, { headers })).status).toBe(200);
      expect((await fetch(`${guarded.url}dashboard`, { headers })).status).toBe(200);
    });

    test.each([
      ['a wrong Bearer token', bearer(`${ADMIN}x`)],
      ['a wrong Basic password', basic('anyone', 'nope')],
      ['the token as the Basic user name', basic(ADMIN, '')],
    ])('%s answers 401', async (_, headers) => {
      expect((await send(`${guarded.url}api/feedback`, { headers })).status).toBe(401);
    });

    test.each([
      ['a NUL', Buffer.from(`ma\u0000ria:${ADMIN}`)],
      ['a newline', Buffer.from(`maria\nadmin:${ADMIN}`)],
      [
        'bytes that are not UTF-8',
        Buffer.concat([Buffer.from([0xc3, 0x28]), Buffer.from(`:${ADMIN}`)]),
      ],
      ['65 characters', Buffer.from(`${'m'.repeat(65)}:${ADMIN}`)],
    ])(
      'a Basic user name with %s answers 401 naming Authorization, and changes nothing',
      async (_, credentials) => {
        const body = event();
        expect((await send(api('feedback', guarded), { body })).status).toBe(201);
        const record = `${guarded.url}api/feedback/${body.id}`;
        const refused = await send(record, {
          method: 'PATCH',
          body: { status: 'spam' },
          headers: { Authorization: `Basic ${credentials.toString('base64')}` },
        });
        expect([refused.status, refused.body.field]).toEqual([401, 'Authorization']);
        expect(refused.body.error).toContain('user name');
        expect(refused.body.error).not.toContain(ADMIN);
        expect(refused.headers.get('www-authenticate')).toBe('Basic realm="feedback"');
        const kept = await send(record, { headers: bearer(ADMIN) });
        expect(kept.body).toMatchObject({ status: 'open', activity: [] });
      },
    );

    test('voting needs no admin token', async () => {
      const response = await send(api('sentiment', guarded), {
        body: { conversation_id: unique('conv'), sentiment: 'positive' },
      });
      expect(response.status).toBe(201);
    });

    test('without ADMIN_TOKEN a loopback client reads', async () => {
      expect((await send(api('feedback'))).status).toBe(200);
    });

    test.each(PROXY_HEADERS)(
      'without ADMIN_TOKEN a request a proxy on this host passes on (%s) reads, changes and erases nothing: 403 naming ADMIN_TOKEN',
      async (name, value) => {
        // What nginx's `proxy_pass http://127.0.0.1:8787` sends: a loopback socket, a loopback Host.
        const headers = { [name]: value };
        const answers = [
          await send(api('feedback'), { headers }),
          await send(api('feedback/stats'), { headers }),
          await send(api('feedback/never-stored'), {
            method: 'PATCH',
            body: { status: 'spam' },
            headers,
          }),
          await send(api('feedback/bulk'), { body: { ids: ['x'], status: 'spam' }, headers }),
          await send(api('feedback?user_id=nobody'), { method: 'DELETE', headers }),
        ];
        expect(answers.map((answer) => [answer.status, answer.body.field])).toEqual(
          answers.map(() => [403, 'ADMIN_TOKEN']),
        );
      },
    );

    /** A Node server of another's with the collector mounted by `toNodeListener`; its port. */
    async function hosted(maxHeadersCount?: number): Promise<string> {
      const collector = createCollector({
        ...(await storage.options()),
        logDestination: { write() {} },
      });
      const server = createServer(toNodeListener(collector));
      if (maxHeadersCount !== undefined) server.maxHeadersCount = maxHeadersCount;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      onTestFinished(async () => {
        await new Promise((resolve) => server.close(resolve));
        await collector.close();
      });
      return String((server.address() as AddressInfo).port);
    }

    /** The status line and the body's `field` of a read whose X-Forwarded-For follows `count` headers. */
    async function readAfterHeaders(port: string, count: number) {
      const many = Array.from({ length: count }, (_, n) => `A${n}: b\r\n`).join('');
      const answer = await rawRequest(
        Number(port),
        `GET /api/feedback HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${many}X-Forwarded-For: 203.0.113.9\r\n\r\n`,
      );
      return { status: answer.split('\r\n')[0], field: /"field":"([^"]*)"/.exec(answer)?.[1] };
    }

    test.each([
      ['its own server', 1000, async () => new URL(signed.url).port],
      ['a Node server of another’s (toNodeListener)', 1000, () => hosted()],
      ['a Node server of another’s keeping 50 headers', 70, () => hosted(50)],
    ])(
      'without ADMIN_TOKEN a read whose X-Forwarded-For follows more headers than the server keeps is refused (in %s, after %i): 431 naming headers',
      async (_, count, listening) => {
        // A proxy that writes its headers after the client's (Caddy sorts them by name): Node
        // would drop its header past the server's count and take the request for a loopback one.
        expect(await readAfterHeaders(await listening(), count)).toEqual({
          status: 'HTTP/1.1 431 Request Header Fields Too Large',
          field: 'headers',
        });
      },
    );

    test('in a Node server keeping 50 headers, a read whose X-Forwarded-For follows 40 is proxied: 403 naming ADMIN_TOKEN', async () => {
      // Under the server's count nothing is dropped, and nothing is refused for its headers.
      expect(await readAfterHeaders(await hosted(50), 40)).toEqual({
        status: 'HTTP/1.1 403 Forbidden',
        field: 'ADMIN_TOKEN',
      });
    });

    test('without ADMIN_TOKEN a read naming another host (a rebound DNS name) answers 403', async () => {
      const { hostname, port } = new URL(signed.url);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const request = httpGet(
          {
            host: hostname,
            port,
            path: '/api/feedback',
            headers: { Host: `evil.example:${port}` },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode);
          },
        );
        request.on('error', reject);
      });
      expect(status).toBe(403);
    });
  });

  describe('mounted with collector.fetch', () => {
    test('without ADMIN_TOKEN a loopback Request built without Host is judged by its URL’s host', async () => {
      const collector = createCollector({
        ...(await storage.options()),
        logDestination: { write() {} },
      });
      try {
        const read = (url: string) =>
          collector.fetch(new Request(url), { clientAddress: '127.0.0.1' });
        const local = await read('http://localhost/api/feedback/stats');
        const rebound = await read('http://evil.example/api/feedback/stats');
        expect([local.status, rebound.status]).toEqual([200, 403]);
        expect((await rebound.json()).field).toBe('ADMIN_TOKEN');
      } finally {
        await collector.close();
      }
    });

    test('with TRUST_PROXY, a remote client claiming loopback in X-Forwarded-For is not loopback', async () => {
      // A collector listening beyond its proxy (HOST=0.0.0.0, a pod's address) is reached directly.
      const collector = createCollector({
        ...(await storage.options()),
        trustProxy: 1,
        logDestination: { write() {} },
      });
      try {
        const read = (clientAddress: string) =>
          collector.fetch(
            new Request('http://localhost/api/feedback/stats', {
              headers: { 'X-Forwarded-For': '127.0.0.1' },
            }),
            { clientAddress },
          );
        const direct = await read('203.0.113.9');
        expect([direct.status, (await direct.json()).field]).toEqual([403, 'ADMIN_TOKEN']);
        // Through a proxy on this machine, a request it forwards from loopback still reads.
        expect((await read('127.0.0.1')).status).toBe(200);
      } finally {
        await collector.close();
      }
    });

    test('without ADMIN_TOKEN no other origin may read the team’s routes, even an allowed one', async () => {
      const collector = createCollector({
        ...(await storage.options()),
        logDestination: { write() {} },
      });
      try {
        const from = (origin: string) =>
          collector.fetch(
            new Request('http://localhost/api/feedback', { headers: { Origin: origin } }),
            { clientAddress: '127.0.0.1' },
          );
        // A dev server of another project on this machine: in the default ALLOWED_ORIGINS.
        const other = await from('http://localhost:9933');
        expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull();
        expect(other.headers.get('Cache-Control')).toBe('no-store');
        const vote = await collector.fetch(
          new Request('http://localhost/api/sentiment', {
            method: 'POST',
            headers: { Origin: 'http://localhost:9933', 'Content-Type': 'application/json' },
            body: JSON.stringify({ conversation_id: unique('conv'), sentiment: 'positive' }),
          }),
          { clientAddress: '127.0.0.1' },
        );
        expect(vote.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:9933');
      } finally {
        await collector.close();
      }
    });

    test('with ADMIN_TOKEN a client past 30 wrong tokens a minute gets 429, the right one included', async () => {
      const adminToken = 'a-long-enough-admin-token-0123';
      const collector = createCollector({
        ...(await storage.options()),
        adminToken,
        logDestination: { write() {} },
      });
      try {
        const read = (token: string, clientAddress = '203.0.113.20') =>
          collector.fetch(
            new Request('http://localhost/api/feedback/stats', {
              headers: { Authorization: `Bearer ${token}` },
            }),
            { clientAddress },
          );
        for (let guess = 0; guess < 30; guess++) {
          expect((await read(`guess-${guess}`)).status).toBe(401);
        }
        const right = await read(adminToken);
        expect(right.status).toBe(429);
        expect(Number(right.headers.get('Retry-After'))).toBeGreaterThan(0);
        // Another client is not held back, and a right token costs nothing.
        for (let read_ = 0; read_ < 40; read_++) {
          expect((await read(adminToken, '203.0.113.21')).status).toBe(200);
        }
      } finally {
        await collector.close();
      }
    });

    test('METRICS_TOKEN reads /metrics alone, and still does past 30 wrong ADMIN_TOKENs from its address', async () => {
      const adminToken = 'a-long-enough-admin-token-0123';
      const metricsToken = 'a-metrics-token-of-at-least-32-characters';
      const collector = createCollector({
        ...(await storage.options()),
        adminToken,
        metricsToken,
        logDestination: { write() {} },
      });
      try {
        const read = (path: string, authorization: string) =>
          collector.fetch(
            new Request(`http://localhost${path}`, { headers: { Authorization: authorization } }),
            { clientAddress: '203.0.113.30' },
          );
        const basic = (token: string) =>
          `Basic ${Buffer.from(`prometheus:${token}`).toString('base64')}`;
        expect((await read('/metrics', `Bearer ${metricsToken}`)).status).toBe(200);
        expect((await read('/api/feedback/stats', `Bearer ${metricsToken}`)).status).toBe(401);
        for (let guess = 0; guess < 30; guess++) {
          await read('/api/feedback/stats', `Bearer guess-${guess}`);
        }
        // The address is held back: ADMIN_TOKEN, right or wrong, is not even checked...
        expect((await read('/metrics', `Bearer ${adminToken}`)).status).toBe(429);
        expect((await read('/api/feedback/stats', `Bearer ${adminToken}`)).status).toBe(429);
        // ...while the scraper's own token reads, as Bearer or as Prometheus's basic_auth.
        expect((await read('/metrics', `Bearer ${metricsToken}`)).status).toBe(200);
        expect((await read('/metrics', basic(metricsToken))).status).toBe(200);
      } finally {
        await collector.close();
      }
    });

    test('without ADMIN_TOKEN, METRICS_TOKEN opens /metrics to another machine, and nothing else', async () => {
      const metricsToken = 'a-metrics-token-of-at-least-32-characters';
      const collector = createCollector({
        ...(await storage.options()),
        metricsToken,
        logDestination: { write() {} },
      });
      try {
        const read = (path: string, headers: Record<string, string> = {}) =>
          collector.fetch(new Request(`http://votes.example.com${path}`, { headers }), {
            clientAddress: '203.0.113.31',
          });
        const bearer = { Authorization: `Bearer ${metricsToken}` };
        expect((await read('/metrics', bearer)).status).toBe(200);
        expect((await read('/metrics')).status).toBe(403);
        expect((await read('/api/feedback/stats', bearer)).status).toBe(403);
      } finally {
        await collector.close();
      }
    });

    test('without clientAddress, TRUST_PROXY tells clients apart by X-Forwarded-For, and none is loopback', async () => {
      const collector = createCollector({
        ...(await storage.options()),
        trustProxy: 1,
        rateLimit: 1,
        logDestination: { write() {} },
      });
      try {
        const from = (address: string, init: RequestInit = {}) => ({
          ...init,
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address },
        });
        const vote = (address: string) =>
          collector.fetch(
            new Request(
              'http://localhost/api/sentiment',
              from(address, {
                method: 'POST',
                body: JSON.stringify({ conversation_id: unique('conv'), sentiment: 'positive' }),
              }),
            ),
          );
        const votes = [
          await vote('203.0.113.1'),
          await vote('203.0.113.2'),
          await vote('203.0.113.1'),
        ];
        expect(votes.map((answer) => answer.status)).toEqual([201, 201, 429]);
        const read = await collector.fetch(
          new Request('http://localhost/api/feedback/stats', from('127.0.0.1')),
        );
        expect([read.status, (await read.json()).field]).toEqual([403, 'ADMIN_TOKEN']);
      } finally {
        await collector.close();
      }
    });
  });

  describe('behind a proxy', () => {
    let proxied: Collector;
    beforeAll(async () => {
      proxied = await storage.start({ trustProxy: 1, allowedOrigins: [], rateLimit: 1 });
    });
    afterAll(() => proxied.close());

    test('a read from a remote client (X-Forwarded-For) answers 403 naming ADMIN_TOKEN', async () => {
      // The client wrote the first entry itself; the one trusted proxy appended the second.
      const response = await send(api('feedback', proxied), {
        headers: { 'X-Forwarded-For': '127.0.0.1, 203.0.113.9' },
      });
      expect([response.status, response.body.field]).toEqual([403, 'ADMIN_TOKEN']);
    });

    test('a read the proxy forwards from loopback is let through', async () => {
      const response = await send(api('feedback', proxied), {
        headers: { 'X-Forwarded-For': '203.0.113.9, 127.0.0.1' },
      });
      expect(response.status).toBe(200);
    });

    test.each(PROXY_HEADERS.filter(([name]) => name !== 'X-Forwarded-For'))(
      'a read with %s but no X-Forwarded-For to resolve answers 403 naming ADMIN_TOKEN',
      async (name, value) => {
        const response = await send(api('feedback', proxied), { headers: { [name]: value } });
        expect([response.status, response.body.field]).toEqual([403, 'ADMIN_TOKEN']);
      },
    );

    test('the rate limit counts each forwarded client apart', async () => {
      const post = (client: string) =>
        send(api('sentiment', proxied), {
          body: { conversation_id: unique('conv'), sentiment: 'positive' },
          headers: { 'X-Forwarded-For': client },
        });
      expect((await post('198.51.100.1')).status).toBe(201);
      expect((await post('198.51.100.2')).status).toBe(201);
      expect((await post('198.51.100.1')).status).toBe(429);
    });

    test('a same-origin POST through a TLS proxy passes the origin check', async () => {
      const response = await send(api('sentiment', proxied), {
        body: { conversation_id: unique('conv'), sentiment: 'positive' },
        headers: {
          Origin: 'https://votes.example.com',
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': 'votes.example.com',
          'X-Forwarded-For': '198.51.100.7',
        },
      });
      expect(response.status).toBe(201);
    });

    test('without TRUST_PROXY the forwarded headers are ignored', async () => {
      const direct = await storage.start({ allowedOrigins: [], rateLimit: 1 });
      try {
        const post = (headers: Record<string, string>) =>
          send(api('sentiment', direct), {
            body: { conversation_id: unique('conv'), sentiment: 'positive' },
            headers,
          });
        const tls = await post({
          Origin: 'https://votes.example.com',
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': 'votes.example.com',
        });
        expect(tls.status).toBe(403);
        expect((await post({ 'X-Forwarded-For': '198.51.100.1' })).status).toBe(201);
        expect((await post({ 'X-Forwarded-For': '198.51.100.2' })).status).toBe(429);
      } finally {
        await direct.close();
      }
    });
  });

  describe('the collector’s own origin', () => {
    test('a rebound name with a matching Host is not the collector’s own origin', async () => {
      const strict = await storage.start({ allowedOrigins: [] });
      try {
        const port = new URL(strict.url).port;
        const post = (origin: string) =>
          send(api('sentiment', strict), {
            body: { conversation_id: unique('conv'), sentiment: 'positive' },
            headers: { Origin: origin },
          });
        expect((await post(`http://evil.example:${port}`)).status).toBe(403);
        expect((await post(`http://127.0.0.1:${port}`)).status).toBe(201);
        expect((await post(`http://localhost:${port}`)).status).toBe(201);
      } finally {
        await strict.close();
      }
    });

    test('PUBLIC_URL is the own origin when set', async () => {
      const open = await storage.start({
        allowedOrigins: [],
        publicUrl: 'https://votes.example.com',
      });
      try {
        const response = await send(api('sentiment', open), {
          body: { conversation_id: unique('conv'), sentiment: 'positive' },
          headers: { Origin: 'https://votes.example.com' },
        });
        expect(response.status).toBe(201);
      } finally {
        await open.close();
      }
    });
  });

  test('reads have their own rate limit: a flood of reads leaves votes through', async () => {
    const limited = await storage.start({ readRateLimit: 2, rateLimit: 100 });
    try {
      const reads = await Promise.all(
        Array.from({ length: 4 }, () => send(api('feedback/stats', limited))),
      );
      expect(reads.map((read) => read.status).sort()).toEqual([200, 200, 429, 429]);
      const vote = await send(api('sentiment', limited), {
        body: { conversation_id: unique('conv'), sentiment: 'positive' },
      });
      expect(vote.status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  test('idempotency keys older than 8 days are pruned at start, however many', async () => {
    const options =
      backend === 'pglite'
        ? { dataDir: pgliteDataDir() }
        : ((await storage.options()) as { databaseUrl: string });
    const first = await storage.start(options);
    const body = { conversation_id: unique('conv'), sentiment: 'positive' };
    const fresh = crypto.randomUUID();
    const old = crypto.randomUUID();
    for (const id of [fresh, old]) {
      await send(api('sentiment', first), { body, headers: { 'Idempotency-Key': id } });
    }
    await first.close();
    const age = "UPDATE idempotency_keys SET created_at = now() - interval '9 days' WHERE key = $1";
    // More than one statement's batch of them, as a collector that kept no house for a while has.
    const backlog = `INSERT INTO idempotency_keys (key, status, body, created_at)
      SELECT 'aged-' || n, 201, '{}', now() - interval '9 days' FROM generate_series(1, 12000) AS n`;
    const count =
      "SELECT count(*)::int AS keys FROM idempotency_keys WHERE created_at < now() - interval '8 days'";
    let kept: () => Promise<number>;
    let done: () => Promise<void>;
    if ('dataDir' in options) {
      const db = await PGlite.create(options.dataDir);
      await db.query(age, [old]);
      await db.query(backlog);
      await db.close();
      // PGlite's directory belongs to the collector while it runs: counted once it stopped.
      kept = async () => Number.NaN;
      done = async () => {};
    } else {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      await client.query(age, [old]);
      await client.query(backlog);
      kept = async () => (await client.query<{ keys: number }>(count)).rows[0]?.keys ?? -1;
      done = () => client.end();
    }
    const second = await storage.start(options);
    try {
      // The round at start-up runs beside the first requests: wait for it.
      if (!('dataDir' in options)) await vi.waitFor(async () => expect(await kept()).toBe(0));
      const other = { ...body, sentiment: 'negative' };
      const reuse = async (id: string) =>
        (await send(api('sentiment', second), { body: other, headers: { 'Idempotency-Key': id } }))
          .status;
      expect(await reuse(fresh)).toBe(422);
      await vi.waitFor(async () => expect(await reuse(old)).toBe(201));
    } finally {
      await second.close();
      await done();
    }
    if ('dataDir' in options) {
      const db = await PGlite.create(options.dataDir);
      const [row] = (await db.query<{ keys: number }>(count)).rows;
      await db.close();
      expect(row?.keys).toBe(0);
    }
  });
});

describe('trust settings', () => {
  test.each([
    [{ FEEDBACK_SECRET: 'short' }, 'FEEDBACK_SECRET'],
    [{ FEEDBACK_SECRET: `${SECRET},` }, 'FEEDBACK_SECRET'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '11' }, 'TRUST_PROXY'],
    [{ PUBLIC_URL: 'votes.example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://votes.example.com/feedback' }, 'PUBLIC_URL'],
    [{ READ_RATE_LIMIT: '-1' }, 'READ_RATE_LIMIT'],
    [{ METRICS_TOKEN: 'shorter-than-32-characters' }, 'METRICS_TOKEN'],
    [{ ADMIN_TOKEN: `${ADMIN}-${ADMIN}`, METRICS_TOKEN: `${ADMIN}-${ADMIN}` }, 'METRICS_TOKEN'],
  ])('%o refuses to start, naming %s', (env, variable) => {
    expect(() => configFromEnv(env)).toThrow(CollectorConfigError);
    expect(() => configFromEnv(env)).toThrow(`\`${variable}\``);
  });

  test('several secrets, a proxy and a public URL are read', () => {
    const config = configFromEnv({
      FEEDBACK_SECRET: `${SECRET}, ${NEXT_SECRET}`,
      TRUST_PROXY: '2',
      PUBLIC_URL: 'https://votes.example.com/',
      ADMIN_TOKEN: ADMIN,
    });
    expect(config).toMatchObject({
      feedbackSecrets: [SECRET, NEXT_SECRET],
      trustProxy: 2,
      publicOrigin: 'https://votes.example.com',
      adminToken: ADMIN,
    });
  });
});

describe('feedback-widget/token', () => {
  test('signs for 7 days by default and verifies against a comma-separated list', async () => {
    const token = await signFeedbackToken({ message_id: 'm-1' }, SECRET);
    const claims = await verifyFeedbackToken(token, `${OTHER_SECRET},${SECRET}`);
    expect(claims.message_id).toBe('m-1');
    expect(claims.exp - (claims.iat as number)).toBe(7 * 86_400);
  });

  test.each([
    [() => signFeedbackToken({}, SECRET, { expiresIn: 'soon' }), '`expiresIn`'],
    [() => signFeedbackToken({ user_id: '' }, SECRET), '`user_id`'],
    [() => signFeedbackToken({ user_id: 7 as unknown as string }, SECRET), '`user_id`'],
    [() => signFeedbackToken({}, ''), '`secret`'],
    [() => signFeedbackToken({}, undefined as unknown as string), '`secret`'],
    [() => verifyFeedbackToken('a.b.c', undefined as unknown as string), '`secrets`'],
    [() => verifyFeedbackToken('a.b.c', []), '`secrets`'],
  ])('bad input is refused naming it (%#)', async (call, name) => {
    await expect(call()).rejects.toThrow(name);
  });

  test('an unset secret is refused naming it', async () => {
    const unset = process.env.FEEDBACK_WIDGET_UNSET_SECRET as string;
    await expect(signFeedbackToken({ message_id: 'm-1' }, unset)).rejects.toThrow(
      '`secret` must be a string, such as process.env.FEEDBACK_SECRET, or a list of them: got undefined.',
    );
  });

  test('a claim that is not a string is refused', async () => {
    const token = await new SignJWT({ user_id: 7 })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(key(SECRET));
    await expect(verifyFeedbackToken(token, SECRET)).rejects.toThrow('`user_id`');
  });
});
