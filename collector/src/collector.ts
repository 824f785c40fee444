import { createApp } from './app';
import {
  CollectorConfigError,
  type CollectorOptions,
  type Naming,
  OPTION_KINDS,
  resolveCollectorConfig,
} from './config';
import { loadForwarding } from './forward/forwarding';
import { type FetchContext, type FetchHandler, type NodeServer, serveNode } from './http/node';
import { createOriginPolicy } from './http/origin';
import { AUTH_FAILURES_PER_MINUTE } from './http/pipeline';
import { createRateLimit } from './http/rate-limit';
import { requestIdOf } from './http/request-id';
import { createLogger, type LogDestination, type Logger } from './observe/logger';
import { createMetrics } from './observe/metrics';
import { checkOptions, type OptionKind } from './options';
import { type Housekeeping, startHousekeeping } from './privacy/housekeeping';
import { loadVoterKey, pseudonyms } from './privacy/voter';
import { type Database, openDatabase } from './storage/database';
import { migrate } from './storage/migrate';

export interface CreateCollectorOptions extends CollectorOptions {
  /** Where log lines go, one JSON text per call; standard output by default. */
  logDestination?: LogDestination;
  /**
   * Whether standard output is a terminal (text logs by default); the bin says.
   * @internal
   */
  interactive?: boolean;
  /**
   * The variables `forwardFile`'s `${NAME}` refers to; `process.env` by default. The bin
   * passes the environment it was started with.
   * @internal
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Whose names a refusal uses: the options' (`forwardFile`), by default, or the environment
   * variables' (`FORWARD_FILE`), which the bin was configured by.
   * @internal
   */
  naming?: Naming;
  /**
   * The handler `listen()` serves, given the collector: to answer routes of its own on the
   * collector's port and hand it the rest (the repository's demo adds its pages this way).
   * @internal
   */
  wrap?: (collector: Collector) => FetchHandler;
  /**
   * The collector's clock: when votes are received, changes made, windows end. Tests move it
   * instead of waiting; the system clock by default.
   * @internal
   */
  clock?: () => Date;
}

/** How each option is written, for `checkOptions`. */
const KINDS = {
  ...OPTION_KINDS,
  logDestination: 'log destination',
  interactive: 'boolean',
  env: 'variables',
  naming: 'naming',
  wrap: 'function',
  clock: 'function',
} satisfies Record<keyof CreateCollectorOptions, OptionKind>;

/** A collector: a Fetch handler, and a server of its own when asked for one. */
export interface Collector {
  /**
   * Answers any route of the collector from a standard `Request`. `clientAddress` drives rate
   * limits, the vote window and the loopback rule; without it the request is not loopback.
   * Once the collector is closed, it answers 503.
   */
  fetch(request: Request, context?: FetchContext): Promise<Response>;
  /**
   * Listens on Node's `http` (the options' `port` and `host` by default), then opens and
   * migrates the database; requests that arrive meanwhile wait for it. A taken port fails
   * before the database is touched. One server per collector: a second `listen()`, or one after
   * `close()`, throws.
   */
  listen(address?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /**
   * Answers `/readyz` 503 from then on, serves as before for `shutdownDelay` (0 by default),
   * then stops taking connections, finishes the requests in flight, its server's and `fetch()`
   * calls alike (for `REQUEST_TIMEOUT` and a second at most), stops forwarding and closes the
   * database.
   */
  close(): Promise<void>;
  readonly logger: Logger;
}

/** The database could not be opened or migrated when the collector started listening. */
export class DatabaseOpenError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'DatabaseOpenError';
  }
}

/**
 * How long past `REQUEST_TIMEOUT` close() waits for the requests in flight, as the server gives
 * its own (http/node.ts): a request that takes longer is not coming to an end.
 */
const FINISH_MARGIN_MS = 1_000;

async function openMigrated(config: Parameters<typeof openDatabase>[0]): Promise<Database> {
  const db = await openDatabase(config);
  try {
    await migrate(db);
    return db;
  } catch (error) {
    await db.close();
    if (!config.databaseUrl) throw error;
    // Loaded already, as it opened the database; PGlite alone never loads it.
    const { migrationRefused } = await import('./storage/postgres');
    throw migrationRefused(config.databaseUrl, error) ?? error;
  }
}

