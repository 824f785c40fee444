/** A page set an option the widget cannot use; `option` is its camelCase name. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  // Declared, not class fields: assigned once below, with no `option;` in the bundle.
  declare readonly option: string;
  declare readonly reason: string;

  constructor(option: string, reason: string) {
    super(`\`${option}\` ${reason}`);
    this.option = option;
    this.reason = reason;
  }
}
