import { createApp } from './app';
import { type CollectorOptions, resolveCollectorConfig } from './config';
import { loadForwarding } from './forward/forwarding';
import { type FetchContext, type FetchHandler, type NodeServer, serveNode } from './http/node';
import { createOriginPolicy } from './http/origin';
import { createRateLimit } from './http/rate-limit';
import { createLogger, type LogDestination, type Logger } from './observe/logger';
import { createMetrics } from './observe/metrics';
import { type Housekeeping, startHousekeeping } from './privacy/housekeeping';
import { loadVoterKey, pseudonyms } from './privacy/voter';
import { type Database, openDatabase } from './storage/database';
import { migrate } from './storage/migrate';

export interface CreateCollectorOptions extends CollectorOptions {
  /** Where log lines go; standard output by default. */
  logDestination?: LogDestination;
  /** Whether standard output is a terminal (text logs by default); the bin says. */
  interactive?: boolean;
  /** The variables `FORWARD_FILE`'s `${NAME}` refers to; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * The handler `listen()` serves, given the collector: to answer routes of your own on the
   * collector's port and hand it the rest (the repository's demo adds its pages this way).
   */
  wrap?: (collector: Collector) => FetchHandler;
  /**
   * The collector's clock: when votes are received, changes made, windows end. Tests move it
   * instead of waiting; the system clock by default.
   */
  clock?: () => Date;
}

/** A collector: a Fetch handler, and a server of its own when asked for one. */
export interface Collector {
  /**
   * Answers any route of SPEC §8–§14 from a standard `Request`. `clientAddress` drives rate
   * limits, the vote window and the loopback rule; without it the request is not loopback.
   */
  fetch(request: Request, context?: FetchContext): Promise<Response>;
  /**
   * Listens on Node's `http` (the options' `port` and `host` by default), then opens and
   * migrates the database; requests that arrive meanwhile wait for it. A taken port fails
   * before the database is touched.
   */
  listen(address?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /** Finishes the requests in flight, stops forwarding and closes the database. */
  close(): Promise<void>;
  readonly logger: Logger;
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
 * Builds a collector from the same settings as the environment (SPEC §14). Nothing is opened
 * until the first request or `listen()`; a bad setting or `FORWARD_FILE` throws at once.
 *
 * @example
 * const collector = createCollector({ databaseUrl: process.env.DATABASE_URL, basePath: '/feedback' });
 * export const POST = (request: Request) => collector.fetch(request);
 */
export function createCollector(options: CreateCollectorOptions = {}): Collector {
  const config = resolveCollectorConfig(options, options.interactive ?? false);
  const logger = createLogger(config, options.logDestination);
  const forwarding = loadForwarding(config, options.env ?? process.env);
  const rateLimit = createRateLimit(config.rateLimit);
  const readRateLimit = createRateLimit(config.readRateLimit);
  let server: NodeServer | undefined;
  let listening: { host: string; port: number } | undefined;
  const now = options.clock ?? (() => new Date());
  let housekeeping: Housekeeping | undefined;
  let pseudonymOf: ((address: string) => string) | undefined;
  let opening: Promise<Database> | undefined;
  let closing = false;

  async function start(): Promise<Database> {
    const db = await openMigrated(config);
    try {
      pseudonymOf = pseudonyms(await loadVoterKey(db));
    } catch (error) {
      await db.close();
      throw error;
    }
    if (closing) {
      await db.close();
      throw new Error('The collector was closed while its database opened.');
    }
    housekeeping = startHousekeeping(db, config, logger, now);
    if (config.role !== 'web') forwarding.start(db, logger);
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

  const metrics = createMetrics(database, forwarding.names);
  const originPolicy = createOriginPolicy(config.allowedOrigins, config, () => listening);
  const app = createApp({
    config,
    logger,
    metrics,
    originPolicy,
    rateLimit,
    readRateLimit,
    database,
    forwarding,
    now,
    pseudonym: async (address) => {
      await database();
      return (pseudonymOf as (address: string) => string)(address);
    },
  });
  const fetch = async (request: Request, context: FetchContext = {}) => app.fetch(request, context);

  let closed: Promise<void> | undefined;
  const collector: Collector = {
    fetch,
    logger,
    async listen(address = {}) {
      const host = address.host ?? config.host;
      const handler = options.wrap ? options.wrap(collector) : fetch;
      server = await serveNode(handler, {
        ...config,
        host,
        port: address.port ?? config.port,
        logger,
      });
      listening = { host, port: server.port };
      try {
        await database();
      } catch (error) {
        await server.close();
        throw error;
      }
      return { url: server.url, port: server.port };
    },
    close() {
      closed ??= (async () => {
        closing = true;
        await server?.close();
        await housekeeping?.stop();
        rateLimit.stop();
        readRateLimit.stop();
        await forwarding.stop();
        const db = await opening?.catch(() => undefined);
        await db?.close();
      })();
      return closed;
    },
  };
  return collector;
}