/** Resolves once every one of `pending` has settled, or at `deadline`; says which came first. */
async function settled(pending: Promise<unknown>[], deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([Promise.allSettled(pending).then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds a collector from the same settings as the environment. Nothing is opened
 * until the first request or `listen()`; an unknown option, or a bad one, or a bad
 * `forwardFile` throws a `CollectorConfigError` at once, naming it.
 *
 * @example
 * const collector = createCollector({ databaseUrl: process.env.DATABASE_URL, basePath: '/feedback' });
 * export const POST = (request: Request) => collector.fetch(request);
 */
export function createCollector(options: CreateCollectorOptions = {}): Collector {
  checkOptions(options, KINDS);
  const naming = options.naming ?? 'options';
  const config = resolveCollectorConfig(options, options.interactive ?? false, naming);
  const logger = createLogger(config, options.logDestination);
  const forwarding = loadForwarding(config, options.env ?? process.env, naming);
  const rateLimit = createRateLimit(config.rateLimit);
  const readRateLimit = createRateLimit(config.readRateLimit);
  const authFailures = createRateLimit(AUTH_FAILURES_PER_MINUTE);
  let serving: Promise<NodeServer> | undefined;
  let listening: { host: string; port: number } | undefined;
  const now = options.clock ?? (() => new Date());
  let housekeeping: Housekeeping | undefined;
  let pseudonymOf: ((address: string) => string) | undefined;
  let opening: Promise<Database> | undefined;
  /** Set as close() begins: from then on `/readyz` says the collector is going away. */
  let draining = false;
  /** Set once the requests in flight are done: from then on, nothing opens the database. */
  let stopping = false;
  /** Set once the database has opened: until then `/readyz` says it is still starting. */
  let opened = false;

  async function start(): Promise<Database> {
    const db = await openMigrated(config);
    try {
      pseudonymOf = pseudonyms(await loadVoterKey(db));
    } catch (error) {
      await db.close();
      throw error;
    }
    if (stopping) {
      await db.close();
      throw new Error('The collector was closed while its database opened.');
    }
    housekeeping = startHousekeeping(db, config, logger, now);
    if (config.role !== 'web') forwarding.start(db, logger);
    opened = true;
    return db;
  }
  /** Opens once; a failed attempt is forgotten, so the next request tries again. */
  const database = () => {
    opening ??= start().catch((error) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };

  const metrics = createMetrics(database, forwarding.names, () => now().getTime());
  const originPolicy = createOriginPolicy(config.allowedOrigins, config, () => listening);
  const app = createApp({
    config,
    logger,
    metrics,
    originPolicy,
    rateLimit,
    readRateLimit,
    authFailures,
    database,
    forwarding,
    now,
    pseudonym: async (address) => {
      await database();
      return (pseudonymOf as (address: string) => string)(address);
    },
    draining: () => draining,
    opened: () => opened,
  });

  const inFlight = new Set<Promise<Response>>();
  /** Answers with the app, keeping count of what is in flight for close() to wait for. */
  const answer = (request: Request, context: FetchContext): Promise<Response> => {
    const answered = Promise.resolve(app.fetch(request, context));
    inFlight.add(answered);
    const done = () => inFlight.delete(answered);
    answered.then(done, done);
    return answered;
  };
  /** What a request gets once the collector is closed: 503, logged and counted like any other. */
  const closedAnswer = (request: Request, context: FetchContext): Response => {
    const requestId = requestIdOf(context.requestId ?? request.headers.get('x-request-id'));
    logger.info(
      { req_id: requestId, method: request.method, route: 'unmatched', status: 503, ms: 0 },
      'request',
    );
    metrics.request(request.method, 'unmatched', 503, 0);
    return Response.json(
      { error: 'The collector is closed.' },
      { status: 503, headers: { 'X-Request-Id': requestId, 'X-Content-Type-Options': 'nosniff' } },
    );
  };
  const fetch = async (request: Request, context: FetchContext = {}) =>
    stopping ? closedAnswer(request, context) : answer(request, context);

  let closed: Promise<void> | undefined;
  const collector: Collector = {
    fetch,
    logger,
    async listen(address = {}) {
      if (closed) throw new Error('The collector is closed: create another one to listen again.');
      if (serving) {
        throw new Error('The collector already listens: listen() starts its one server, once.');
      }
      const host = address.host ?? config.host;
      const handler = options.wrap ? options.wrap(collector) : fetch;
      serving = serveNode(handler, {
        ...config,
        host,
        port: address.port ?? config.port,
        logger,
        metrics,
      });
      let server: NodeServer;
      try {
        server = await serving;
      } catch (error) {
        serving = undefined;
        throw error;
      }
      listening = { host, port: server.port };
      try {
        await database();
      } catch (error) {
        await server.close();
        serving = undefined;
        listening = undefined;
        throw error instanceof CollectorConfigError ? error : new DatabaseOpenError(error);
      }
      return { url: server.url, port: server.port };
    },
    close() {
      closed ??= (async () => {
        draining = true;
        if (config.shutdownDelayMs > 0) {
          // A load balancer still sends new connections until its checks of /readyz fail.
          await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        }
        const deadline = Date.now() + config.requestTimeoutMs + FINISH_MARGIN_MS;
        await (await serving?.catch(() => undefined))?.close();
        stopping = true;
        if (!(await settled([...inFlight], deadline))) {
          logger.warn(
            { in_flight: inFlight.size },
            'Requests still in flight past REQUEST_TIMEOUT: closing the database under them.',
          );
        }
        const db = await opening?.catch(() => undefined);
        await housekeeping?.stop();
        rateLimit.stop();
        readRateLimit.stop();
        authFailures.stop();
        await forwarding.stop();
        await db?.close();
      })();
      return closed;
    },
  };
  return collector;
}
