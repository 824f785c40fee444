import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WAIT_MS } from './wait';

/** A request the server received, as a backend would see it. */
export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface RecordingServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Every POST received, in order. */
  requests: Recorded[];
  /** Decides the answer to each POST; the default answers 201 `{"id":"…"}`. */
  reply: (request: Recorded) => Reply | Promise<Reply>;
  /** Serves `body` at `path` for GET, e.g. an HTML page with its own headers. */
  page(path: string, body: string, headers?: Record<string, string>): void;
  /** Resolves once `count` POSTs have arrived (or rejects after `ms`, `WAIT_MS` by default). */
  waitFor(count: number, ms?: number): Promise<Recorded[]>;
  /**
   * Resolves once every POST received was answered and none arrived for 100 ms: for a page
   * that is gone, whose requests were all sent before it went and so arrive within that.
   */
  quiet(): Promise<void>;
  close(): Promise<void>;
}

const DIST = new URL('../../dist/feedback-widget.js', import.meta.url);

/**
 * A real HTTP server on 127.0.0.1 that records POSTs and serves pages and the built script
 * (`/feedback-widget.js`). It does not keep the process alive, so it stops by itself.
 */
export async function startRecordingServer(): Promise<RecordingServer> {
  const pages = new Map<string, { body: string; headers: Record<string, string> }>();
  const waiters = new Set<() => void>();
  let answering = 0;
  // The monotonic clock: a test that set a fake Date an hour ahead must not make quiet() wait
  // an hour once the real one is back.
  let lastArrival = 0;
  const server = createServer(async (request, response) => {
    const path = request.url ?? '/';
    const cors = {
      'Access-Control-Allow-Origin': request.headers.origin ?? '*',
      'Access-Control-Allow-Headers': 'Content-Type, Idempotency-Key, Authorization',
      'Access-Control-Allow-Credentials': 'true',
    };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors).end();
      return;
    }
    if (request.method === 'GET') {
      if (path.split('?')[0] === '/feedback-widget.js') {
        response.writeHead(200, { 'Content-Type': 'text/javascript' });
        response.end(readFileSync(DIST));
        return;
      }
      const page = pages.get(path.split('?')[0] as string);
      if (!page) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...page.headers });
      response.end(page.body);
      return;
    }
    answering += 1;
    lastArrival = performance.now();
    response.on('close', () => {
      answering -= 1;
    });
    const body = await readBody(request);
    const recorded = { method: request.method ?? '', path, headers: request.headers, body };
    recording.requests.push(recorded);
    for (const wake of waiters) wake();
    const answer = await recording.reply(recorded);
    response.writeHead(answer.status, {
      'Content-Type': 'application/json',
      ...cors,
      ...answer.headers,
    });
    response.end(answer.body ?? '');
  });
  server.unref();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const recording: RecordingServer = {
    origin: `http://127.0.0.1:${port}`,
    requests: [],
    reply: () => ({ status: 201, body: JSON.stringify({ id: String(recording.requests.length) }) }),
    page(path, body, headers = {}) {
      pages.set(path, { body, headers });
    },
    waitFor: (count, ms = WAIT_MS) => waitForRequests(recording.requests, waiters, count, ms),
    async quiet() {
      const QUIET_MS = 100;
      while (answering > 0 || performance.now() - lastArrival < QUIET_MS) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return recording;
}

/**
 * Resolves with the body of `request` once it has all arrived: parsed if it is JSON, else the
 * text. It never settles for a request cut off before its end, which then goes unanswered.
 */
export function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(text);
      }
    });
  });
}

/**
 * Resolves with `requests` once it holds `count`, checked now and at each `waiters` wake-up
 * (the server calls them as requests arrive); rejects after `ms`.
 */
export function waitForRequests<T>(
  requests: T[],
  waiters: Set<() => void>,
  count: number,
  ms: number,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (requests.length < count) return;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(requests);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`expected ${count} requests, got ${requests.length}`));
    }, ms);
    waiters.add(check);
    check();
  });
}
