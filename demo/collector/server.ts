import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CollectorConfig } from './config';
import { ALLOWED_HEADERS, type createOriginPolicy } from './cors';
import { errorReply, HttpError, json, type Reply } from './http';
import type { createRateLimit } from './rate-limit';
import type { createRouter, Match } from './routes';
import { clientAddress, guardRead } from './trust';

/** At most `limit` callers at once; the rest wait their turn in order. */
export function createGate(limit: number) {
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

interface Dispatch {
  /** Settles once the database is open: requests that arrive sooner wait for it. */
  router: Promise<ReturnType<typeof createRouter>>;
  originPolicy: ReturnType<typeof createOriginPolicy>;
  rateLimit: ReturnType<typeof createRateLimit>;
  readRateLimit: ReturnType<typeof createRateLimit>;
  /** Private reads pass through it, a few at a time. */
  reads: ReturnType<typeof createGate>;
  config: CollectorConfig;
  /** True once shutdown began: answers then close their connection instead of keeping it. */
  closing: () => boolean;
}

function allowOf(match: Match): string {
  const methods = Object.keys(match.route.methods);
  if (match.route.methods.GET) methods.push('HEAD');
  return [...methods, 'OPTIONS'].join(', ');
}

function route(request: IncomingMessage, url: URL, match: Match | undefined, dispatch: Dispatch) {
  if (!match) throw new HttpError(404, `No route answers \`${url.pathname}\`.`);
  const allow = allowOf(match);
  if (request.method === 'OPTIONS') {
    const preflight = {
      Allow: allow,
      'Access-Control-Allow-Methods': allow,
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': '600',
    };
    return Promise.resolve<Reply>({ status: 204, headers: preflight });
  }
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const handler = match.route.methods[method as 'GET' | 'POST'];
  if (!handler) {
    throw new HttpError(405, `\`${url.pathname}\` does not accept ${request.method}.`, undefined, {
      Allow: allow,
    });
  }
  const client = clientAddress(request, dispatch.config.trustProxy);
  const isPrivate = match.route.private?.includes(method as 'GET' | 'POST') ?? false;
  if (isPrivate) guardRead(request, dispatch.config, client);
  const limit = isPrivate
    ? dispatch.readRateLimit
    : method === 'POST'
      ? dispatch.rateLimit
      : undefined;
  const retryAfter = limit?.take(client) ?? 0;
  if (retryAfter > 0) {
    throw new HttpError(429, `Too many requests: retry after ${retryAfter} s.`, undefined, {
      'Retry-After': String(retryAfter),
    });
  }
  const route = { request, url, params: match.params, client };
  return isPrivate ? dispatch.reads(() => handler(route)) : handler(route);
}

async function answer(request: IncomingMessage, dispatch: Dispatch): Promise<Reply> {
  const url = new URL(request.url ?? '/', 'http://collector.invalid');
  const match = (await dispatch.router)(url.pathname);
  try {
    if (match?.route.api && !dispatch.originPolicy(request).allowed) {
      throw new HttpError(403, `The origin \`${request.headers.origin}\` is not allowed.`);
    }
    return await route(request, url, match, dispatch);
  } catch (error) {
    if (error instanceof HttpError) return errorReply(error);
    console.error(`${request.method} ${url.pathname} failed:`, error);
    return json(500, { error: 'The collector failed to handle this request.' });
  }
}

/** Answers one request and writes it out with the CORS and connection headers it needs. */
export async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  dispatch: Dispatch,
): Promise<void> {
  const reply = await answer(request, dispatch);
  const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff', ...reply.headers };
  const { allowed, origin } = dispatch.originPolicy(request);
  if (origin !== undefined && allowed && request.url?.startsWith('/api/')) {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Access-Control-Allow-Credentials'] = 'true';
    headers['Access-Control-Expose-Headers'] = 'Retry-After';
    headers.Vary = 'Origin';
  }
  // A body left unread (413, or refused before reading) would otherwise be drained in full.
  const unread = request.method === 'POST' && !request.readableEnded;
  if (dispatch.closing() || unread) headers.Connection = 'close';
  response.writeHead(reply.status, headers);
  response.end(request.method === 'HEAD' ? undefined : reply.body);
}
