import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { lateBound } from './hooks';
import { readBody, waitForRequests } from './recording-server';

/** A request the fake vendor received. */
export interface VendorRequest {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are JSON that tests compare with toEqual.
  body: any;
}

export interface VendorAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Checks one request the way a real API does; returns the problem, or undefined if it is fine. */
export type VendorCheck = (request: VendorRequest) => string | undefined;

export interface FakeVendor {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: VendorRequest[];
  /** Answers a request that passed its check; the default is 201 `{}`. */
  answer: (request: VendorRequest) => VendorAnswer | Promise<VendorAnswer>;
  /** Resolves once `count` requests arrived, or rejects after `ms`. */
  waitFor(count: number, ms?: number): Promise<VendorRequest[]>;
  /**
   * Resolves once no connection is open and no request is being read, so that every request a
   * client wrote before it died has been counted; rejects after `ms`.
   */
  idle(ms?: number): Promise<void>;
  /** Distinct Idempotency-Keys received. */
  keys(): Set<string>;
  close(): Promise<void>;
}

function isNumber(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && value >= min && value <= max;
}

function onlyFields(body: unknown, allowed: string[]): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
  const extra = Object.keys(body).filter((key) => !allowed.includes(key));
  return extra.length ? `unknown fields ${extra.join(', ')}` : undefined;
}

/**
 * Each seed API's and Langfuse's documented request shape and auth, keyed by path pattern.
 * The fake answers 401 to a wrong `Authorization` and 400 to a body the real API would refuse.
 */
export const VENDOR_APIS: { path: RegExp; auth: string; check: VendorCheck }[] = [
  {
    // The Assistants Feedbacks API: Basic auth, { session_id, score 0..1, text? }.
    path: /^\/v1\/Assistants\/[^/]+\/Feedbacks$/,
    auth: 'Basic QUNhY2NvdW50OnRva2Vu',
    check: ({ body }) =>
      onlyFields(body, ['session_id', 'score', 'text']) ??
      (typeof body.session_id !== 'string' ? 'session_id is required' : undefined) ??
      (isNumber(body.score, 0, 1) ? undefined : 'score must be 0..1'),
  },
  {
    // The conversation up/downvote API: Bearer key, { value 1..100 | -100..-1, reason? }.
    path: /^\/v1\/conversation\/[^/]+\/(upvote|downvote)$/,
    auth: 'Bearer bots-key',
    check: ({ path, body }) => {
      const up = path.endsWith('/upvote');
      const inRange = up ? isNumber(body.value, 1, 100) : isNumber(body.value, -100, -1);
      return onlyFields(body, ['value', 'reason']) ?? (inRange ? undefined : 'value out of range');
    },
  },
  {
    // submit_feedback(conversation_id, sentiment, comment ≤ 5000, metadata), with an API key.
    path: /^\/v1\/feedback$/,
    auth: 'Bearer sight-key',
    check: ({ body }) =>
      onlyFields(body, ['conversation_id', 'sentiment', 'comment', 'metadata']) ??
      (['positive', 'neutral', 'negative'].includes(body.sentiment)
        ? undefined
        : 'sentiment must be positive, neutral or negative'),
  },
  {
    // MessageFeedback: original_message_id, customer_responded, quality_score 0..100, ….
    path: /^\/v1\/messages\/feedback$/,
    auth: 'Bearer apala-key',
    check: ({ body }) =>
      onlyFields(body, [
        'original_message_id',
        'sent_message_content',
        'customer_responded',
        'quality_score',
        'time_to_respond_ms',
      ]) ??
      (typeof body.original_message_id === 'string' && body.customer_responded === true
        ? undefined
        : 'original_message_id and customer_responded are required') ??
      (isNumber(body.quality_score, 0, 100) ? undefined : 'quality_score must be 0..100'),
  },
  {
    // Langfuse's POST /api/public/scores: Basic public:secret key, a numeric score on a trace.
    path: /^\/api\/public\/scores$/,
    auth: 'Basic cGstbGY6c2stbGY=',
    check: ({ body }) =>
      onlyFields(body, ['id', 'traceId', 'name', 'value', 'dataType', 'comment']) ??
      (typeof body.traceId === 'string' && typeof body.name === 'string'
        ? undefined
        : 'traceId and name are required') ??
      (body.dataType === 'NUMERIC' && typeof body.value === 'number'
        ? undefined
        : 'a NUMERIC score needs a number value'),
  },
  {
    // Another feedback-widget collector, taking the `event` format.
    path: /^\/api\/feedback$/,
    auth: 'Bearer event-key',
    check: ({ body }) => (typeof body.id === 'string' ? undefined : 'id is required'),
  },
];

