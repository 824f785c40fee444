import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import { signFeedbackToken } from '../../collector/src/token';
import {
  type Backend,
  BIN,
  type Collector,
  messages,
  minimalEvent,
  openStorage,
  pgliteDataDir,
  send,
  startCollector,
  useCollector,
} from '../helpers/collector';
import { startFakeVendor } from '../helpers/fake-vendor';
import { eventBody, forwardFile, secret, waitForCounts } from '../helpers/forward';
import { startTestDatabase } from '../helpers/postgres';

const ADMIN = 'admin-token-0123456789';
const SECRET = 'operations-secret-0123456789-abcdef';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are JSON that tests compare with toEqual.
  body: any;
}

/**
 * Sends raw bytes (then, with `halfClose`, ends its side of the connection) and resolves with the
 * answer once the collector closes the connection.
 */
function rawExchange(url: string, text: string, halfClose = false): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(text);
      if (halfClose) socket.end();
    });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    // A client still sending when it is refused may see its connection reset after the answer.
    socket.on('error', () => {});
    socket.on('close', () => {
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 2),
        ]),
      );
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: body && JSON.parse(body),
      });
    });
  });
}

/** The JSON lines `collector` logged for the request of `id`. */
const linesOf = (collector: Pick<Collector, 'logs'>, id: string) =>
  collector
    .logs()
    .map((text) => JSON.parse(text))
    .filter((entry) => entry.req_id === id);

const POST_HEAD =
  'POST /api/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n';

