import { randomUUID } from 'node:crypto';
import { type Handler, Hono } from 'hono';
import { pageUrlOf } from '../../widget/core/event';
import type { CollectorConfig } from './config';
import { HttpError, StorageFullError } from './errors';
import type { Forwarding } from './forward/forwarding';
import { readJson, refuseNonJsonBody } from './http/body';
import {
  type Access,
  ALLOWED_HEADERS,
  type AppContext,
  type AppEnv,
  answerError,
  guards,
  observe,
  type PipelineServices,
} from './http/pipeline';
import { queryOf } from './http/query';
import { servePublic } from './http/static';
import { pathId } from './intake/fields';
import { FORMATS, type Submission } from './intake/formats';
import { ingest } from './intake/ingest';
import { bindToToken, voteClaims } from './intake/trust';
import { type FEEDBACK_ROUTES, id } from './intake/validate';
import { eraseFeedback } from './privacy/erase';
import { requestFingerprint } from './privacy/fingerprint';
import { createRedactor, redactAccepted } from './privacy/redact';
import { attention } from './read/attention';
import { deliveryStats, listDeliveries, retryDelivery } from './read/deliveries';
import { exportFeedback } from './read/export';
import { countByStatus, getFeedback, listFeedback } from './read/feedback';
import { feedbackStats } from './read/stats';
import type { Database } from './storage/database';
import { pendingMigrations } from './storage/migrate';
import { bulkChange, patchFeedback } from './triage/apply';
import { parseBulk, parsePatch } from './triage/change';