/** The environment the destination files of the tests take their secrets from. */
export const VENDOR_ENV = {
  ASSISTANTS_BASIC_AUTH: 'QUNhY2NvdW50OnRva2Vu',
  BOTS_API_KEY: 'bots-key',
  SIGHT_API_KEY: 'sight-key',
  APALA_API_KEY: 'apala-key',
  LANGFUSE_BASIC_AUTH: 'cGstbGY6c2stbGY=',
  EVENT_API_KEY: 'event-key',
};

/** A local HTTP server that speaks like the vendor APIs, checking auth and bodies. */
export async function startFakeVendor(): Promise<FakeVendor> {
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let reading = 0;
  const idlers = new Set<() => void>();
  const settle = () => {
    if (sockets.size === 0 && reading === 0) for (const idle of idlers) idle();
  };
  const server = createServer(async (request, response) => {
    reading++;
    request.on('close', () => {
      reading--;
      settle();
    });
    const body = await readBody(request);
    const received = { at: Date.now(), path: request.url ?? '/', headers: request.headers, body };
    vendor.requests.push(received);
    for (const wake of waiters) wake();
    const api = VENDOR_APIS.find((candidate) => candidate.path.test(received.path));
    const refusal = api === undefined ? 'no such API' : api.check(received);
    const answer =
      api === undefined
        ? { status: 404, body: JSON.stringify({ error: refusal }) }
        : request.headers.authorization !== api.auth
          ? { status: 401, body: '{"error":"bad credentials"}' }
          : refusal !== undefined
            ? { status: 400, body: JSON.stringify({ error: refusal }) }
            : await vendor.answer(received);
    if (response.destroyed) return;
    response.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
    response.end(answer.body ?? '');
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      settle();
    });
  });
  server.unref();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const vendor: FakeVendor = {
    origin: `http://127.0.0.1:${port}`,
    requests: [],
    answer: () => ({ status: 201, body: '{}' }),
    waitFor: (count, ms = 60_000) => waitForRequests(vendor.requests, waiters, count, ms),
    idle: (ms = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          idlers.delete(done);
          reject(
            new Error(
              `still open after ${ms} ms: ${sockets.size} connections, ${reading} requests`,
            ),
          );
        }, ms);
        const done = () => {
          clearTimeout(timer);
          idlers.delete(done);
          resolve();
        };
        idlers.add(done);
        settle();
      }),
    keys: () =>
      new Set(vendor.requests.map((request) => String(request.headers['idempotency-key']))),
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return vendor;
}

/**
 * A fake vendor for the tests of the enclosing `describe`: started before them, closed after.
 * With `env`, `VENDOR_ENV` is put into `process.env` for the collectors that take their secrets
 * from there; with `fresh`, each test finds no request recorded and the default answer.
 */
export function useFakeVendor(options: { env?: boolean; fresh?: boolean } = {}): FakeVendor {
  let vendor: FakeVendor | undefined;
  beforeAll(async () => {
    if (options.env) Object.assign(process.env, VENDOR_ENV);
    vendor = await startFakeVendor();
  });
  afterAll(async () => {
    await vendor?.close();
  });
  if (options.fresh) {
    beforeEach(() => {
      if (!vendor) return;
      vendor.requests.length = 0;
      vendor.answer = () => ({ status: 201, body: '{}' });
    });
  }
  return lateBound('useFakeVendor()', () => vendor);
}