describe.each<Backend>(['pglite', 'postgres'])('observing the collector on %s', (backend) => {
  const collector = useCollector(backend);
  const { storage } = collector;

  test('/healthz and /readyz answer once the database is migrated', async () => {
    expect(await send(`${collector.url}healthz`)).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
    expect(await send(`${collector.url}readyz`)).toMatchObject({
      status: 200,
      body: { status: 'ready' },
    });
  });

  test('close() answers /readyz 503 at once, and serves as before for shutdownDelay', async () => {
    // Long enough for both requests to arrive while another PGlite in this process works.
    const closing = await storage.start({ shutdownDelay: 3 });
    const closed = closing.close();
    const ready = await send(`${closing.url}readyz`);
    expect([ready.status, ready.body]).toEqual([
      503,
      { status: 'unavailable', error: 'The collector is shutting down.' },
    ]);
    const vote = await send(`${closing.url}api/feedback`, {
      body: eventBody(`closing-${backend}`),
    });
    expect(vote.status).toBe(201);
    await closed;
  });

  test('a /readyz still waiting for the database when close() begins answers that it is shutting down', async () => {
    const closing = createCollector({
      ...(await storage.options()),
      shutdownGraceMs: 0,
      logDestination: { write: () => {} },
    });
    // The first request opens the database; the probe waits for it, as a load balancer's does
    // for a database that is slow to answer when the SIGTERM comes.
    const ready = closing.fetch(new Request('http://127.0.0.1/readyz'));
    const closed = closing.close();
    const answer = await ready;
    expect([answer.status, await answer.json()]).toEqual([
      503,
      { status: 'unavailable', error: 'The collector is shutting down.' },
    ]);
    await closed;
  });

  test('/metrics counts votes by format and outcome, and times routes by their pattern', async () => {
    const vote = minimalEvent('metrics-1');
    const headers = { 'Idempotency-Key': 'metrics-key-1' };
    expect((await send(`${collector.url}api/feedback`, { body: vote, headers })).status).toBe(201);
    expect((await send(`${collector.url}api/feedback`, { body: vote, headers })).status).toBe(201);
    const refused = await send(`${collector.url}api/feedback`, { body: { rating: 'up' } });
    expect(refused.status).toBe(400);
    // Refused before the vote's own handler runs: counted too.
    const foreign = await send(`${collector.url}api/sentiment`, {
      body: { conversation_id: 'c-metrics', sentiment: 'positive' },
      headers: { Origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect((await send(`${collector.url}api/feedback/metrics-1`)).status).toBe(200);

    const response = await fetch(`${collector.url}metrics`);
    const text = await response.text();

    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('feedback_votes_total{format="event",outcome="stored"} 1');
    expect(text).toContain('feedback_votes_total{format="event",outcome="duplicate"} 1');
    expect(text).toContain('feedback_votes_total{format="event",outcome="rejected"} 1');
    expect(text).toContain('feedback_votes_total{format="sentiment",outcome="rejected"} 1');
    expect(text).toMatch(
      /feedback_http_request_duration_seconds_count\{method="GET",route="\/api\/feedback\/:id",status="200"\} 1/,
    );
    expect(text).not.toContain('metrics-1');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  test('a method the collector answers no route with is timed as `other`, so no client adds series', async () => {
    for (const method of ['PROPFIND', 'PURGE', 'MKCOL']) {
      expect((await fetch(`${collector.url}healthz`, { method })).status).toBe(405);
    }
    const text = await (await fetch(`${collector.url}metrics`)).text();
    expect(text).toMatch(/_count\{method="other",route="\/healthz",status="405"\} 3$/m);
    expect(text).not.toMatch(/method="(PROPFIND|PURGE|MKCOL)"/);
  });

  test('X-Request-Id is echoed when well-formed and generated otherwise', async () => {
    const given = await fetch(`${collector.url}healthz`, {
      headers: { 'X-Request-Id': 'lb-1234.abc_def' },
    });
    expect(given.headers.get('x-request-id')).toBe('lb-1234.abc_def');
    for (const bad of ['has space', 'x'.repeat(65), 'quote"d']) {
      const answer = await fetch(`${collector.url}healthz`, { headers: { 'X-Request-Id': bad } });
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  test('each request is one JSON log line with its id, route pattern, status and time', async () => {
    await fetch(`${collector.url}api/feedback/no-such-id`, {
      headers: { 'X-Request-Id': 'req-7' },
    });
    const line = collector
      .logs()
      .map((text) => JSON.parse(text))
      .find((entry) => entry.req_id === 'req-7');
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'GET',
      route: '/api/feedback/:id',
      status: 404,
    });
    expect(typeof line.ms).toBe('number');
    expect(Date.parse(line.time)).not.toBeNaN();
  });

  test.each([
    [
      'a request target no URL can be made of',
      'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n',
      400,
      'url',
    ],
    ['a method that is no HTTP token', 'FOO BAR / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'method'],
    ['an HTTP/1.1 request without Host', 'GET /healthz HTTP/1.1\r\n\r\n', 400, 'Host'],
    [
      'a Content-Length that is no number',
      `${POST_HEAD}Content-Length: abc\r\n\r\n`,
      400,
      'Content-Length',
    ],
    [
      'a Content-Length given twice',
      `${POST_HEAD}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      400,
      'Content-Length',
    ],
    [
      'Content-Length beside Transfer-Encoding',
      `${POST_HEAD}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      400,
      'Transfer-Encoding',
    ],
    [
      'headers over 16 KiB',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'headers',
    ],
  ])(
    '%s answers %i in JSON naming %s, with an X-Request-Id that its log line carries',
    async (_, text, status, field) => {
      const answer = await rawExchange(collector.url, text);
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({ error: expect.any(String), field });
      expect(answer.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        connection: 'close',
        'x-content-type-options': 'nosniff',
      });
      const id = answer.headers['x-request-id'] as string;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(linesOf(collector, id)).toEqual([
        expect.objectContaining({
          level: 'info',
          msg: 'request',
          method: expect.any(String),
          route: 'unmatched',
          status,
          ms: expect.any(Number),
        }),
      ]);
      const metrics = await (await fetch(`${collector.url}metrics`)).text();
      expect(metrics).toMatch(
        new RegExp(
          `_count\\{method="(GET|POST|other)",route="unmatched",status="${status}"\\} [1-9]`,
        ),
      );
    },
  );

  test.each(['/healthz', '/readyz'])(
    'an HTTP/1.0 request without Host (a load balancer’s health check) is answered on %s',
    async (path) => {
      const answer = await rawExchange(collector.url, `GET ${path} HTTP/1.0\r\n\r\n`);
      expect([answer.status, answer.body]).toEqual([
        200,
        { status: path === '/healthz' ? 'ok' : 'ready' },
      ]);
    },
  );

  test('a client that stops sending its body is refused 400, logged at info and counted as a 400', async () => {
    const text = `${POST_HEAD}X-Request-Id: cut-${backend}\r\nContent-Length: 100\r\n\r\n{"id":`;
    const answer = await rawExchange(collector.url, text, true);
    expect([answer.status, answer.body.field]).toEqual([400, 'body']);
    expect(answer.headers['x-request-id']).toBe(`cut-${backend}`);
    await expect
      .poll(() => linesOf(collector, `cut-${backend}`))
      .toEqual([expect.objectContaining({ level: 'info', route: '/api/feedback', status: 400 })]);
    const metrics = await (await fetch(`${collector.url}metrics`)).text();
    expect(metrics).toMatch(/_count\{method="POST",route="\/api\/feedback",status="400"\} \d/);
    expect(metrics).not.toContain('status="500"');
    expect(collector.logs().join('\n')).not.toContain('"level":"error"');
  });

  test('a client that resets its connection mid-body is logged as a 400, not an error', async () => {
    const { hostname, port } = new URL(collector.url);
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `${POST_HEAD}X-Request-Id: reset-${backend}\r\nContent-Length: 100\r\n\r\n{"id":`,
      );
      setTimeout(() => socket.resetAndDestroy(), 50);
    });
    socket.on('error', () => {});
    await expect
      .poll(() => linesOf(collector, `reset-${backend}`))
      .toEqual([expect.objectContaining({ level: 'info', route: '/api/feedback', status: 400 })]);
    expect(collector.logs().join('\n')).not.toContain('"level":"error"');
  });

  describe('with REQUEST_TIMEOUT=1', () => {
    let slow: Collector;
    beforeAll(async () => {
      slow = await storage.start({ requestTimeout: 1 });
    });
    afterAll(() => slow.close());

    test('a body that does not arrive in time answers 408 naming body, logged under its id', async () => {
      const text = `${POST_HEAD}X-Request-Id: late-body\r\nContent-Length: 100\r\n\r\n{"id":`;
      const answer = await rawExchange(slow.url, text);
      expect([answer.status, answer.body.field]).toEqual([408, 'body']);
      expect(answer.headers['x-request-id']).toBe('late-body');
      await expect
        .poll(() => linesOf(slow, 'late-body'))
        .toEqual([expect.objectContaining({ level: 'info', route: '/api/feedback', status: 408 })]);
    });

    test('headers that do not arrive in time answer 408 naming headers', async () => {
      const answer = await rawExchange(slow.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
      expect([answer.status, answer.body.field]).toEqual([408, 'headers']);
      expect(linesOf(slow, answer.headers['x-request-id'] as string)).toHaveLength(1);
    });
  });
});

/** The value of the sample `series` (its name and labels, as written) in a /metrics answer. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each<Backend>(['pglite', 'postgres'])('the outbox in /metrics on %s', (backend) => {
  // Nothing listens on port 1: each delivery stays pending, to be tried again later.
  const file = forwardFile({
    destinations: [{ name: 'nowhere', format: 'event', url: 'http://127.0.0.1:1/votes' }],
  });
  const collector = useCollector(backend, { start: { forwardFile: file } });
  const { storage } = collector;
  const scrape = async () => (await fetch(`${collector.url}metrics`)).text();

  test('each scrape reports the outbox as it is, the first one after a start included', async () => {
    expect(
      (await send(`${collector.url}api/feedback`, { body: eventBody('outbox-1') })).status,
    ).toBe(201);
    const first = await scrape();
    expect(sample(first, 'feedback_deliveries{destination="nowhere",status="pending"}')).toBe(1);
    expect(sample(first, 'feedback_deliveries{destination="nowhere",status="delivered"}')).toBe(0);
    expect(sample(first, 'feedback_deliveries{destination="nowhere",status="failed"}')).toBe(0);
    expect(
      sample(first, 'feedback_delivery_oldest_pending_seconds{destination="nowhere"}'),
    ).toBeGreaterThan(0);
    expect(sample(first, 'feedback_database_up')).toBe(1);

    expect(
      (await send(`${collector.url}api/feedback`, { body: eventBody('outbox-2') })).status,
    ).toBe(201);
    const second = await scrape();
    expect(sample(second, 'feedback_deliveries{destination="nowhere",status="pending"}')).toBe(2);
  });

  test('delivered and failed are counted again once their count is a minute old, pending at every scrape', async () => {
    const vendor = await startFakeVendor();
    vendor.answer = () => ({ status: 400, body: '{}' });
    let time = Date.now();
    const refusing = await storage.start({
      forwardFile: forwardFile({
        destinations: [{ name: 'refusing', format: 'event', url: `${vendor.origin}/refuse` }],
      }),
      clock: () => new Date(time),
    });
    const series = (status: string) =>
      `feedback_deliveries{destination="refusing",status="${status}"}`;
    const scrapeRefusing = async () => (await fetch(`${refusing.url}metrics`)).text();
    try {
      expect(sample(await scrapeRefusing(), series('failed'))).toBe(0);
      const vote = await send(`${refusing.url}api/feedback`, { body: eventBody('refused-1') });
      expect(vote.status).toBe(201);
      await waitForCounts(refusing.url, [{ destination: 'refusing', pending: 0, failed: 1 }]);
      const reused = await scrapeRefusing();
      expect([sample(reused, series('pending')), sample(reused, series('failed'))]).toEqual([0, 0]);
      time += 60_000;
      expect(sample(await scrapeRefusing(), series('failed'))).toBe(1);
    } finally {
      await refusing.close();
      await vendor.close();
    }
  });
});

describe('health without a database', () => {
  test('/healthz answers 200 and /readyz 503 naming the cause, never the password', async () => {
    const collector = createCollector({
      databaseUrl: 'postgres://feedback:hunter2-password@127.0.0.1:1/feedback',
      logDestination: { write: () => {} },
    });
    try {
      const health = await collector.fetch(new Request('http://collector.test/healthz'));
      expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
      const ready = await collector.fetch(new Request('http://collector.test/readyz'));
      const body = await ready.json();
      expect(ready.status).toBe(503);
      expect(body.status).toBe('unavailable');
      expect(body.error).toContain('ECONNREFUSED');
      expect(JSON.stringify(body)).not.toContain('hunter2');
    } finally {
      await collector.close();
    }
  });

  test('/readyz while the database opens for the first time answers 503 saying it is still starting', async () => {
    // A PostgreSQL that lets the collector in (AuthenticationOk, ReadyForQuery) and never answers
    // its first query: the database stays opening until the test lets go, as a fresh PGlite
    // directory does while it is made. Its query_timeout, 60 s, is far past /readyz's 5 s.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => {
        socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const collector = createCollector({
      databaseUrl: `postgres://feedback:secret@127.0.0.1:${port}/feedback?query_timeout=60000`,
      logDestination: { write: () => {} },
    });
    try {
      const ready = await collector.fetch(new Request('http://collector.test/readyz'));
      expect([ready.status, await ready.json()]).toEqual([
        503,
        { status: 'unavailable', error: 'The database is still starting: not open yet after 5 s.' },
      ]);
      expect(sockets.size).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await collector.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('/metrics answers 200 with what the process counts, feedback_database_up 0 and no outbox', async () => {
    const collector = createCollector({
      databaseUrl: 'postgres://feedback:hunter2-password@127.0.0.1:1/feedback',
      adminToken: ADMIN,
      forwardFile: forwardFile({
        destinations: [{ name: 'nowhere', format: 'event', url: 'http://127.0.0.1:1/votes' }],
      }),
      logDestination: { write: () => {} },
    });
    try {
      const foreign = await collector.fetch(
        new Request('http://collector.test/api/feedback', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' },
          body: JSON.stringify(eventBody('no-database')),
        }),
      );
      expect(foreign.status).toBe(403);
      expect((await collector.fetch(new Request('http://collector.test/healthz'))).status).toBe(
        200,
      );
      const answer = await collector.fetch(
        new Request('http://collector.test/metrics', {
          headers: { Authorization: `Bearer ${ADMIN}` },
        }),
      );
      const text = await answer.text();
      expect(answer.status).toBe(200);
      expect(sample(text, 'feedback_database_up')).toBe(0);
      expect(sample(text, 'feedback_votes_total{format="event",outcome="rejected"}')).toBe(1);
      expect(text).toMatch(/_count\{method="GET",route="\/healthz",status="200"\} 1/);
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).not.toMatch(/^feedback_deliveries\{/m);
      expect(text).not.toMatch(/^feedback_delivery_oldest_pending_seconds\{/m);
      expect(text).not.toContain('hunter2');
    } finally {
      await collector.close();
    }
  });

  test('a vote the database could not take is no rejected vote: it is sent again later', async () => {
    const collector = createCollector({
      databaseUrl: 'postgres://feedback:hunter2-password@127.0.0.1:1/feedback',
      logDestination: { write: () => {} },
    });
    try {
      const vote = await collector.fetch(
        new Request('http://collector.test/api/sentiment', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ conversation_id: 'c-no-database', sentiment: 'positive' }),
        }),
      );
      expect(vote.status).toBeGreaterThanOrEqual(500);
      const text = await (
        await collector.fetch(new Request('http://127.0.0.1/metrics'), {
          clientAddress: '127.0.0.1',
        })
      ).text();
      expect(text).toMatch(
        new RegExp(`_count\\{method="POST",route="/api/sentiment",status="${vote.status}"\\} 1`),
      );
      expect(text).not.toContain('feedback_votes_total{format="sentiment"');
    } finally {
      await collector.close();
    }
  });
});

describe('roles', () => {
  test('PGlite takes the role all only, and says so naming role', () => {
    expect(() => createCollector({ role: 'web' })).toThrow('`role` web needs databaseUrl');
    expect(() => createCollector({ role: 'forwarder' })).toThrow('`role`');
  });

  test('an unknown role is refused, naming role', () => {
    expect(() => createCollector({ role: 'worker' as never })).toThrow(
      '`role` must be one of all, web, forwarder',
    );
  });
  test('a ROLE=forwarder process lowers its CPU priority by 10, so web processes beside it go first', async () => {
    const database = await startTestDatabase();
    /** The nice value of a running process, from /proc (the 19th field of its stat line). */
    const niceness = (pid: number | undefined) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const started = [];
    try {
      const env = { DATABASE_URL: database.url };
      const web = await startCollector({ env: { ...env, ROLE: 'web' } });
      started.push(web);
      const forwarder = await startCollector({ env: { ...env, ROLE: 'forwarder' } });
      started.push(forwarder);
      expect(niceness(web.process.pid)).toBe(getPriority());
      expect(niceness(forwarder.process.pid)).toBe(Math.min(19, getPriority() + 10));
    } finally {
      for (const child of started) await child.stop();
      await database.stop();
    }
  }, 60_000);

  test('a ROLE=forwarder says at start-up what it serves, not votes or an inbox it does not take', async () => {
    const database = await startTestDatabase();
    const started = [];
    try {
      const env = { DATABASE_URL: database.url, ROLE: 'forwarder' };
      const open = await startCollector({ env });
      started.push(open);
      const guarded = await startCollector({ env: { ...env, ADMIN_TOKEN: ADMIN } });
      started.push(guarded);
      const said = (collector: { output(): string }) =>
        messages(collector.output()).filter((line) => !line.startsWith('feedback-widget'));
      for (const collector of started) {
        // The lines after the first one arrive a moment later; the retention line is the last.
        await expect.poll(() => collector.output()).toContain('RETENTION');
      }
      const served = `Forwarding deliveries and alerts; serving ${open.origin}/healthz, ${open.origin}/readyz and ${open.origin}/metrics only.`;
      expect(said(open)).toEqual([
        served,
        'Storing votes in PostgreSQL (DATABASE_URL), role forwarder.',
        'Its metrics answer this machine only: set METRICS_TOKEN or ADMIN_TOKEN to scrape them from elsewhere.',
        'Votes are forwarded nowhere: set FORWARD_FILE to send them to Langfuse or your own API.',
        'Records are kept for good: set RETENTION (such as 365d) to delete older ones.',
      ]);
      expect(said(guarded)).toContain('Its metrics need ADMIN_TOKEN.');
      expect(said(guarded).join('\n')).not.toMatch(/FEEDBACK_SECRET|inbox|[Vv]otes are open/);
    } finally {
      for (const child of started) await child.stop();
      await database.stop();
    }
  }, 60_000);
});

