import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { CollectorConfig } from '../config';
import { HttpError } from '../errors';

type AccessConfig = Pick<CollectorConfig, 'adminToken' | 'trustProxy' | 'publicOrigin'>;

/** Who sent a request, as far as the collector can tell (SPEC §10 "Behind a proxy"). */
export interface Client {
  /** The socket's address, or with `TRUST_PROXY=N` the N-th `X-Forwarded-For` entry from the right. */
  address: string;
  /** On this machine, and not a request a proxy passed on from elsewhere. */
  loopback: boolean;
}

const PROXY_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'forwarded'];
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Resolves the client of a request that arrived from `socketAddress` (undefined when the server
 * the collector is mounted in does not say: such a client is never loopback). A request carrying
 * a proxy's headers is loopback only when `TRUST_PROXY` resolves it to a loopback address: a
 * proxy on the same host would otherwise open the team's routes to everyone.
 */
export function clientOf(
  headers: Headers,
  socketAddress: string | undefined,
  trustProxy: number,
): Client {
  const socket = socketAddress ?? 'unknown';
  const proxied = PROXY_HEADERS.some((name) => headers.has(name));
  if (trustProxy === 0) {
    return { address: socket, loopback: !proxied && LOOPBACK.test(socket) };
  }
  const entries = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const entry = entries[entries.length - trustProxy];
  if (entry !== undefined && isIP(entry)) return { address: entry, loopback: LOOPBACK.test(entry) };
  return { address: socket, loopback: !proxied && LOOPBACK.test(socket) };
}

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The credentials a request presents: an admin token (Bearer or Basic password) and a name. */
function presented(headers: Headers): { token: string; user?: string } | undefined {
  const authorization = headers.get('authorization') ?? '';
  const bearer = /^Bearer +(\S+)$/i.exec(authorization);
  if (bearer) return { token: bearer[1] as string };
  const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(authorization);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const user = decoded.slice(0, colon);
  return { token: decoded.slice(colon + 1), ...(user === '' ? {} : { user }) };
}

/**
 * Lets one of the team's requests through and names who made it (SPEC §10, §12), or throws.
 * With `ADMIN_TOKEN` the request must present it (compared in constant time); the actor is the
 * HTTP Basic user name (1–64 characters), else `admin`. Without, the client must be loopback and
 * name a loopback host (or the `PUBLIC_URL` one), so a page that rebinds its own name to
 * 127.0.0.1 reads nothing; the actor is `local`.
 */
export function teamActor(headers: Headers, config: AccessConfig, client: Client): string {
  if (config.adminToken !== undefined) {
    const credentials = presented(headers);
    if (
      credentials === undefined ||
      !timingSafeEqual(digest(credentials.token), digest(config.adminToken))
    ) {
      throw new HttpError(
        401,
        'This route is the team’s and needs the `ADMIN_TOKEN`: send Authorization: Bearer <token>, or HTTP Basic with it as the password.',
        'ADMIN_TOKEN',
        { 'WWW-Authenticate': 'Basic realm="feedback"' },
      );
    }
    const user = credentials.user;
    return user !== undefined && [...user].length <= 64 ? user : 'admin';
  }
  const host = headers.get('host') ?? '';
  const ownHost = config.publicOrigin !== undefined && new URL(config.publicOrigin).host === host;
  if (!client.loopback || !(LOOPBACK_HOST.test(host) || ownHost)) {
    throw new HttpError(
      403,
      'Without `ADMIN_TOKEN`, the team’s routes answer only this machine at a loopback address; set `ADMIN_TOKEN` to use them from elsewhere.',
      'ADMIN_TOKEN',
    );
  }
  return 'local';
}
