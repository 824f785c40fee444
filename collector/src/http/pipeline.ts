import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { CollectorConfig } from '../config';
import {
  databaseUnavailable,
  HttpError,
  IdempotencyConflictError,
  NotFoundError,
  StateConflictError,
  ValidationError,
} from '../errors';
import type { Logger } from '../observe/logger';
import type { Metrics } from '../observe/metrics';
import { type Client, clientOf, presentsToken, teamActor } from './access';
import { limitBody } from './body';
import type { FetchContext } from './node';
import type { OriginVerdict } from './origin';
import type { createRateLimit } from './rate-limit';
import { requestIdOf } from './request-id';

/** What every handler can read of its request besides the request itself. */
export interface AppEnv {
  Bindings: FetchContext;
  Variables: {
    client: Client;
    /** The route's pattern, for logs and metrics: never a raw path. */
    route: string;
    /** Who may use the route; for a preflight, the route of the method it asks about. */
    access?: Access;
    /** An intake route's format, for the votes metric. */
    format?: string;
    /** Set on the team's routes: who acts (SPEC §12). */
    actor: string;
    requestId: string;
  };
}

export type AppContext = Context<AppEnv>;

/**
 * Who may use a route (SPEC §10): `open` anyone; `intake` any allowed origin, within the vote
 * rate limit; `team` the team (`ADMIN_TOKEN`, or loopback without one); `team-write` the team
 * from the collector's own origin, with a JSON body; `metrics` the team, as `team`, or
 * `METRICS_TOKEN`, without waiting for a turn among the team's reads: a scrape waits on the
 * database a bounded time of its own, and must answer while reads hang on a database that
 * stopped answering.
 */
export type Access = 'open' | 'intake' | 'team' | 'team-write' | 'metrics';

export const ALLOWED_HEADERS = 'Content-Type, Idempotency-Key, Authorization, X-Request-Id';

/** Wrong `ADMIN_TOKEN`s a client may present per minute (a browser's sign-in retried by hand). */
export const AUTH_FAILURES_PER_MINUTE = 30;

/** The `Sec-Fetch-Site` values of a request the team's changes take: its own page's, or a person's. */
const SAME_ORIGIN_SITES = new Set(['same-origin', 'none']);

/** Reads the database serves at once: the rest wait, so a flood of reads leaves room for votes. */
const READ_CONCURRENCY = 2;

/** At most `limit` callers at once; the rest wait their turn in order. */
function createGate(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

const errorBody = (message: string, field: string | undefined) =>
  field === undefined ? { error: message } : { error: message, field };

/**
 * Every refusal becomes its status code here, and only here. Anything unexpected is logged with
 * its stack and answers 500 without details.
 */
export function answerError(error: Error, c: AppContext, logger: Logger): Response {
  const status =
    error instanceof ValidationError
      ? 400
      : error instanceof NotFoundError
        ? 404
        : error instanceof StateConflictError
          ? 409
          : error instanceof IdempotencyConflictError
            ? 422
            : error instanceof HttpError
              ? error.status
              : undefined;
  if (status !== undefined) {
    const { field } = error as { field?: string };
    const headers = error instanceof HttpError ? error.headers : {};
    return Response.json(errorBody(error.message, field), { status, headers });
  }
  if (error instanceof HTTPException) return error.getResponse();
  if (databaseUnavailable(error)) {
    // Not the request's fault nor a bug: a widget tries again, and so may anyone else.
    logger.warn({ err: error.message, req_id: c.get('requestId') }, 'the database is unavailable');
    return Response.json(
      { error: 'The database is unavailable; try again shortly.' },
      {
        status: 503,
        headers: { 'Retry-After': '5' },
      },
    );
  }
  logger.error({ err: error, req_id: c.get('requestId') }, 'request failed');
  return Response.json({ error: 'The collector failed to handle this request.' }, { status: 500 });
}

export interface PipelineServices {
  config: CollectorConfig;
  logger: Logger;
  metrics: Metrics;
  originPolicy: (request: Request) => OriginVerdict;
  rateLimit: ReturnType<typeof createRateLimit>;
  readRateLimit: ReturnType<typeof createRateLimit>;
  /** Wrong `ADMIN_TOKEN`s per client: `AUTH_FAILURES_PER_MINUTE`. */
  authFailures: ReturnType<typeof createRateLimit>;
}

/**
 * The outermost step of every request: the request id, the client, security and CORS headers on
 * the answer, one log line and one histogram observation.
 */
export function observe(services: PipelineServices): MiddlewareHandler<AppEnv> {
  const { config, logger, metrics, originPolicy } = services;
  return async (c, next) => {
    const started = performance.now();
    const requestId = requestIdOf(c.env.requestId ?? c.req.header('x-request-id'));
    c.set('requestId', requestId);
    c.set('client', clientOf(c.req.raw.headers, c.env.clientAddress, config.trustProxy));
    c.set('route', 'unmatched');
    await next();
    c.res.headers.set('X-Request-Id', requestId);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    const access = c.get('access');
    const teams = access === 'team' || access === 'team-write' || access === 'metrics';
    // What the team reads stays out of the browser's disk cache (an export sets its own).
    if (teams && !c.res.headers.has('Cache-Control'))
      c.res.headers.set('Cache-Control', 'no-store');
    const { origin, allowed } = originPolicy(c.req.raw);
    // Without `ADMIN_TOKEN` the team's routes trust a person at this machine, not its pages:
    // none of another origin (a dev server on localhost) may read them.
    const readable = !teams || config.adminToken !== undefined;
    if (origin !== undefined && allowed && readable && c.get('route').includes('/api/')) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      // A page may send a vote with its cookies (`data-credentials`). The team's routes are read
      // with a token the page must hold: a browser's cookies or the inbox's cached HTTP Basic
      // sign-in never let another site read them.
      if (access === 'intake') {
        c.res.headers.set('Access-Control-Allow-Credentials', 'true');
      }
      c.res.headers.set('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id');
      c.res.headers.append('Vary', 'Origin');
    }
    const ms = Math.round((performance.now() - started) * 100) / 100;
    const route = c.get('route');
    // A vote refused anywhere: by its origin, the rate limit, the body's size, its token or
    // fields. A 5xx refused nothing (the widget sends the vote again): the histogram counts it.
    const format = c.get('format');
    const refused = c.res.status >= 400 && c.res.status < 500;
    if (format !== undefined && refused) metrics.vote(format, 'rejected');
    metrics.request(c.req.method, route, c.res.status, ms / 1000);
    logger.info(
      { req_id: requestId, method: c.req.method, route, status: c.res.status, ms },
      'request',
    );
  };
}