describe('what the logs never hold', () => {
  test('no secret, token, Authorization header, comment or message text in any line', async () => {
    const vendor = await startFakeVendor();
    // The vendor refuses for good, echoing what it was sent, headers included.
    vendor.answer = (request) => ({ status: 422, body: JSON.stringify(request) });
    const storage = await openStorage('pglite');
    const file = forwardFile({
      destinations: [
        {
          name: 'echo',
          format: 'event',
          url: `${vendor.origin}/api/feedback`,
          headers: { Authorization: `Bearer ${secret('EVENT_API_KEY')}` },
        },
      ],
    });
    const collector = await storage.start({
      adminToken: ADMIN,
      feedbackSecret: SECRET,
      forwardFile: file,
      env: { EVENT_API_KEY: 'event-key' },
      logLevel: 'debug',
    });
    const comment = 'my-private-comment-text';
    const content = 'the-rated-message-text';
    try {
      const token = await signFeedbackToken({ conversation_id: 'conv-logs' }, SECRET);
      const vote = minimalEvent('logs-1', {
        conversation_id: 'conv-logs',
        comment,
        message_content: content,
      });
      const headers = { Authorization: `Bearer ${token}` };
      expect((await send(`${collector.url}api/feedback`, { body: vote, headers })).status).toBe(
        201,
      );
      const forged = `${token.slice(0, -4)}AAAA`;
      await send(`${collector.url}api/feedback`, {
        body: vote,
        headers: { Authorization: `Bearer ${forged}` },
      });
      await send(`${collector.url}api/feedback`, {
        body: { ...vote, comment: `${comment}\u0000` },
        headers,
      });
      const admin = { Authorization: `Bearer ${ADMIN}` };
      await send(`${collector.url}api/feedback/logs-1`, { headers: admin });
      await send(`${collector.url}api/feedback`, { headers: { Authorization: 'Bearer wrong' } });
      await fetch(`${collector.url}metrics`, { headers: admin });
      await vendor.waitFor(1);
      await expect
        .poll(() => collector.logs().some((line) => line.includes('delivery failed')), {
          timeout: 10_000,
        })
        .toBe(true);
    } finally {
      await collector.close();
      await storage.stop();
      await vendor.close();
    }
    const lines = collector.logs();
    expect(lines.length).toBeGreaterThanOrEqual(7);
    for (const line of lines) {
      for (const kept of [SECRET, ADMIN, 'event-key', 'Bearer', comment, content, 'eyJ']) {
        expect(line).not.toContain(kept);
      }
    }
  });
});

