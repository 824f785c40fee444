/**
 * The collector's refusals. The data layer throws the first four, which know nothing of HTTP;
 * the app turns every one of them into a status code in one place (`app.ts`, `answerError`).
 * Each names the one input at fault, when there is one, as `field`.
 */

/** A body, parameter or header that is not what its route accepts (400). */
export class ValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** No record or delivery has that id (404). */
export class NotFoundError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The thing exists but is not in a state the request can change (409). */
export class StateConflictError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'StateConflictError';
  }
}

/** An `Idempotency-Key` already used for a different request (422). */
export class IdempotencyConflictError extends Error {
  readonly field = 'Idempotency-Key';
  constructor() {
    super('This `Idempotency-Key` was already used for a different request.');
    this.name = 'IdempotencyConflictError';
  }
}

/** A refusal of the HTTP layer itself (auth, limits, methods), with its status and headers. */
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

/** The embedded database's directory was taken over by another collector (503). */
export class StorageLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageLostError';
  }
}

/**
 * The embedded database's disk has less room than the collector keeps in reserve (503): nothing
 * is written until there is room again.
 */
export class StorageFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageFullError';
  }
}

/** Errors of sockets that mean the database could not be reached, or stopped answering. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** node-postgres's own words when a connection is lost, cannot be had in time, or goes silent. */
const LOST_CONNECTION =
  /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Query read timeout|Client has encountered a connection error|Client was closed)/;

/**
 * Whether `error` says the database is out of reach for now, rather than that the request or
 * the collector is wrong: a socket's failure, a connection node-postgres lost or gave up on,
 * PostgreSQL's connection exceptions (SQLSTATE class 08), a server shutting down or starting
 * (57P01–57P03) or short of a resource (class 53: a full disk, memory, connections), or an
 * embedded database whose directory another collector took over or whose disk is nearly full.
 * Such a request is worth trying again (503).
 */
export function databaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof StorageLostError || error instanceof StorageFullError) return true;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('53')) return true;
    if (/^57P0[123]$/.test(code)) return true;
  }
  // Opening the database at the first request wraps the driver's error as its cause.
  return LOST_CONNECTION.test(error.message) || databaseUnavailable(error.cause);
}
