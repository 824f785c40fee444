import { createServer, type Server } from 'node:http';
import { type AddressInfo, Server as NetServer, type Socket } from 'node:net';
import { type CollectorOptions, resolveCollectorConfig } from './config';
import { createOriginPolicy } from './cors';
import { type Database, openDatabase } from './database';
import { loadForwarding } from './forward/forwarding';
import { pruneIdempotencyKeys } from './ingest';
import { migrate } from './migrate';
import { createRateLimit } from './rate-limit';
import { createRouter } from './routes';
import { createGate, handle } from './server';

export interface Collector {
  /** `http://HOST:PORT/` */
  url: string;
  /**
   * Stops accepting and answers every request in flight, and any that arrives on an open
   * connection meanwhile, with `Connection: close`. Idle keep-alive connections are left to
   * their clients to close for `shutdownGraceMs` (closing one under a request a client is
   * sending would reset it), then closed. Then the database is closed.
   */
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 3_600_000;

/** Reads the database serves at once: the rest wait, so a flood of reads leaves room for votes. */
const READ_CONCURRENCY = 2;

/** How long a keep-alive connection must have been idle before shutdown may close it. */
const IDLE_BEFORE_CLOSE_MS = 100;

interface Connection {
  requests: number;
  idleSince: number;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function openMigrated(config: Parameters<typeof openDatabase>[0]): Promise<Database> {
  const db = await openDatabase(config);
  try {
    await migrate(db);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * Starts the bundled collector: takes the port first (so a second collector on a taken port
 * fails before touching the database), then opens and migrates the database; requests that
 * arrive meanwhile wait for it.
 *
 * @example
 * const collector = await createCollector({ port: 0, dataDir: '/tmp/votes' });
 * await fetch(`${collector.url}api/feedback`);
 * await collector.close();
 */
export async function createCollector(options: CollectorOptions = {}): Promise<Collector> {
  const config = resolveCollectorConfig(options);
  const forwarding = loadForwarding(config, process.env);
  const inFlight = new Set<Promise<void>>();
  const connections = new Map<Socket, Connection>();
  let closing = false;
  let ready: (db: Database) => void = () => {};
  const opened = new Promise<Database>((resolve) => {
    ready = resolve;
  });
  const rateLimit = createRateLimit(config.rateLimit);
  const readRateLimit = createRateLimit(config.readRateLimit);
  const dispatch = {
    router: opened.then((db) => createRouter(db, config, forwarding)),
    originPolicy: createOriginPolicy(config.allowedOrigins, config, () => ({
      host: config.host,
      port: (server.address() as AddressInfo).port,
    })),
    rateLimit,
    readRateLimit,
    reads: createGate(READ_CONCURRENCY),
    config,
    closing: () => closing,
  };
  const server = createServer({
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: Math.min(60_000, config.requestTimeoutMs),
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, config.requestTimeoutMs / 4)),
  });
  server.on('connection', (socket) => {
    connections.set(socket, { requests: 0, idleSince: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (request, response) => {
    const connection = connections.get(request.socket);
    if (connection) connection.requests++;
    response.once('close', () => {
      if (!connection) return;
      connection.requests--;
      connection.idleSince = Date.now();
    });
    const done = handle(request, response, dispatch)
      .catch((error) => {
        console.error('Writing a response failed:', error);
        response.destroy();
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  await listen(server, config.port, config.host);
  let db: Database;
  try {
    db = await openMigrated(config);
  } catch (error) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  ready(db);
  const prune = () =>
    pruneIdempotencyKeys(db).catch((error) =>
      console.error('Pruning idempotency keys failed:', error),
    );
  await prune();
  const pruning = setInterval(prune, PRUNE_EVERY_MS);
  pruning.unref();
  forwarding.start(db);
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  // Node's server.close() would also drop idle keep-alive connections at once, resetting a
  // request a client is sending on one at that moment; only the listener is closed here.
  const close = async () => {
    closing = true;
    const graceEnds = Date.now() + config.shutdownGraceMs;
    // Connections already waiting in the kernel's accept queue are accepted in the next poll
    // phase and answered; closing the listener first would reset them.
    await new Promise((resolve) => setImmediate(resolve));
    const stopped = new Promise((resolve) => NetServer.prototype.close.call(server, resolve));
    const deadline = Date.now() + config.requestTimeoutMs + 1000;
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
    clearInterval(pruning);
    rateLimit.stop();
    readRateLimit.stop();
    await forwarding.stop();
    await db.close();
  };
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/`,
    close: () => {
      closed ??= close();
      return closed;
    },
  };
}
