import type { Context, MiddlewareHandler } from 'hono';
import { HttpError, ValidationError } from '../errors';
import { checkJson } from '../intake/validate';
import { clientFailure } from './client-error';

/** SPEC §8: a vote with its rated message (up to 20,000 characters) fits with room to spare. */
export const MAX_BODY_BYTES = 128 * 1024;

const tooLarge = () =>
  new HttpError(413, `The body must be at most ${MAX_BODY_BYTES} bytes.`, 'body');

/** Reads a body of unknown length, refusing it once it grows past the limit. */
async function readCounted(body: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let read: ReadableStreamReadResult<Uint8Array>;
    try {
      read = await reader.read();
    } catch (error) {
      throw clientFailure(error, 'body');
    }
    if (read.done) return new Uint8Array(Buffer.concat(chunks, size));
    size += read.value.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(read.value);
  }
}

/**
 * Refuses a body over the limit as soon as its size is known (its `Content-Length`, or the
 * bytes counted while it streams), so a huge body is never held in memory.
 */
export const limitBody: MiddlewareHandler = async (c, next) => {
  const raw = c.req.raw;
  const length = raw.headers.get('content-length');
  // A declared length is all it takes, and the body is left unread: reading `body` would make
  // the Node adapter build a full web Request and stream, a fifth of a vote's time on PostgreSQL.
  if (length !== null && !raw.headers.has('transfer-encoding')) {
    if (Number(length) > MAX_BODY_BYTES) throw tooLarge();
    return next();
  }
  // A body without a length (chunked, or a DELETE's empty one) is counted, then put into a copy
  // of the request.
  if (raw.body) {
    const body = await readCounted(raw.body);
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers: raw.headers,
      body,
      signal: raw.signal,
    });
  }
  await next();
};

/**
 * The body's bytes as sent: a coding such as gzip is refused (415 naming `Content-Encoding`,
 * with the one the collector takes), and a body that stops arriving is the client's failure
 * (400, or 408 past `REQUEST_TIMEOUT`), not the collector's.
 */
async function bodyBytes(c: Context): Promise<ArrayBuffer> {
  const coding = c.req.header('content-encoding');
  if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
    throw new HttpError(
      415,
      '`Content-Encoding` must be identity: the collector takes bodies as they are.',
      'Content-Encoding',
      { 'Accept-Encoding': 'identity' },
    );
  }
  try {
    return await c.req.arrayBuffer();
  } catch (error) {
    throw clientFailure(error, 'body');
  }
}

function requireJsonType(c: Context): void {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, '`Content-Type` must be application/json.', 'Content-Type');
  }
}

/** Bytes as JSON, checked as a whole (`checkJson`) before any field of it is read. */
function parseJson(bytes: ArrayBuffer): unknown {
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

/** The request's body as JSON; only `application/json` is taken (415 otherwise). */
export async function readJson(c: Context): Promise<unknown> {
  requireJsonType(c);
  return parseJson(await bodyBytes(c));
}

/**
 * For a team's write route that needs no body (the erasure's DELETE): none is taken, and one that
 * is sent must still be JSON (SPEC §10: those routes take a body only as application/json).
 */
export async function refuseNonJsonBody(c: Context): Promise<void> {
  const bytes = await bodyBytes(c);
  if (bytes.byteLength === 0) return;
  requireJsonType(c);
  parseJson(bytes);
}