export interface AppServices extends PipelineServices {
  config: CollectorConfig;
  /** The open, migrated database; requests that arrive while it opens wait for it. */
  database: () => Promise<Database>;
  forwarding: Forwarding;
  /** The collector's clock: when votes are received and changes made. */
  now: () => Date;
  /** A client's address as the vote window keeps it: an HMAC, never the address (SPEC §13). */
  pseudonym: (address: string) => Promise<string>;
  /** Whether the collector is shutting down: `/readyz` then answers 503, whatever the database. */
  draining: () => boolean;
  /**
   * Whether the database has opened once: until then, a `/readyz` it keeps waiting says it is
   * still starting (a fresh PGlite directory takes seconds to create), not that it fails.
   */
  opened: () => boolean;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
/** A route: method, path, who may use it, its handler and, for an intake route, its format. */
type Route = [Method, string, Access, Handler<AppEnv>, (keyof typeof FORMATS)?];

/** The path's segments still percent-encoded, so a bad encoding answers 400 naming its field. */
function rawSegment(c: AppContext, fromEnd: number): string {
  const segments = new URL(c.req.url).pathname.split('/');
  return segments[segments.length - 1 - fromEnd] ?? '';
}

function submission(c: AppContext, params: string[], client: string, now: Date): Submission {
  const referer = c.req.header('referer');
  const language = c.req.header('accept-language')?.split(/[,;]/)[0]?.trim();
  return {
    params,
    query: queryOf(c.req.url),
    client,
    now,
    pageUrl: referer && /^https?:\/\/\S{1,1990}$/i.test(referer) ? pageUrlOf(referer) : undefined,
    locale: language && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(language) ? language : undefined,
    newId: randomUUID,
  };
}

/**
 * Records per export page: on PostgreSQL, selected ones; on PGlite, ones read (selected or not),
 * few enough that a vote waits on no page for long (SPEC §12: 50 ms).
 */
const EXPORT_PAGE = 1000;
const EXPORT_PAGE_PGLITE = 500;

/** A fixed route under `/api/feedback/`: its name is one no record id may take. */
const feedbackRoute = (name: (typeof FEEDBACK_ROUTES)[number]) => `/api/feedback/${name}`;

const asJson = (status: number, body: string) =>
  new Response(body, { status, headers: { 'Content-Type': 'application/json; charset=utf-8' } });

/** The routes of SPEC §8, §10, §11 and §14, each with who may use it. */
function routes(services: AppServices): Route[] {
  const { config, database, forwarding, logger, metrics, now, pseudonym } = services;
  const query = (c: AppContext) => queryOf(c.req.url);
  const actor = (c: AppContext) => ({ actor: c.get('actor'), now: now() });
  const redact = createRedactor(config.redact);
  const redacted = config.redact.join(',');
  /** An intake route of `format`; its refusals are counted by `observe`, wherever they arise. */
  const intake = (
    path: string,
    format: keyof typeof FORMATS,
    params: (c: AppContext) => string[] = () => [],
  ): Route => [
    'POST',
    path,
    'intake',
    async (c) => {
      const claims = await voteClaims(c.req.raw.headers, config);
      const key = c.req.header('idempotency-key');
      const idempotencyKey = key === undefined ? undefined : id(key, 'Idempotency-Key');
      const body = await readJson(c);
      const client = await pseudonym(c.get('client').address);
      const parsed = FORMATS[format](body, submission(c, params(c), client, now()));
      // Once, before the record is stored or its deliveries are built (SPEC §13).
      const bound = claims === undefined ? parsed : bindToToken(parsed, claims);
      const accepted = redactAccepted(bound, redact);
      const url = new URL(c.req.url);
      const outcome = await ingest(await database(), accepted, {
        idempotencyKey,
        fingerprint: requestFingerprint(
          `${url.pathname}${url.search}`,
          body,
          bound.record,
          accepted.record,
        ),
        voteWindowMs: config.voteWindowMs,
        redacted,
        ...(forwarding.names.length > 0 ? { deliveries: forwarding.deliveriesOf } : {}),
        ...(forwarding.counts ? { counts: forwarding.counts } : {}),
      });
      metrics.vote(format, outcome.stored ? 'stored' : 'duplicate');
      return asJson(outcome.status, outcome.body);
    },
    format,
  ];
  const voteParams = (c: AppContext) => [rawSegment(c, 1), rawSegment(c, 0)];
  const web: Route[] = [
    intake('/api/feedback', 'event'),
    [
      'DELETE',
      '/api/feedback',
      'team-write',
      async (c) => {
        await refuseNonJsonBody(c);
        return c.json(await eraseFeedback(await database(), query(c), logger));
      },
    ],
    [
      'GET',
      '/api/feedback',
      'team',
      async (c) => asJson(200, await listFeedback(await database(), query(c), c.get('actor'))),
    ],
    [
      'GET',
      feedbackRoute('stats'),
      'team',
      async (c) => c.json(await feedbackStats(await database(), query(c))),
    ],
    [
      'GET',
      feedbackRoute('counts'),
      'team',
      async (c) => c.json(await countByStatus(await database(), query(c), c.get('actor'))),
    ],
    [
      'GET',
      feedbackRoute('attention'),
      'team',
      async (c) => c.json(await attention(await database(), query(c), now())),
    ],
    [
      'GET',
      feedbackRoute('export'),
      'team',
      async (c) =>
        exportFeedback(await database(), query(c), c.get('actor'), {
          shared: config.databaseUrl !== undefined,
          pageSize: config.databaseUrl !== undefined ? EXPORT_PAGE : EXPORT_PAGE_PGLITE,
          now: now(),
          onError: (error) =>
            services.logger.error({ err: error, req_id: c.get('requestId') }, 'export failed'),
        }),
    ],
    [
      'POST',
      feedbackRoute('bulk'),
      'team-write',
      async (c) => {
        const { targets, change } = parseBulk(await readJson(c));
        return c.json({ updated: await bulkChange(await database(), targets, change, actor(c)) });
      },
    ],
    [
      'GET',
      '/api/feedback/:id',
      'team',
      async (c) => asJson(200, await getFeedback(await database(), pathId(rawSegment(c, 0), 'id'))),
    ],
    [
      'PATCH',
      '/api/feedback/:id',
      'team-write',
      async (c) => {
        const id = pathId(rawSegment(c, 0), 'id');
        const patch = parsePatch(await readJson(c));
        return asJson(200, await patchFeedback(await database(), id, patch, actor(c)));
      },
    ],
    intake('/api/sentiment', 'sentiment'),
    intake('/api/conversations/:id/upvote', 'vote', voteParams),
    intake('/api/conversations/:id/downvote', 'vote', voteParams),
    intake('/api/assistants/:id/feedbacks', 'score', (c) => [rawSegment(c, 1)]),
    intake('/api/messages/feedback', 'quality'),
    [
      'GET',
      '/api/deliveries',
      'team',
      async (c) => c.json(await listDeliveries(await database(), query(c))),
    ],
    [
      'GET',
      '/api/deliveries/stats',
      'team',
      async (c) => c.json(await deliveryStats(await database(), forwarding.names)),
    ],
    [
      'POST',
      '/api/deliveries/:id/retry',
      // A change, as PATCH is: no page of another origin may make the team's browser send one.
      'team-write',
      async (c) => {
        await refuseNonJsonBody(c);
        return c.json(
          await retryDelivery(await database(), pathId(rawSegment(c, 1), 'id'), forwarding),
        );
      },
    ],
    [
      'GET',
      '/api/inbox/config',
      'team',
      (c) =>
        c.json({
          actor: c.get('actor'),
          ...(config.traceUrl === undefined ? {} : { trace_url: config.traceUrl }),
        }),
    ],
    ['GET', '/dashboard', 'team', () => servePublic('dashboard.html')],
    // The address the collector prints at start-up, and a trailing slash, lead to the inbox.
    ...(['/', '/dashboard/'] as const).map(
      (path): Route => ['GET', path, 'open', (c) => c.redirect(`${config.basePath}/dashboard`)],
    ),
    ['GET', '/inbox/:file', 'open', (c) => servePublic(rawSegment(c, 0), 'inbox')],
    ['GET', '/feedback-widget.js', 'open', () => servePublic('feedback-widget.js')],
  ];
  const operations: Route[] = [
    ['GET', '/healthz', 'open', (c) => c.json({ status: 'ok' })],
    ['GET', '/readyz', 'open', (c) => ready(c, database, services)],
    [
      'GET',
      '/metrics',
      'metrics',
      async (c) =>
        c.body(await metrics.registry.metrics(), 200, {
          'Content-Type': metrics.registry.contentType,
        }),
    ],
  ];
  return config.role === 'forwarder' ? operations : [...operations, ...web];
}

/** How long `/readyz` waits for the database before it answers that it is not ready. */
const READY_TIMEOUT_MS = 5_000;

async function ready(
  c: AppContext,
  database: () => Promise<Database>,
  { draining, opened }: Pick<AppServices, 'draining' | 'opened'>,
): Promise<Response> {
  const unavailable = (error: string) => c.json({ status: 'unavailable', error }, 503);
  const shuttingDown = 'The collector is shutting down.';
  if (draining()) return unavailable(shuttingDown);
  const problem = await databaseProblem(database, opened);
  // A SIGTERM that came while the database was asked decides the answer: from then on, 503.
  if (draining()) return unavailable(shuttingDown);
  return problem === undefined ? c.json({ status: 'ready' }) : unavailable(problem);
}

/** Why the database cannot take votes now, or undefined when it answers and is migrated. */
async function databaseProblem(
  database: () => Promise<Database>,
  opened: () => boolean,
): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Error(`no answer within ${READY_TIMEOUT_MS / 1000} s`);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late), READY_TIMEOUT_MS);
  });
  try {
    const missing = await Promise.race([database().then(pendingMigrations), timeout]);
    return missing.length > 0
      ? `The database lacks the migrations ${missing.join(', ')}.`
      : undefined;
  } catch (error) {
    if (error instanceof StorageFullError) return error.message;
    // Not a fault: it has never opened, and its first opening is still under way.
    if (error === late && !opened()) {
      return `The database is still starting: not open yet after ${READY_TIMEOUT_MS / 1000} s.`;
    }
    // A driver's message names the host and the cause, never the password.
    return `The database does not answer: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** `OPTIONS` (a preflight) and 405 with `Allow` for the methods `path` has no route for. */
function answerOtherMethods(
  app: Hono<AppEnv>,
  path: string,
  accesses: Map<string, Access>,
  services: AppServices,
): void {
  const list = [...accesses.keys()];
  const allow = [...list, ...(list.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  const api = path.startsWith('/api/');
  app.options(path, (c) => {
    c.set('route', path);
    const asked = accesses.get(c.req.header('access-control-request-method') ?? '');
    if (asked !== undefined) c.set('access', asked);
    const verdict = services.originPolicy(c.req.raw);
    if (api && !verdict.allowed) {
      throw new HttpError(403, `The origin \`${verdict.origin}\` is not allowed.`, 'Origin');
    }
    return c.body(null, 204, {
      Allow: allow,
      ...(api
        ? {
            'Access-Control-Allow-Methods': allow,
            'Access-Control-Allow-Headers': ALLOWED_HEADERS,
            'Access-Control-Max-Age': '600',
          }
        : {}),
    });
  });
  app.all(path, (c) => {
    c.set('route', path);
    return c.json(
      { error: `\`${new URL(c.req.url).pathname}\` does not accept ${c.req.method}.` },
      405,
      { Allow: allow },
    );
  });
}

