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

/**
 * Headers by which a proxy or CDN passes on a client (besides any `X-Forwarded-*`): a request
 * carrying one is proxied. RFC 9110's `Via`, and the client-address headers of nginx, Cloudflare,
 * Akamai, Fastly, Rackspace and others, any one of which a same-host proxy may set alone.
 */
const PROXY_HEADERS = new Set([
  'forwarded',
  'via',
  'x-real-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
]);

/** Whether a request names a client other than its socket's: one a proxy passed on. */
function proxied(headers: Headers): boolean {
  for (const name of headers.keys()) {
    if (PROXY_HEADERS.has(name) || name.startsWith('x-forwarded-')) return true;
  }
  return false;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Resolves the client of a request that arrived from `socketAddress`: undefined when the server
 * the collector is mounted in does not say, and then the request is never loopback, whatever its
 * headers claim, as nothing shows that it came from this machine. With `TRUST_PROXY=N`, the N-th
 * `X-Forwarded-For` entry from the right is the client, so a platform that puts the client's
 * address there (Vercel, a load balancer) tells clients apart even without a socket address;
 * short of that entry, every such request is the one client `unknown`. A request carrying a
 * proxy's headers is loopback only when `TRUST_PROXY` resolves it to a loopback address and it
 * came from this machine: a proxy on the same host would otherwise open the team's routes to
 * everyone, and a client reaching the collector past its proxy could claim to be loopback.
 */
export function clientOf(
  headers: Headers,
  socketAddress: string | undefined,
  trustProxy: number,
): Client {
  const onThisMachine = (address: string) => socketAddress !== undefined && LOOPBACK.test(address);
  const socket = socketAddress ?? 'unknown';
  const local = !proxied(headers) && onThisMachine(socket);
  if (trustProxy === 0) return { address: socket, loopback: local };
  const entries = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const entry = entries[entries.length - trustProxy];
  if (entry !== undefined && isIP(entry)) {
    // Loopback only through a proxy on this machine: a client reaching the collector directly
    // could write any `X-Forwarded-For` it likes.
    return { address: entry, loopback: onThisMachine(entry) && onThisMachine(socket) };
  }
  return { address: socket, loopback: local };
}

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** What `ADMIN_TOKEN`'s refusals ask a browser for: its HTTP Basic sign-in. */
const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="feedback"' };

// biome-ignore lint/suspicious/noControlCharactersInRegex: a name is one line of text.
const CONTROL = /[\u0000-\u001f\u007f]/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * An HTTP Basic user name as the actor (SPEC §12): 1–64 characters of UTF-8 without control
 * characters, or undefined when empty. Any other is refused rather than stored as who acted.
 */
function userName(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return undefined;
  const name = utf8(bytes);
  if (name === undefined || [...name].length > 64 || CONTROL.test(name)) {
    throw new HttpError(
      401,
      'The HTTP Basic user name must be 1 to 64 characters of UTF-8 text without control characters.',
      'Authorization',
      CHALLENGE,
    );
  }
  return name;
}

/** The credentials a request presents: an admin token (Bearer or Basic password) and a name. */
function presented(headers: Headers): { token: string; user?: string } | undefined {
  const authorization = headers.get('authorization') ?? '';
  const bearer = /^Bearer +(\S+)$/i.exec(authorization);
  if (bearer) return { token: bearer[1] as string };
  const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(authorization);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] as string, 'base64');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const user = userName(decoded.subarray(0, colon));
  return {
    token: decoded.subarray(colon + 1).toString('utf8'),
    ...(user === undefined ? {} : { user }),
  };
}

/**
 * Whether a request presents `token` (Bearer, or as the HTTP Basic password), compared in
 * constant time; a malformed HTTP Basic user name presents nothing.
 */
export function presentsToken(request: Request, token: string): boolean {
  let credentials: ReturnType<typeof presented>;
  try {
    credentials = presented(request.headers);
  } catch {
    return false;
  }
  return credentials !== undefined && timingSafeEqual(digest(credentials.token), digest(token));
}

/**
 * Lets one of the team's requests through and names who made it (SPEC §10, §12), or throws.
 * With `ADMIN_TOKEN` the request must present it (compared in constant time); the actor is the
 * HTTP Basic user name (1–64 characters), else `admin`. Without, the client must be loopback and
 * name a loopback host (or the `PUBLIC_URL` one), so a page that rebinds its own name to
 * 127.0.0.1 reads nothing; the actor is `local`. The host is the `Host` header, else, for a
 * `Request` a server built without one, its URL's.
 */
export function teamActor(request: Request, config: AccessConfig, client: Client): string {
  if (config.adminToken !== undefined) {
    const credentials = presented(request.headers);
    if (
      credentials === undefined ||
      !timingSafeEqual(digest(credentials.token), digest(config.adminToken))
    ) {
      throw new HttpError(
        401,
        'This route is the team’s and needs the `ADMIN_TOKEN`: send Authorization: Bearer <token>, or HTTP Basic with it as the password.',
        'ADMIN_TOKEN',
        CHALLENGE,
      );
    }
    return credentials.user ?? 'admin';
  }
  const host = request.headers.get('host') ?? new URL(request.url).host;
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
