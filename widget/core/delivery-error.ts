/** The endpoint answered a vote with an HTTP error. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  // Declared, not class fields: assigned once below, with no `url;` in the bundle.
  declare readonly url: string;
  declare readonly status: number;

  constructor(url: string, status: number) {
    super(`POST ${url} answered ${status}`);
    this.url = url;
    this.status = status;
  }
}
