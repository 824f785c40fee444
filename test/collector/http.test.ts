import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import type { Collector } from '../helpers/collector';
import { type Backend, pgliteDataDir, send, useCollector } from '../helpers/collector';

const SENTIMENT = { conversation_id: 'conv-http', sentiment: 'positive' };

/** Streams `size` bytes of a JSON string without Content-Length, as chunked encoding does. */
function postChunked(url: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.write('{"comment":"');
    for (let sent = 0; sent < size; sent += 8192) request.write('x'.repeat(8192));
    request.end('"}');
  });
}

describe.each<Backend>(['pglite', 'postgres'])('HTTP on %s', (backend) => {
  const collector = useCollector(backend);
  const api = (path: string) => `${collector.url}api/${path}`;

  test('an unknown route answers 404 with a JSON error', async () => {
    const response = await send(api('nothing-here'));
    expect(response.status).toBe(404);
    expect(response.body.error).toContain('/api/nothing-here');
  });

  test('GET on a POST-only route answers 405 with Allow', async () => {
    const response = await send(api('sentiment'));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
  });

  test('POST on the stats route answers 405 with Allow', async () => {
    const response = await send(api('feedback/stats'), { body: {} });
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
  });

  test('a body that is not application/json answers 415 naming Content-Type', async () => {
    const response = await send(api('sentiment'), {
      body: JSON.stringify(SENTIMENT),
      headers: { 'Content-Type': 'text/plain' },
    });
    expect([response.status, response.body.field]).toEqual([415, 'Content-Type']);
  });

  test('JSON with a charset parameter is accepted', async () => {
    const response = await send(api('sentiment'), {
      body: SENTIMENT,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect(response.status).toBe(201);
  });

  test('a body in a Content-Encoding other than identity answers 415 naming it and stores nothing', async () => {
    const conversation = `conv-gzip-${backend}`;
    const response = await send(api('sentiment'), {
      body: { ...SENTIMENT, conversation_id: conversation },
      headers: { 'Content-Encoding': 'gzip' },
    });
    expect([response.status, response.body.field]).toEqual([415, 'Content-Encoding']);
    expect(response.headers.get('accept-encoding')).toBe('identity');
    expect((await send(api(`feedback?conversation_id=${conversation}`))).body.total).toBe(0);
  });

  test.each([
    ['conversation_id=%ZZ', 'conversation_id'],
    ['q=%FF', 'q'],
    ['limit=1&q=caf%C3', 'q'],
    ['%ZZ=1', 'query'],
  ])(
    'a query parameter that is not percent-encoded UTF-8 (?%s) answers 400 naming %s',
    async (query, field) => {
      const response = await send(api(`feedback?${query}`));
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: expect.stringContaining(`\`${field}\``), field });
    },
  );

  test('a query parameter percent-encoded as UTF-8, with + for a space, is read as sent', async () => {
    const conversation = `conv ${backend} é`;
    await send(api('sentiment'), { body: { ...SENTIMENT, conversation_id: conversation } });
    const encoded = encodeURIComponent(conversation).replaceAll('%20', '+');
    expect((await send(api(`feedback?conversation_id=${encoded}`))).body.total).toBe(1);
  });

  test.each([
    ['GET', 'bulk', 'POST, OPTIONS'],
    ['PATCH', 'stats', 'GET, HEAD, OPTIONS'],
    ['PATCH', 'bulk', 'POST, OPTIONS'],
    ['DELETE', 'export', 'GET, HEAD, OPTIONS'],
    ['PATCH', 'attention', 'GET, HEAD, OPTIONS'],
  ])(
    '%s /api/feedback/%s answers 405 with Allow, not as the record of that id',
    async (method, name, allow) => {
      const response = await send(api(`feedback/${name}`), {
        method,
        ...(method === 'PATCH' ? { body: { status: 'spam' } } : {}),
      });
      expect([response.status, response.headers.get('allow')]).toEqual([405, allow]);
      expect(response.body.error).toContain(method);
    },
  );

  test('a body over 128 KiB answers 413', async () => {
    const response = await send(api('sentiment'), {
      body: { ...SENTIMENT, comment: 'x'.repeat(128 * 1024) },
    });
    expect(response.status).toBe(413);
  });

  test('a chunked body within 128 KiB is read like any other', async () => {
    // The body is JSON without the sentiment's fields: 400 naming one, not a failure to read it.
    expect(await postChunked(api('sentiment'), 1024)).toBe(400);
  });

  test('a chunked body that grows past 128 KiB answers 413', async () => {
    expect(await postChunked(api('sentiment'), 1024 * 1024)).toBe(413);
  });

  test('the collector keeps answering after a body over the limit', async () => {
    await send(api('sentiment'), { body: { ...SENTIMENT, comment: 'x'.repeat(70_000) } });
    expect((await send(api('feedback/stats'))).status).toBe(200);
  });

  describe('CORS', () => {
    const origin = 'http://localhost:5173';

    test('an allowed origin gets its origin back in Access-Control-Allow-Origin', async () => {
      const response = await send(api('sentiment'), {
        body: SENTIMENT,
        headers: { Origin: origin },
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-expose-headers')).toBe(
        'Retry-After, X-Request-Id',
      );
    });

    test('a vote may carry the page’s cookies (data-credentials), the preflight says so too', async () => {
      const vote = await send(api('sentiment'), { body: SENTIMENT, headers: { Origin: origin } });
      const preflight = await fetch(api('feedback'), {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
      expect([
        vote.headers.get('access-control-allow-credentials'),
        preflight.headers.get('access-control-allow-credentials'),
      ]).toEqual(['true', 'true']);
    });

    test('without ADMIN_TOKEN no other origin may read the team’s routes, an allowed one included', async () => {
      // A person at this machine reads them, not its pages (a dev server on localhost).
      const read = await send(api('feedback/stats'), { headers: { Origin: origin } });
      const preflight = await fetch(api('feedback'), {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
      });
      expect(read.status).toBe(200);
      expect([read, preflight].map((r) => r.headers.get('access-control-allow-origin'))).toEqual([
        null,
        null,
      ]);
    });

    test('with ADMIN_TOKEN an allowed origin reads with the token, never with a browser’s credentials', async () => {
      // Without Access-Control-Allow-Credentials a browser refuses the answer to a request that
      // carried cookies or the inbox's cached HTTP Basic sign-in; a token the page sends works.
      const adminToken = 'a-long-enough-admin-token-4567';
      const guarded = await collector.storage.start({ adminToken });
      try {
        const url = (path: string) => `${guarded.url}api/${path}`;
        const read = await send(url('feedback/stats'), {
          headers: { Origin: origin, Authorization: `Bearer ${adminToken}` },
        });
        const preflights = await Promise.all(
          ['GET', 'DELETE'].map((method) =>
            fetch(url('feedback'), {
              method: 'OPTIONS',
              headers: { Origin: origin, 'Access-Control-Request-Method': method },
            }),
          ),
        );
        expect(read.status).toBe(200);
        expect(read.headers.get('access-control-allow-origin')).toBe(origin);
        expect(read.headers.get('cache-control')).toBe('no-store');
        expect(
          [read, ...preflights].map((r) => r.headers.get('access-control-allow-credentials')),
        ).toEqual([null, null, null]);
      } finally {
        await guarded.close();
      }
    });

    test('a preflight from an allowed origin answers 204 with methods and headers', async () => {
      const response = await fetch(api('feedback'), {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type, idempotency-key',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe(
        'Content-Type, Idempotency-Key, Authorization, X-Request-Id',
      );
    });

    test('a disallowed origin gets 403, no Access-Control-Allow-Origin, and nothing stored', async () => {
      const conversation = `conv-evil-${backend}`;
      const response = await send(api('sentiment'), {
        body: { ...SENTIMENT, conversation_id: conversation },
        headers: { Origin: 'https://evil.example' },
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const list = await send(api(`feedback?conversation_id=${conversation}`));
      expect(list.body.total).toBe(0);
    });

    test('a preflight from a disallowed origin answers 403', async () => {
      const response = await fetch(api('feedback'), {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    test('the collector own origin is always allowed', async () => {
      const own = collector.url.replace(/\/$/, '');
      const response = await send(api('sentiment'), { body: SENTIMENT, headers: { Origin: own } });
      expect(response.status).toBe(201);
      expect(response.headers.get('access-control-allow-origin')).toBe(own);
    });
  });

  describe('a collector with ALLOWED_ORIGINS and RATE_LIMIT set', () => {
    let strict: Collector;

    beforeAll(async () => {
      strict = await collector.storage.start({
        rateLimit: 2,
        allowedOrigins: ['https://shop.example', 'https://*.docs.example/'],
      });
    });

    afterAll(() => strict?.close());

    test('a listed origin is allowed and localhost no longer is', async () => {
      const headers = (origin: string) => ({ headers: { Origin: origin } });
      const listed = await send(`${strict.url}api/feedback/stats`, headers('https://shop.example'));
      const local = await send(`${strict.url}api/feedback/stats`, headers('http://localhost:3000'));
      expect([listed.status, local.status]).toEqual([200, 403]);
    });

    test('a * in a listed origin stands for any characters of the host', async () => {
      const statuses = [];
      for (const origin of [
        'https://help.docs.example',
        'https://eu.help.docs.example',
        'https://docs.example',
        'https://help.docs.example.evil.example',
        'http://help.docs.example',
      ]) {
        const headers = { Origin: origin };
        statuses.push((await send(`${strict.url}api/feedback/stats`, { headers })).status);
      }
      expect(statuses).toEqual([200, 200, 403, 403, 403]);
    });

    test('the POST over the limit answers 429 with Retry-After in seconds', async () => {
      const url = `${strict.url}api/sentiment`;
      const statuses = [];
      let last: Awaited<ReturnType<typeof send>> | undefined;
      for (let i = 0; i < 3; i++) {
        last = await send(url, { body: SENTIMENT });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([201, 201, 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await send(`${strict.url}api/feedback/stats`)).status).toBe(200);
    });
  });

  describe('static files', () => {
    test('the built widget is served as JavaScript', async () => {
      const response = await fetch(`${collector.url}feedback-widget.js`);
      expect(response.headers.get('content-type')).toContain('text/javascript');
      expect(await response.text()).toBe(
        await readFile(new URL('../../dist/feedback-widget.js', import.meta.url), 'utf8'),
      );
    });

    test('the inbox is served with the Content-Security-Policy and nosniff', async () => {
      const response = await fetch(`${collector.url}dashboard`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
      );
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });

    test('a missing inbox file answers 404 naming it, not a build to run', async () => {
      const response = await fetch(`${collector.url}inbox/missing-file.js`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: string }).error).toBe(
        '`missing-file.js` is not a file here.',
      );
    });

    test('a path climbing out of the inbox folder answers 404', async () => {
      expect((await fetch(`${collector.url}inbox/%2e%2e%2fpackage.json`)).status).toBe(404);
      expect((await fetch(`${collector.url}inbox/..%2f..%2fpackage.json`)).status).toBe(404);
    });

    test('POST on a page answers 405', async () => {
      const response = await fetch(`${collector.url}feedback-widget.js`, { method: 'POST' });
      expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
    });
  });
});

describe('under a basePath', () => {
  test.each([
    ['', '/dashboard'],
    ['/feedback', '/feedback/dashboard'],
  ])('under "%s" the root and /dashboard/ lead to the inbox at %s', async (basePath, inbox) => {
    const dataDir = pgliteDataDir();
    const collector = createCollector({ dataDir, basePath, logDestination: { write() {} } });
    try {
      for (const path of [
        ...new Set([basePath || '/', `${basePath}/`]),
        `${basePath}/dashboard/`,
      ]) {
        const answer = await collector.fetch(new Request(`http://collector.test${path}`));
        expect([path, answer.status, answer.headers.get('location')]).toEqual([path, 302, inbox]);
      }
    } finally {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a request outside it is observed like any other: X-Request-Id, nosniff, a JSON 404 and a log line', async () => {
    const lines: string[] = [];
    const dataDir = pgliteDataDir();
    const collector = createCollector({
      dataDir,
      basePath: '/feedback',
      logDestination: { write: (line) => lines.push(line) },
    });
    try {
      const inside = await collector.fetch(new Request('http://collector.test/feedback/healthz'));
      const outside = await collector.fetch(
        new Request('http://collector.test/api/feedback', { headers: { 'X-Request-Id': 'out-1' } }),
      );
      expect(inside.status).toBe(200);
      expect(outside.status).toBe(404);
      expect(await outside.json()).toEqual({
        error: 'No route answers `/api/feedback`.',
        field: 'path',
      });
      expect(outside.headers.get('x-request-id')).toBe('out-1');
      expect(outside.headers.get('x-content-type-options')).toBe('nosniff');
      const line = lines.map((text) => JSON.parse(text)).find((entry) => entry.req_id === 'out-1');
      expect(line).toMatchObject({
        msg: 'request',
        method: 'GET',
        route: 'unmatched',
        status: 404,
      });
    } finally {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('ALLOWED_ORIGINS', () => {
  test.each([
    '*',
    'help.example.com',
    'https://help.example.com/articles',
    'https://',
    'https://a b',
  ])('%s, which no Origin would match, stops the collector naming it', (origin) => {
    expect(() => createCollector({ allowedOrigins: `https://shop.example,${origin}` })).toThrow(
      `\`allowedOrigins\` must be comma-separated origins, each a scheme and host with an optional port, such as https://help.example.com or http://localhost:* (no path; * stands for any characters of the host or any port): "${origin}"`,
    );
  });
});
