/** A page set an option the widget cannot use; `option` is its camelCase name. */
export class ConfigError extends Error {
  override name = 'ConfigError';

  constructor(
    readonly option: string,
    readonly reason: string,
  ) {
    super(`\`${option}\` ${reason}`);
  }
}
