export const ALLOWED_HEADERS = 'Content-Type, Idempotency-Key, Authorization';

function pattern(origin: string): RegExp {
  const escaped = origin.replace(/\/+$/, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  // `host:*` allows any port, and no port at all (the scheme's default).
  return new RegExp(`^${escaped.replace(/:\*$/, '(:\\d+)?').replace(/\*/g, '[^/]*')}$`, 'i');
}

/** Where the collector listens, known once it does. */
export interface Listening {
  host: string;
  port: number;
}

interface OwnOriginConfig {
  publicOrigin: string | undefined;
  trustProxy: number;
}

const LOOPBACK_BIND = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const WILDCARD_BIND = /^(0\.0\.0\.0|::)$/;

/**
 * The collector's own origin for this request: `PUBLIC_URL` when set; behind trusted proxies,
 * the scheme and host they forward; on loopback, the loopback names with the port it listens
 * on (never the request's `Host`, which a rebound DNS name controls); on a wildcard address,
 * the request's `Host`, as nothing else names it; mounted in another server, the origin that
 * server gave the request.
 */
function ownOrigins(request: Request, config: OwnOriginConfig, at: Listening | undefined) {
  if (config.publicOrigin !== undefined) return [config.publicOrigin];
  const forwardedProto = request.headers.get('x-forwarded-proto');
  const host = request.headers.get('host');
  if (config.trustProxy > 0 && forwardedProto !== null) {
    const forwardedHost = request.headers.get('x-forwarded-host') ?? host;
    return [`${forwardedProto.split(',')[0]?.trim()}://${forwardedHost?.split(',')[0]?.trim()}`];
  }
  if (at === undefined) return [new URL(request.url).origin];
  if (LOOPBACK_BIND.test(at.host)) {
    return ['127.0.0.1', 'localhost', '[::1]'].map((name) => `http://${name}:${at.port}`);
  }
  if (WILDCARD_BIND.test(at.host)) return [`http://${host}`];
  return [`http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`];
}

/** What the origin policy decided for one request. */
export interface OriginVerdict {
  /** The request's `Origin`, when it has one. */
  origin: string | undefined;
  /** No `Origin` (not a browser's cross-origin request), the collector's own, or a listed one. */
  allowed: boolean;
  /** No `Origin`, or the collector's own: what the team's write routes require. */
  own: boolean;
}

/**
 * Decides which browser origins may call the API. A request without `Origin` is not a
 * cross-origin browser request, and one from the collector's own origin is same-origin: both pass.
 */
export function createOriginPolicy(
  allowed: string[],
  config: OwnOriginConfig,
  listening: () => Listening | undefined,
) {
  const patterns = allowed.map(pattern);
  return (request: Request): OriginVerdict => {
    const origin = request.headers.get('origin') ?? undefined;
    if (origin === undefined) return { origin, allowed: true, own: true };
    const own = ownOrigins(request, config, listening()).some(
      (candidate) => candidate.toLowerCase() === origin.toLowerCase(),
    );
    return { origin, allowed: own || patterns.some((p) => p.test(origin)), own };
  };
}
