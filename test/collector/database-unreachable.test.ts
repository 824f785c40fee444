import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CreateCollectorOptions } from '../../collector/src/collector';
import { createCollector } from '../../collector/src/index';
import { type Collector, listenCollector, send } from '../helpers/collector';
import { eventBody, forwardFile } from '../helpers/forward';
import { startTestDatabase, type TestDatabase } from '../helpers/postgres';

/** A TCP proxy to a PostgreSQL server, which can stop passing bytes while keeping every socket. */
interface FreezingProxy {
  /** `url` with the proxy's port in place of the server's. */
  url: string;
  /** Passes nothing on, and accepts connections without answering: a network gone silent. */
  freeze(): void;
  /** Passes on what waited, and connects what was accepted meanwhile. */
  thaw(): void;
  close(): Promise<void>;
}

async function startFreezingProxy(url: string): Promise<FreezingProxy> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  const waiting = new Set<Socket>();
  let frozen = false;
  const relay = (client: Socket) => {
    const server = connect(Number(target.port), target.hostname);
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => to.write(chunk));
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => {});
    }
  };
  const proxy = createServer((client) => {
    if (!frozen) return relay(client);
    client.pause();
    waiting.add(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(url);
  proxied.port = String((proxy.address() as AddressInfo).port);
  return {
    url: proxied.href,
    freeze() {
      frozen = true;
      for (const socket of sockets) socket.pause();
    },
    thaw() {
      frozen = false;
      for (const socket of sockets) socket.resume();
      for (const client of waiting) {
        relay(client);
        client.resume();
      }
      waiting.clear();
    },
    async close() {
      for (const socket of [...sockets, ...waiting]) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

/**
 * A collector on a throwaway PostgreSQL reached through a freezing proxy, for the tests of one
 * `describe`; `options` gets the proxy's URL.
 */
function behindFreezingProxy(options: (url: string) => CreateCollectorOptions) {
  const parts = {} as { proxy: FreezingProxy; collector: Collector };
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await startTestDatabase();
    parts.proxy = await startFreezingProxy(database.url);
    parts.collector = await listenCollector(options(parts.proxy.url));
  });
  afterAll(async () => {
    parts.proxy?.thaw();
    await parts.collector?.close();
    await parts.proxy?.close();
    await database?.stop();
  });
  return parts;
}

/** `url` with node-postgres's `query_timeout` (ms) set. */
function withQueryTimeout(url: string, ms: number): string {
  const withTimeout = new URL(url);
  withTimeout.searchParams.set('query_timeout', String(ms));
  return withTimeout.href;
}

describe('a PostgreSQL that stops answering', { timeout: 60_000 }, () => {
  // node-postgres reads `query_timeout` (ms) from the URL; 2 s instead of 5.
  const s = behindFreezingProxy((url) => ({
    databaseUrl: withQueryTimeout(url, 2000),
    rateLimit: 0,
    readRateLimit: 0,
    shutdownGraceMs: 0,
  }));

  test('requests answer an error within seconds, more of them than the pool has connections, and all is well once it answers again', async () => {
    const stored = await send(`${s.collector.url}api/feedback`, { body: eventBody('before') });
    expect(stored.status).toBe(201);
    s.proxy.freeze();
    const started = performance.now();
    // Some wait on the pool's open connections (the query timeout), the rest on new ones and
    // on their turn in the pool (the connection timeout, 5 s).
    const [ready, ...answers] = await Promise.all([
      send(`${s.collector.url}readyz`),
      ...Array.from({ length: 20 }, (_, index) =>
        send(`${s.collector.url}api/feedback`, { body: eventBody(`frozen-${index}`) }),
      ),
    ]);
    expect(performance.now() - started).toBeLessThan(15_000);
    // Unavailable for now, not a failure of the collector: each says to try again shortly.
    expect(
      answers.filter(
        (answer) => answer.status !== 503 || answer.headers.get('retry-after') !== '5',
      ),
    ).toEqual([]);
    expect(answers[0]?.body).toEqual({ error: 'The database is unavailable; try again shortly.' });
    expect([ready.status, ready.body.status]).toEqual([503, 'unavailable']);

    s.proxy.thaw();
    const after = await send(`${s.collector.url}api/feedback`, { body: eventBody('after') });
    expect(after.status).toBe(201);
    expect((await send(`${s.collector.url}readyz`)).status).toBe(200);
    const list = await send(`${s.collector.url}api/feedback?conversation_id=conv-after`);
    expect(list.body.total).toBe(1);
  });
});

describe('a PostgreSQL that stops answering, with no query_timeout in DATABASE_URL', {
  timeout: 60_000,
}, () => {
  const s = behindFreezingProxy((url) => ({ databaseUrl: url, rateLimit: 0, shutdownGraceMs: 0 }));

  test('a vote is answered 503 well within the widget’s 10 s', async () => {
    // The pool's connections are open: the vote's statement is sent, and never answered.
    const warm = await send(`${s.collector.url}api/feedback`, { body: eventBody('warm') });
    expect(warm.status).toBe(201);
    s.proxy.freeze();
    const started = performance.now();
    const answer = await send(`${s.collector.url}api/feedback`, { body: eventBody('unanswered') });
    expect(answer.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(7_000);
  });
});

describe('/metrics while PostgreSQL stops answering', { timeout: 60_000 }, () => {
  // Statements wait 10 s for their answer here: the team's reads hold the read gate meanwhile.
  const s = behindFreezingProxy((url) => ({
    databaseUrl: withQueryTimeout(url, 10_000),
    forwardFile: forwardFile({
      destinations: [{ name: 'nowhere', format: 'event', url: 'http://127.0.0.1:1/votes' }],
    }),
    rateLimit: 0,
    readRateLimit: 0,
    shutdownGraceMs: 0,
    requestTimeout: 1,
  }));
  const scrape = async () => {
    const started = performance.now();
    const answer = await fetch(`${s.collector.url}metrics`);
    return { status: answer.status, text: await answer.text(), ms: performance.now() - started };
  };

  test('answers in about 2 s with what the process counts, feedback_database_up 0 and no outbox, whatever reads wait', async () => {
    expect(
      (await send(`${s.collector.url}api/feedback`, { body: eventBody('silent') })).status,
    ).toBe(201);
    const before = await scrape();
    expect(before.text).toMatch(/^feedback_database_up 1$/m);
    expect(before.text).toMatch(
      /^feedback_deliveries\{destination="nowhere",status="pending"\} 1$/m,
    );

    s.proxy.freeze();
    const reads = [1, 2].map(() => send(`${s.collector.url}api/feedback`));
    const during = await scrape();
    expect(during.status).toBe(200);
    expect(during.ms).toBeLessThan(3_000);
    expect(during.text).toMatch(/^feedback_database_up 0$/m);
    expect(during.text).toMatch(/^feedback_votes_total\{format="event",outcome="stored"\} 1$/m);
    expect(during.text).not.toMatch(/^feedback_deliveries\{/m);
    expect(during.text).not.toMatch(/^feedback_delivery_oldest_pending_seconds\{/m);

    s.proxy.thaw();
    await Promise.all(reads);
    await expect
      .poll(async () => (await scrape()).text, { timeout: 10_000 })
      .toMatch(/^feedback_database_up 1$/m);
  });
});

test('a collector mounted with fetch whose PostgreSQL is out of reach at its first request answers a vote 503, not 500', async () => {
  // A port nothing listens on: taken, then given back.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const collector = createCollector({
    databaseUrl: `postgres://feedback:secret@127.0.0.1:${port}/feedback`,
    logDestination: { write() {} },
  });
  try {
    const answer = await collector.fetch(
      new Request('http://collector.test/api/feedback', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(eventBody('unreachable-1')),
      }),
    );
    expect(answer.status).toBe(503);
  } finally {
    await collector.close();
  }
});
