import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { type AddressInfo, isIPv6, Server as NetServer, type Socket } from 'node:net';
import { getRequestListener, type HttpBindings, RequestError } from '@hono/node-server';
import { HttpError } from '../errors';
import type { Logger } from '../observe/logger';
import type { Metrics } from '../observe/metrics';
import { clientFailure } from './client-error';
import { requestIdOf } from './request-id';

/** What a Fetch handler learns of the connection besides the request. */
export interface FetchContext {
  /** The socket's remote address; absent when unknown, and then never loopback. */
  clientAddress?: string | undefined;
  /**
   * The id the server in front already gave the request, which the collector then answers and
   * logs it under (SPEC §14); its `X-Request-Id`, or a new id, when absent or not well-formed.
   */
  requestId?: string | undefined;
}

export type FetchHandler = (request: Request, context?: FetchContext) => Promise<Response>;

export interface NodeServerOptions {
  port: number;
  host: string;
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  maxConnections: number;
  /** Where requests refused before the app sees them (by Node's HTTP parser) are logged. */
  logger: Logger;
  /** Where they are counted, under the route `unmatched`. */
  metrics: Pick<Metrics, 'request'>;
}

export interface NodeServer {
  /** `http://HOST:PORT/` */
  url: string;
  port: number;
  /**
   * Stops accepting and answers every request in flight, and any that arrives on an open
   * connection meanwhile, with `Connection: close`. Idle keep-alive connections are left to
   * their clients to close for `shutdownGraceMs` (closing one under a request a client is
   * sending would reset it), then closed.
   */
  close(): Promise<void>;
}

interface Connection {
  requests: number;
  idleSince: number;
  /** The request last received on it, with its answer, until that answer is done. */
  current?: { request: IncomingMessage; response: ServerResponse } | undefined;
}

/** How long a keep-alive connection must have been idle before shutdown may close it. */
const IDLE_BEFORE_CLOSE_MS = 100;
/** File descriptors kept free of connections: the database, its files, logs, outgoing requests. */
const RESERVED_FDS = 128;

/**
 * The soft limit on open files, where Linux tells it. Past it `accept()` fails and the kernel's
 * queue is reset, so connections must stay below it however many a client opens.
 */
function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
    return soft === undefined ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const requestIds = new WeakMap<IncomingMessage, string>();

/** The id a request on Node's `http` is answered and logged under, the same wherever asked. */
function idOf(incoming: IncomingMessage): string {
  let id = requestIds.get(incoming);
  if (id === undefined) {
    const given = incoming.headers['x-request-id'];
    id = requestIdOf(typeof given === 'string' ? given : undefined);
    requestIds.set(incoming, id);
  }
  return id;
}

/** A refusal answered without the app, as the app answers one: JSON naming what was wrong. */
function refusalOf(refusal: HttpError, requestId: string) {
  const body = JSON.stringify({ error: refusal.message, field: refusal.field });
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    'X-Request-Id': requestId,
    'X-Content-Type-Options': 'nosniff',
    ...refusal.headers,
  };
  return { status: refusal.status, headers, body };
}

/** Where a request the app never saw (it was refused on its way in) is told. */
interface Witness {
  logger?: Logger | undefined;
  metrics?: Pick<Metrics, 'request'> | undefined;
}

/**
 * The one line of a request the app never saw, with the fields of every other (SPEC §14): the
 * method `unknown` when its request line could not be read, the route `unmatched`, as the app
 * says of a path it has no route for; and its observation in the request histogram.
 */
function recordRefusal(
  witness: Witness,
  requestId: string,
  status: number,
  details: { method: string | undefined; ms: number; code?: string | undefined },
): void {
  const method = details.method ?? 'unknown';
  const ms = Math.round(details.ms * 100) / 100;
  witness.logger?.info(
    { req_id: requestId, method, route: 'unmatched', status, ms, code: details.code },
    'request',
  );
  witness.metrics?.request(method, 'unmatched', status, ms / 1000);
}

/** The address and port a connection came in at, as a `Host` header names them. */
function localHost(socket: Socket): string | undefined {
  const { localAddress, localPort } = socket;
  if (localAddress === undefined || localPort === undefined) return undefined;
  return `${isIPv6(localAddress) ? `[${localAddress}]` : localAddress}:${localPort}`;
}

/**
 * Node keeps a request's first thousand or so headers (by default) and drops the rest without a
 * word: a proxy's among them when it writes its own after the client's (Caddy sorts them by
 * name), and the request would pass for loopback (SPEC §10). One that reaches the count is
 * refused.
 */
const MAX_HEADERS = 1000;

