import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError, ValidationError } from '../errors';
import { checkJson } from '../intake/validate';

/** SPEC §8: a vote with its rated message (up to 20,000 characters) fits with room to spare. */
export const MAX_BODY_BYTES = 128 * 1024;

const tooLarge = () =>
  new HttpError(413, `The body must be at most ${MAX_BODY_BYTES} bytes.`, 'body');

const honoBodyLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw tooLarge();
  },
});

/**
 * Refuses a body over the limit as soon as its size is known (its `Content-Length`, or the
 * bytes counted while it streams), so a huge body is never held in memory.
 */
export const limitBody: MiddlewareHandler = (c, next) => {
  const { headers } = c.req.raw;
  const length = headers.get('content-length');
  // A declared length is all it takes, and the body is left unread: reading `body` would make
  // the Node adapter build a full web Request and stream, a fifth of a vote's time on PostgreSQL.
  if (length !== null && !headers.has('transfer-encoding')) {
    if (Number(length) > MAX_BODY_BYTES) throw tooLarge();
    return next();
  }
  const raw = c.req.raw;
  if (raw.body) {
    // A body without a length (chunked, or a DELETE's empty one) is counted, then put into a copy
    // of the request; the global Request cannot copy the Node adapter's own, so it gets one of its
    // own first.
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers: raw.headers,
      body: raw.body,
      signal: raw.signal,
      duplex: 'half',
    } as RequestInit);
  }
  return honoBodyLimit(c, next);
};

/**
 * The request's body as JSON, checked as a whole (`checkJson`) before any field of it is read;
 * only `application/json` is taken (415 otherwise).
 */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, '`Content-Type` must be application/json.', 'Content-Type');
  }
  const bytes = await c.req.arrayBuffer();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError('body', 'The `body` must be UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('body', 'The `body` must be valid JSON.');
  }
  checkJson(value);
  return value;
}