describe('a flood of idle connections', () => {
  test('2,000 idle keep-alive sockets under `ulimit -n 1024` leave room for a new GET', async () => {
    const child = spawn('sh', ['-c', `ulimit -n 1024 && exec "${process.execPath}" "${BIN}"`], {
      env: { ...process.env, PORT: '0', DATA_DIR: pgliteDataDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const sockets: Socket[] = [];
    try {
      await expect.poll(() => output, { timeout: 60_000 }).toMatch(/collector: http/);
      const origin = /collector: (http:\/\/[^\s"]+)\//.exec(output)?.[1] as string;
      const { port } = new URL(origin);
      const answered = await Promise.all(
        Array.from(
          { length: 2000 },
          () =>
            new Promise<boolean>((resolve) => {
              const socket = connect(Number(port), '127.0.0.1', () =>
                socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
              );
              sockets.push(socket);
              socket.once('data', () => resolve(true));
              socket.once('error', () => resolve(false));
              socket.once('close', () => resolve(false));
            }),
        ),
      );
      const health = await fetch(`${origin}/healthz`);
      expect(health.status).toBe(200);
      // Each socket was answered, or closed because it sat idle while the cap was reached.
      expect(answered.filter(Boolean).length).toBeGreaterThan(800);
      expect(messages(output).join('\n')).not.toContain('EMFILE');
    } finally {
      for (const socket of sockets) socket.destroy();
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});