/**
 * How many headers a request may carry here: fewer than `MAX_HEADERS`, and fewer than the
 * server's own `maxHeadersCount` when the host server (`toNodeListener`) sets a lower one. Node
 * drops headers past that count in batches, so a request that reaches it may have lost some.
 */
function headerLimit(socket: Socket): number {
  const { server } = socket as Socket & { server?: { maxHeadersCount?: number | null } };
  const own = server?.maxHeadersCount;
  return typeof own === 'number' && own > 0 ? Math.min(own, MAX_HEADERS) : MAX_HEADERS;
}

/** A request no Fetch `Request` can be made of: without `Host`, or a target that is no URL. */
function unroutable(incoming: IncomingMessage): HttpError {
  return incoming.headers.host === undefined
    ? new HttpError(400, 'The request must carry `Host`.', 'Host')
    : new HttpError(400, 'The request target is not a valid URL.', 'url');
}

/**
 * A listener for Node's `http` that answers with `handler`. A body left unread (413, or refused
 * before reading) closes its connection, which would otherwise be drained in full. A request
 * that cannot reach `handler` is answered here, logged and with its `X-Request-Id`.
 */
function nodeListener(
  handler: FetchHandler,
  closing: () => boolean,
  ownProcess: boolean,
  witness: Witness,
) {
  const { logger } = witness;
  /** Requests the adapter made a Request of and handed to `handler`. */
  const handed = new WeakSet<IncomingMessage>();
  const listener = getRequestListener(
    async (request, bindings) => {
      const { incoming } = bindings as HttpBindings;
      handed.add(incoming);
      const response = await handler(request, {
        clientAddress: incoming.socket.remoteAddress,
        requestId: idOf(incoming),
      });
      if (closing() || (!incoming.complete && incoming.method !== 'GET')) {
        response.headers.set('Connection', 'close');
      }
      return response;
    },
    {
      // A request the adapter could make no Request of is left unanswered by it, for the
      // listener below to answer; `handler` failing (a `wrap` that throws) answers 500.
      errorHandler: (error) => {
        if (error instanceof RequestError) return;
        logger?.error({ err: error }, 'request failed');
        return Response.json(
          { error: 'The collector failed to handle this request.' },
          { status: 500 },
        );
      },
      // In a process of its own, the adapter's light Request and Response replace the global
      // ones: a Response that is only a string is then written without a web stream (half of
      // what a vote cost the collector in JavaScript). Inside someone else's server, the
      // globals are theirs and stay.
      overrideGlobalObjects: ownProcess,
    },
  );
  return async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const started = performance.now();
    const limit = headerLimit(incoming.socket);
    if (incoming.rawHeaders.length >= 2 * limit) {
      const refusal = new HttpError(
        431,
        `The request must carry fewer than ${limit} headers.`,
        'headers',
      );
      refuse(incoming, outgoing, refusal, witness, started);
      return;
    }
    if (incoming.headers.host === undefined) {
      // RFC 9112 §3.2: an HTTP/1.1 request without `Host` answers 400 (Node's own check would
      // answer it without a body).
      if (incoming.httpVersion === '1.1') {
        refuse(incoming, outgoing, unroutable(incoming), witness, started);
        return;
      }
      // HTTP/1.0 has no `Host` to send, and load balancers' health checks send none (HAProxy's
      // `option httpchk`): such a request is for the address it came in at.
      const host = localHost(incoming.socket);
      if (host !== undefined) incoming.headers.host = host;
    }
    await listener(incoming, outgoing);
    if (!handed.has(incoming)) refuse(incoming, outgoing, unroutable(incoming), witness, started);
  };
}

function refuse(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  refusal: HttpError,
  witness: Witness,
  started: number,
): void {
  const requestId = idOf(incoming);
  const { status, headers, body } = refusalOf(refusal, requestId);
  outgoing.writeHead(status, headers).end(body);
  recordRefusal(witness, requestId, status, {
    method: incoming.method,
    ms: performance.now() - started,
  });
}

/**
 * The collector inside a server of Node's `http`, or Express, as a `(request, response)`
 * listener. Express strips the path it mounts a handler at from `request.url`; it is put back
 * (`originalUrl`), so the collector's `basePath` matches what the browser asked for.
 *
 * @example
 * const collector = createCollector({ basePath: '/feedback' });
 * app.use('/feedback', toNodeListener(collector));
 */
export function toNodeListener(collector: {
  fetch: FetchHandler;
  logger?: Logger;
}): (request: IncomingMessage, response: ServerResponse) => void {
  const listener = nodeListener(collector.fetch, () => false, false, {
    logger: collector.logger,
  });
  return (request, response) => {
    const { originalUrl } = request as IncomingMessage & { originalUrl?: string };
    if (originalUrl !== undefined) request.url = originalUrl;
    void listener(request, response);
  };
}