function tooMany(retryAfter: number): HttpError {
  return new HttpError(429, `Too many requests: retry after ${retryAfter} s.`, undefined, {
    'Retry-After': String(retryAfter),
  });
}

/** The steps a route of each access takes before its handler runs. */
export function guards(services: PipelineServices) {
  const { config, originPolicy, rateLimit, readRateLimit, authFailures } = services;
  const reads = createGate(READ_CONCURRENCY);
  const crossOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
    const { origin, allowed } = originPolicy(c.req.raw);
    if (!allowed) throw new HttpError(403, `The origin \`${origin}\` is not allowed.`, 'Origin');
    await next();
  };
  const limited =
    (limit: ReturnType<typeof createRateLimit>): MiddlewareHandler<AppEnv> =>
    async (c, next) => {
      const retryAfter = limit.take(c.get('client').address);
      if (retryAfter > 0) throw tooMany(retryAfter);
      await next();
    };
  const team: MiddlewareHandler<AppEnv> = async (c, next) => {
    const { address } = c.get('client');
    // Past its wrong `ADMIN_TOKEN`s a client's token is not even checked until it may try
    // again (a right one included, or the answer would tell a guess apart).
    if (config.adminToken !== undefined) {
      const retryAfter = authFailures.wait(address);
      if (retryAfter > 0) throw tooMany(retryAfter);
    }
    try {
      c.set('actor', teamActor(c.req.raw, config, c.get('client')));
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) authFailures.take(address);
      throw error;
    }
    await next();
  };
  // `METRICS_TOKEN` is checked whatever wrong `ADMIN_TOKEN`s the client sent, so a scraper that
  // shares its address with a guesser still reads: it is too long to guess online (32 characters
  // or more), opens the counters alone, and differs from `ADMIN_TOKEN`, which stays unconfirmed.
  const scraper: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (config.metricsToken !== undefined && presentsToken(c.req.raw, config.metricsToken)) {
      c.set('actor', 'metrics');
      await next();
      return;
    }
    await team(c, next);
  };
  const ownOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
    // A browser that says the request comes from another site is believed whatever its
    // `Origin` says, or when it sends none: only the collector's own pages (`same-origin`) and a
    // person typing an address (`none`) make changes.
    const site = c.req.header('sec-fetch-site');
    if (site !== undefined && !SAME_ORIGIN_SITES.has(site.toLowerCase())) {
      throw new HttpError(
        403,
        `The team's changes are taken only from the collector's own origin, not from a \`${site}\` page.`,
        'Sec-Fetch-Site',
      );
    }
    const { origin, own } = originPolicy(c.req.raw);
    if (!own) {
      throw new HttpError(
        403,
        `The team's changes are taken only from the collector's own origin, not \`${origin}\`.`,
        'Origin',
      );
    }
    await next();
  };
  const gated: MiddlewareHandler<AppEnv> = (_, next) => reads(next);
  const steps: Record<Access, MiddlewareHandler<AppEnv>[]> = {
    open: [],
    intake: [crossOrigin, limited(rateLimit), limitBody],
    team: [crossOrigin, team, limited(readRateLimit), gated],
    'team-write': [ownOrigin, team, limited(readRateLimit), limitBody],
    metrics: [crossOrigin, scraper, limited(readRateLimit)],
  };
  return (access: Access) => steps[access];
}
