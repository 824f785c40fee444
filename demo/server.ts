import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Hono } from 'hono';
import type { Collector } from '../collector/src/collector';
import type { FetchContext, FetchHandler } from '../collector/src/http/node';
import { signFeedbackToken } from '../collector/src/token';

const ROOT = new URL('../', import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The policy the demo pages are written for: no inline scripts or styles anywhere. */
const HTML_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'",
};

const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/chat': 'demo/pages/chat.html',
  '/article': 'demo/pages/article.html',
  '/playground': 'demo/pages/playground.html',
  '/feedback-widget.mjs': 'dist/feedback-widget.mjs',
};

async function file(path: string): Promise<Response> {
  let body: Buffer;
  try {
    body = await readFile(new URL(path, ROOT));
  } catch {
    return Response.json({ error: `\`${path}\` does not exist.` }, { status: 404 });
  }
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': type,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      ...(type.startsWith('text/html') ? HTML_HEADERS : {}),
    },
  });
}

/**
 * `POST /demo/answer { conversation_id }` → `{ message_id, token? }`: what a chat backend does
 * when it renders an answer. It names the message and, with `FEEDBACK_SECRET`, signs a token
 * that lets this conversation vote on this message only (SPEC §10); the page puts it in
 * `data-token`. A real backend mints the token the same way.
 */
async function answer(request: Request, secret: string | undefined): Promise<Response> {
  const body = (await request.json().catch(() => undefined)) as { conversation_id?: unknown };
  const conversationId = body?.conversation_id;
  if (typeof conversationId !== 'string' || conversationId === '' || conversationId.length > 200) {
    return Response.json(
      {
        error: '`conversation_id` must be a text of 1 to 200 characters.',
        field: 'conversation_id',
      },
      { status: 400 },
    );
  }
  const messageId = randomUUID();
  const token =
    secret === undefined
      ? undefined
      : await signFeedbackToken({ conversation_id: conversationId, message_id: messageId }, secret);
  return Response.json({ message_id: messageId, ...(token === undefined ? {} : { token }) });
}

/**
 * The demo's pages and its chat backend in front of the collector, on the collector's port;
 * every other request is the collector's.
 */
export function demoHandler(collector: Collector, secret: string | undefined): FetchHandler {
  const app = new Hono<{ Bindings: FetchContext }>();
  for (const [path, target] of Object.entries(PAGES)) {
    app.get(path, () => file(target));
    app.all(path, () =>
      Response.json(
        { error: `\`${path}\` is a page: GET it.` },
        { status: 405, headers: { Allow: 'GET, HEAD' } },
      ),
    );
  }
  app.get('/demo/:name{[A-Za-z0-9][\\w.-]*}', (c) => file(`demo/pages/${c.req.param('name')}`));
  app.post('/demo/answer', (c) => answer(c.req.raw, secret));
  app.all('*', (c) => collector.fetch(c.req.raw, c.env));
  return async (request, context = {}) => app.fetch(request, context);
}
