import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CollectorConfig } from './config';
import type { Database } from './database';
import { demoAnswer } from './demo-answers';
import { pathId } from './fields';
import { FORMATS, type Submission } from './formats';
import type { Forwarding } from './forward/forwarding';
import { deliveryStats, listDeliveries, retryDelivery } from './forward/read';
import { json, type Reply, readJson } from './http';
import { ingest } from './ingest';
import { getFeedback, listFeedback } from './read';
import { DASHBOARD, serveStatic, staticFile } from './static';
import { feedbackStats } from './stats';
import { bindToToken, voteClaims } from './trust';
import { id } from './validate';

export interface RouteRequest {
  request: IncomingMessage;
  url: URL;
  params: string[];
  /** The client's address, through trusted proxies (`TRUST_PROXY`). */
  client: string;
}

export type Handler = (route: RouteRequest) => Promise<Reply>;

export interface Route {
  /** API routes answer CORS; static files are public to every origin. */
  api: boolean;
  methods: Partial<Record<'GET' | 'POST', Handler>>;
  /** Methods only the team may use (SPEC §10): `ADMIN_TOKEN`, or loopback without one. */
  private?: readonly ('GET' | 'POST')[];
}

export interface Match {
  route: Route;
  params: string[];
}

function submission(route: RouteRequest): Submission {
  const { headers } = route.request;
  const referer = headers.referer?.replace(/[?#].*$/, '');
  const language = headers['accept-language']?.split(/[,;]/)[0]?.trim();
  return {
    params: route.params,
    query: route.url.searchParams,
    client: route.client,
    now: new Date(),
    pageUrl: referer && /^https?:\/\/\S{1,1990}$/i.test(referer) ? referer : undefined,
    locale: language && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(language) ? language : undefined,
    newId: randomUUID,
  };
}

/** The routes of SPEC §8, each bound to the database and settings it needs. */
export function createRouter(db: Database, config: CollectorConfig, forwarding: Forwarding) {
  const receive =
    (format: keyof typeof FORMATS): Handler =>
    async (route) => {
      const claims = await voteClaims(route.request, config);
      const key = route.request.headers['idempotency-key'];
      const idempotencyKey = key === undefined ? undefined : id(key, 'Idempotency-Key');
      const body = await readJson(route.request);
      const parsed = FORMATS[format](body, submission(route));
      const accepted = claims === undefined ? parsed : bindToToken(parsed, claims);
      const outcome = await ingest(db, accepted, {
        idempotencyKey,
        fingerprint: createHash('sha256')
          .update(`${route.url.pathname}${route.url.search}\n${JSON.stringify(body)}`)
          .digest('base64url'),
        voteWindowMs: config.voteWindowMs,
        forward: forwarding.enqueue,
      });
      return json(outcome.status, outcome.body);
    };
  const api = (methods: Route['methods']): Route => ({
    api: true,
    methods,
    private: methods.GET ? ['GET'] : [],
  });
  const table: [RegExp, Route][] = [
    [
      /^\/api\/feedback$/,
      api({
        GET: async ({ url }) => json(200, await listFeedback(db, url.searchParams)),
        POST: receive('event'),
      }),
    ],
    [
      /^\/api\/feedback\/stats$/,
      api({ GET: async ({ url }) => json(200, await feedbackStats(db, url.searchParams)) }),
    ],
    [
      /^\/api\/feedback\/([^/]+)$/,
      api({
        GET: async ({ params }) => json(200, await getFeedback(db, pathId(params[0] ?? '', 'id'))),
      }),
    ],
    [/^\/api\/sentiment$/, api({ POST: receive('sentiment') })],
    [/^\/api\/conversations\/([^/]+)\/(upvote|downvote)$/, api({ POST: receive('vote') })],
    [/^\/api\/assistants\/([^/]+)\/feedbacks$/, api({ POST: receive('score') })],
    [/^\/api\/messages\/feedback$/, api({ POST: receive('quality') })],
    [
      /^\/api\/deliveries$/,
      api({ GET: async ({ url }) => json(200, await listDeliveries(db, url.searchParams)) }),
    ],
    [
      /^\/api\/deliveries\/stats$/,
      api({ GET: async () => json(200, await deliveryStats(db, forwarding.destinations)) }),
    ],
    [
      /^\/api\/deliveries\/([^/]+)\/retry$/,
      {
        // SPEC §10: a retry is the team's, like a read.
        ...api({
          POST: async ({ params }) =>
            json(200, await retryDelivery(db, pathId(params[0] ?? '', 'id'), forwarding.maxAgeMs)),
        }),
        private: ['POST'],
      },
    ],
    [/^\/demo\/answer$/, api({ POST: demoAnswer(config) })],
  ];
  return (pathname: string): Match | undefined => {
    for (const [pattern, route] of table) {
      const match = pattern.exec(pathname);
      if (match) return { route, params: match.slice(1) };
    }
    const file = staticFile(pathname);
    if (file === undefined) return undefined;
    const route: Route = { api: false, methods: { GET: () => serveStatic(config.root, file) } };
    if (file === DASHBOARD) route.private = ['GET'];
    return { route, params: [] };
  };
}
