/**
 * When a vote is sent again, for the browser's outbox (SPEC §6) and the collector's forwarding
 * outbox (§11) alike: which answers are worth a retry, and how long to wait before it.
 */

/** A network error aside, only these answers are retried; any other non-2xx is final. */
export function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * `Retry-After` as seconds or an HTTP date, in ms from `now`; 0 when absent or bad. A date in
 * the past gives a negative wait: both callers wait at least their backoff anyway.
 */
export function retryAfterMs(header: string | null, now: number): number {
  if (!header) return 0;
  const seconds = Number(header);
  // At most 1e10 ms (115 days, past either side's time to give up): `Infinity` is no reason to
  // retry at once (JSON stores it as null), nor a date past the year 275760 a valid one.
  return Math.min(1e10, (Number.isNaN(seconds) ? Date.parse(header) - now : seconds * 1000) || 0);
}

/**
 * Exponential backoff with jitter, so clients that failed together do not retry together: a
 * random time in the second half of 1 s doubled per attempt (`attempts` from 1), capped at
 * `maxMs`.
 */
export function backoffMs(attempts: number, random: number, maxMs: number): number {
  return Math.min(maxMs, 1000 * 2 ** (attempts - 1)) * (0.5 + random / 2);
}
