import type { IncomingMessage } from 'node:http';

export const ALLOWED_HEADERS = 'Content-Type, Idempotency-Key, Authorization';

function pattern(origin: string): RegExp {
  const escaped = origin.replace(/\/+$/, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  // `host:*` allows any port, and no port at all (the scheme's default).
  return new RegExp(`^${escaped.replace(/:\*$/, '(:\\d+)?').replace(/\*/g, '[^/]*')}$`, 'i');
}

/**
 * Decides which browser origins may call the API. A request without `Origin` is not a
 * cross-origin browser request, and one from the collector's own origin is same-origin: both pass.
 */
export function createOriginPolicy(allowed: string[]) {
  const patterns = allowed.map(pattern);
  return (request: IncomingMessage): { allowed: boolean; origin: string | undefined } => {
    const origin = request.headers.origin;
    if (origin === undefined) return { allowed: true, origin };
    const own = `http://${request.headers.host}`.toLowerCase() === origin.toLowerCase();
    return { allowed: own || patterns.some((p) => p.test(origin)), origin };
  };
}