/**
 * The collector as one Fetch-standard app: a readable table of routes, each behind the steps its
 * access needs, every refusal turned into its status in one place (`answerError`). Every answer
 * is observed, under `basePath` or not.
 */
export function createApp(services: AppServices): Hono<AppEnv> {
  const { config, logger } = services;
  const root = new Hono<AppEnv>();
  root.use(observe(services));
  const app = root.basePath(config.basePath);
  const steps = guards(services);
  const byPath = new Map<string, Route[]>();
  for (const route of routes(services)) {
    const [, path] = route;
    byPath.set(path, [...(byPath.get(path) ?? []), route]);
  }
  // Fixed paths first, each with its 405, so that no method a fixed route lacks falls through to
  // a record's route: `GET /api/feedback/bulk` is not a read of the record `bulk`.
  const paths = [...byPath.keys()].sort(
    (a, b) => Number(a.includes(':')) - Number(b.includes(':')),
  );
  for (const path of paths) {
    const accesses = new Map<string, Access>();
    for (const [method, , access, handler, format] of byPath.get(path) ?? []) {
      const named: Handler<AppEnv> = async (c, next) => {
        c.set('route', path);
        c.set('access', access);
        if (format !== undefined) c.set('format', format);
        await next();
      };
      app.on(method, path, named, ...steps(access), handler);
      accesses.set(method, access);
    }
    answerOtherMethods(app, path, accesses, services);
  }
  // Under a base path, `/` is the base path itself; the address printed at start-up ends in `/`.
  if (config.basePath && config.role !== 'forwarder') {
    root.get(`${config.basePath}/`, (c) => c.redirect(`${config.basePath}/dashboard`));
  }
  root.notFound((c) =>
    c.json({ error: `No route answers \`${new URL(c.req.url).pathname}\`.`, field: 'path' }, 404),
  );
  root.onError((error, c) => answerError(error, c, logger));
  return root;
}