/**
 * Serves `handler` on Node's `http`, with what a public server needs that Fetch cannot say:
 * connections capped below the open-file limit (the idlest keep-alive ones closed first, so a
 * flood of idle sockets never stops new requests), request timeouts, and a graceful shutdown.
 */
export async function serveNode(
  handler: FetchHandler,
  options: NodeServerOptions,
): Promise<NodeServer> {
  const connections = new Map<Socket, Connection>();
  const inFlight = new Set<Promise<void>>();
  const cap = Math.max(16, Math.min(options.maxConnections, openFileLimit() - RESERVED_FDS));
  let closing = false;

  const listener = nodeListener(handler, () => closing, true, options);
  const server = createServer({
    // Answered by the listener, in JSON like every other refusal.
    requireHostHeader: false,
    requestTimeout: options.requestTimeoutMs,
    headersTimeout: Math.min(60_000, options.requestTimeoutMs),
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, options.requestTimeoutMs / 4)),
  });

  /** Makes room under the cap by closing the connections idle the longest. */
  function shed(): void {
    const idle = [...connections]
      .filter(([, connection]) => connection.requests === 0)
      .sort(([, a], [, b]) => a.idleSince - b.idleSince);
    for (const [socket] of idle.slice(0, connections.size - cap + 1)) socket.destroy();
  }

  server.on('connection', (socket: Socket) => {
    if (connections.size >= cap) shed();
    connections.set(socket, { requests: 0, idleSince: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const connection = connections.get(request.socket);
    if (connection) {
      connection.requests++;
      connection.current = { request, response };
    }
    response.once('close', () => {
      if (!connection) return;
      connection.requests--;
      connection.idleSince = Date.now();
      if (connection.current?.response === response) connection.current = undefined;
    });
    const done = Promise.resolve(listener(request, response)).finally(() => inFlight.delete(done));
    inFlight.add(done);
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    answerClientError(error, socket, connections.get(socket), options);
  });

  await listenOn(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  // Node's server.close() would also drop idle keep-alive connections at once, resetting a
  // request a client is sending on one at that moment; only the listener is closed here.
  const close = async () => {
    closing = true;
    const graceEnds = Date.now() + options.shutdownGraceMs;
    // Connections already waiting in the kernel's accept queue are accepted in the next poll
    // phase and answered; closing the listener first would reset them.
    await new Promise((resolve) => setImmediate(resolve));
    const stopped = new Promise((resolve) => NetServer.prototype.close.call(server, resolve));
    const deadline = Date.now() + options.requestTimeoutMs + 1000;
    while (connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_BEFORE_CLOSE_MS / 2));
      // A timer can run before the I/O that piled up while the event loop was busy (PGlite
      // works synchronously): one turn through the poll phase reads every request sent so far.
      await new Promise((resolve) => setImmediate(resolve));
      for (const [socket, connection] of connections) {
        const idle = Date.now() - connection.idleSince >= IDLE_BEFORE_CLOSE_MS;
        if (connection.requests === 0 && idle && Date.now() >= graceEnds) socket.end();
      }
    }
    server.closeAllConnections();
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    await stopped;
  };
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () => {
      closed ??= close();
      return closed;
    },
  };
}

/** Sockets being sent the answer to what Node's parser refused: they close once it is written. */
const answering = new WeakSet<Socket>();

/**
 * Answers what Node's HTTP parser refused (a bad request line or header, a header section too
 * large, `REQUEST_TIMEOUT`, a client that stopped mid-body) in JSON, as the app answers, then
 * closes the connection. A request whose body was arriving fails in the app with the same error,
 * which logs it under the same id; any other refusal is logged here. Nothing is written before
 * an answer already under way, nor to a client that is gone.
 */
function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Socket,
  connection: Connection | undefined,
  witness: Witness,
): void {
  if (answering.has(socket)) return;
  const current = connection?.current;
  const receiving =
    current !== undefined && !current.request.complete && !current.response.headersSent;
  if (!socket.writable || error.code === 'ECONNRESET' || (current !== undefined && !receiving)) {
    socket.destroy(error);
    return;
  }
  const requestId = receiving ? idOf(current.request) : randomUUID();
  const { status, headers, body } = refusalOf(
    clientFailure(error, receiving ? 'body' : 'head'),
    requestId,
  );
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  answering.add(socket);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`, () =>
    (receiving ? current.request : socket).destroy(error),
  );
  if (receiving) return;
  // A head that could not be read does not say when it began: the time since its connection
  // opened or last fell idle stands for it (a REQUEST_TIMEOUT for headers that never came).
  recordRefusal(witness, requestId, status, {
    method: undefined,
    ms: connection === undefined ? 0 : Date.now() - connection.idleSince,
    code: error.code,
  });
}
