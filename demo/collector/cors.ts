import type { IncomingMessage } from 'node:http';

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
 * the request's `Host`, as nothing else names it.
 */
function ownOrigins(request: IncomingMessage, config: OwnOriginConfig, at: Listening): string[] {
  if (config.publicOrigin !== undefined) return [config.publicOrigin];
  const forwardedProto = request.headers['x-forwarded-proto'];
  if (config.trustProxy > 0 && typeof forwardedProto === 'string') {
    const forwardedHost = request.headers['x-forwarded-host'];
    const host = typeof forwardedHost === 'string' ? forwardedHost : request.headers.host;
    return [`${forwardedProto.split(',')[0]?.trim()}://${host?.split(',')[0]?.trim()}`];
  }
  if (LOOPBACK_BIND.test(at.host)) {
    return ['127.0.0.1', 'localhost', '[::1]'].map((name) => `http://${name}:${at.port}`);
  }
  if (WILDCARD_BIND.test(at.host)) return [`http://${request.headers.host}`];
  return [`http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`];
}

/**
 * Decides which browser origins may call the API. A request without `Origin` is not a
 * cross-origin browser request, and one from the collector's own origin is same-origin: both pass.
 */
export function createOriginPolicy(
  allowed: string[],
  config: OwnOriginConfig,
  listening: () => Listening,
) {
  const patterns = allowed.map(pattern);
  return (request: IncomingMessage): { allowed: boolean; origin: string | undefined } => {
    const origin = request.headers.origin;
    if (origin === undefined) return { allowed: true, origin };
    const own = ownOrigins(request, config, listening()).some(
      (candidate) => candidate.toLowerCase() === origin.toLowerCase(),
    );
    return { allowed: own || patterns.some((p) => p.test(origin)), origin };
  };
}
