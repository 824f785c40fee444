import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** SPEC §14: a request's `X-Request-Id` when it is 1–64 characters of [A-Za-z0-9._-], else a new id. */
export function requestIdOf(given: string | null | undefined): string {
  return given !== null && given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}
