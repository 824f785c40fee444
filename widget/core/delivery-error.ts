/** The endpoint answered a vote with an HTTP error. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';

  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`POST ${url} answered ${status}`);
  }
}
