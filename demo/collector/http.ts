import type { IncomingMessage } from 'node:http';

/** A request the collector refuses; `field` names the one input at fault, when there is one. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** An answer before CORS and connection headers are added. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export const MAX_BODY_BYTES = 64 * 1024;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

export function errorReply(error: HttpError): Reply {
  const body = error.field
    ? { error: error.message, field: error.field }
    : { error: error.message };
  return json(error.status, body, error.headers);
}

const tooLarge = () => new HttpError(413, `The body must be at most ${MAX_BODY_BYTES} bytes.`);

/**
 * Reads a JSON body. A declared or actual size over the limit fails as soon as it is known, so a
 * huge body is never held in memory; the connection is then closed instead of drained.
 */
export function readJson(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return Promise.reject(
      new HttpError(415, '`Content-Type` must be application/json.', 'Content-Type'),
    );
  }
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.removeAllListeners('data');
        request.removeAllListeners('end');
        request.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      try {
        resolve(parseJson(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'The `body` must be UTF-8.', 'body');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The `body` must be valid JSON.', 'body');
  }
}
