import { maxHeaderSize } from 'node:http';
import { HttpError } from '../errors';

/**
 * A request that did not arrive as HTTP: refused by Node's parser (an `HPE_…` code), too slow
 * for `REQUEST_TIMEOUT`, or cut off by its client. The client's failure, never the collector's:
 * it answers 400, 408, 413 or 431 naming what was wrong. `part` is what was arriving: the
 * request line and headers, or the body.
 */
export function clientFailure(error: unknown, part: 'head' | 'body'): HttpError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return part === 'head'
        ? new HttpError(408, 'The request’s headers did not arrive in time.', 'headers')
        : new HttpError(408, 'The body did not arrive in time.', 'body');
    case 'HPE_HEADER_OVERFLOW':
      return new HttpError(
        431,
        `The request’s headers must be at most ${maxHeaderSize} bytes.`,
        'headers',
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new HttpError(413, 'The body’s chunk extensions are too large.', 'body');
    case 'HPE_INVALID_METHOD':
      return new HttpError(400, 'The request’s method is not an HTTP method.', 'method');
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return new HttpError(
        400,
        '`Content-Length` must be a whole number of bytes, given once.',
        'Content-Length',
      );
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return new HttpError(
        400,
        '`Transfer-Encoding` must end with chunked, and comes without `Content-Length`.',
        'Transfer-Encoding',
      );
  }
  if (code?.startsWith('HPE_') && code !== 'HPE_INVALID_EOF_STATE') {
    const field = part === 'head' ? 'request' : 'body';
    return new HttpError(400, `The ${field} is not valid HTTP/1.1 (${code}).`, field);
  }
  return part === 'head'
    ? new HttpError(400, 'The request ended before its headers did.', 'request')
    : new HttpError(400, 'The body ended before it was complete.', 'body');
}
