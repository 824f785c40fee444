import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import {
  CLAIMS,
  FeedbackTokenError,
  type VerifiedFeedbackClaims,
  verifyFeedbackToken,
} from '../../widget/token';
import type { CollectorConfig } from './config';
import type { Accepted } from './formats';
import { HttpError } from './http';
import { canonical, type Draft } from './record';

type TrustConfig = Pick<
  CollectorConfig,
  'adminToken' | 'feedbackSecrets' | 'trustProxy' | 'publicOrigin'
>;

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The client's address: the socket's, or with `TRUST_PROXY=N` the N-th `X-Forwarded-For` entry from the right. */
export function clientAddress(request: IncomingMessage, trustProxy: number): string {
  const socket = request.socket.remoteAddress ?? 'unknown';
  if (trustProxy === 0) return socket;
  const entries = (header(request, 'x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const entry = entries[entries.length - trustProxy];
  return entry !== undefined && isIP(entry) ? entry : socket;
}

function isLoopback(address: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/.test(address);
}

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The admin token a request presents, as Bearer or as the password of HTTP Basic. */
function presentedToken(request: IncomingMessage): string | undefined {
  const authorization = header(request, 'authorization') ?? '';
  const bearer = /^Bearer +(\S+)$/i.exec(authorization);
  if (bearer) return bearer[1];
  const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(authorization);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/**
 * Lets a read through, or throws: with `ADMIN_TOKEN`, the request must present it (compared in
 * constant time); without, the client must be on loopback and name a loopback host (or the
 * `PUBLIC_URL` one), so a page that rebinds its own name to 127.0.0.1 reads nothing.
 */
export function guardRead(request: IncomingMessage, config: TrustConfig, client: string): void {
  if (config.adminToken !== undefined) {
    const presented = presentedToken(request);
    if (presented === undefined || !timingSafeEqual(digest(presented), digest(config.adminToken))) {
      throw new HttpError(
        401,
        'Reading feedback needs the `ADMIN_TOKEN`: send Authorization: Bearer <token>, or HTTP Basic with it as the password.',
        'ADMIN_TOKEN',
        { 'WWW-Authenticate': 'Basic realm="feedback"' },
      );
    }
    return;
  }
  const host = header(request, 'host') ?? '';
  const ownHost = config.publicOrigin !== undefined && new URL(config.publicOrigin).host === host;
  if (!isLoopback(client) || !(LOOPBACK_HOST.test(host) || ownHost)) {
    throw new HttpError(
      403,
      'Without `ADMIN_TOKEN`, feedback is readable only from this machine at a loopback address; set `ADMIN_TOKEN` to read it from elsewhere.',
      'ADMIN_TOKEN',
    );
  }
}

/**
 * With `FEEDBACK_SECRET`, the claims of the vote's `Authorization: Bearer` token, else
 * undefined. Throws 401 naming `token` for a missing or refused one.
 */
export async function voteClaims(
  request: IncomingMessage,
  config: TrustConfig,
): Promise<VerifiedFeedbackClaims | undefined> {
  if (config.feedbackSecrets.length === 0) return undefined;
  const bearer = /^Bearer +(\S+)$/i.exec(header(request, 'authorization') ?? '');
  if (!bearer) {
    throw new HttpError(
      401,
      "A feedback token is required: send Authorization: Bearer <token> (the element's `data-token`).",
      'token',
    );
  }
  try {
    return await verifyFeedbackToken(bearer[1] as string, config.feedbackSecrets);
  } catch (error) {
    const message =
      error instanceof FeedbackTokenError ? error.message : 'The feedback token was refused.';
    throw new HttpError(401, message, 'token');
  }
}

/**
 * Binds a vote to its token: each of `conversation_id`, `message_id`, `session_id` the token
 * carries must equal the vote's (403 naming it otherwise), and its `user_id` becomes the
 * record's and the voter's.
 */
export function bindToToken(accepted: Accepted, claims: VerifiedFeedbackClaims): Accepted {
  for (const name of CLAIMS) {
    if (name === 'user_id' || claims[name] === undefined) continue;
    if (accepted.record[name] !== claims[name]) {
      throw new HttpError(
        403,
        accepted.record[name] === undefined
          ? `The feedback token is for one \`${name}\`, and this vote has none.`
          : `\`${name}\` is not the one the feedback token was issued for.`,
        name,
      );
    }
  }
  if (claims.user_id === undefined) return accepted;
  const record = canonical({ ...accepted.record, user_id: claims.user_id } as Draft);
  const voter = accepted.voter === undefined ? undefined : `user:${claims.user_id}`;
  return { ...accepted, record, ...(voter === undefined ? {} : { voter }) };
}
