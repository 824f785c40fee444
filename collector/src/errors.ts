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
