import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, Server as NetServer, type Socket } from 'node:net';
import { getRequestListener, type HttpBindings } from '@hono/node-server';

/** What a Fetch handler learns of the connection besides the request. */
export interface FetchContext {
  /** The socket's remote address; absent when unknown, and then never loopback. */
  clientAddress?: string | undefined;
}

export type FetchHandler = (request: Request, context?: FetchContext) => Promise<Response>;

export interface NodeServerOptions {
  port: number;
  host: string;
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  maxConnections: number;
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

/** A request target no URL can be made of (`http://[`) answers 400, not silence. */
function badTarget(): Response {
  return Response.json(
    { error: 'The request target is not a valid URL.', field: 'url' },
    { status: 400, headers: { Connection: 'close' } },
  );
}

/**
 * A listener for Node's `http` that answers with `handler`. A body left unread (413, or refused
 * before reading) closes its connection, which would otherwise be drained in full.
 */
function nodeListener(handler: FetchHandler, closing: () => boolean, ownProcess: boolean) {
  return getRequestListener(
    async (request, bindings) => {
      const { incoming } = bindings as HttpBindings;
      const response = await handler(request, { clientAddress: incoming.socket.remoteAddress });
      if (closing() || (!incoming.complete && incoming.method !== 'GET')) {
        response.headers.set('Connection', 'close');
      }
      return response;
    },
    // In a process of its own, the adapter's light Request and Response replace the global
    // ones: a Response that is only a string is then written without a web stream (half of
    // what a vote cost the collector in JavaScript). Inside someone else's server, the globals
    // are theirs and stay.
    { errorHandler: badTarget, overrideGlobalObjects: ownProcess },
  );
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
}): (request: IncomingMessage, response: ServerResponse) => void {
  const listener = nodeListener(collector.fetch, () => false, false);
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

  const listener = nodeListener(handler, () => closing, true);
  const server = createServer({
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
  server.on('request', (request: IncomingMessage, response) => {
    const connection = connections.get(request.socket);
    if (connection) connection.requests++;
    response.once('close', () => {
      if (!connection) return;
      connection.requests--;
      connection.idleSince = Date.now();
    });
    const done = Promise.resolve(listener(request, response)).finally(() => inFlight.delete(done));
    inFlight.add(done);
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
