import { CollectorConfigError, type Kind } from './config';

/** How an option of `createCollector` is written: as a setting, or as what only code can give. */
export type OptionKind = Kind | 'function' | 'variables' | 'log destination' | 'naming';

const isString = (value: unknown) => typeof value === 'string';
const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What each kind accepts, and how a refusal says it. */
const ACCEPTS: Record<OptionKind, [accepts: (value: unknown) => boolean, expected: string]> = {
  text: [isString, 'a string'],
  number: [(value) => typeof value === 'number', 'a number'],
  window: [
    (value) => isString(value) || typeof value === 'number',
    'a string such as 24h, or a number of ms',
  ],
  list: [
    (value) => isString(value) || (Array.isArray(value) && value.every(isString)),
    'a comma-separated string or a list of strings',
  ],
  boolean: [(value) => typeof value === 'boolean', 'true or false'],
  function: [(value) => typeof value === 'function', 'a function'],
  variables: [
    (value) =>
      isObject(value) && Object.values(value).every((text) => text === undefined || isString(text)),
    'an object of strings, such as process.env',
  ],
  naming: [(value) => value === 'options' || value === 'environment', "'options' or 'environment'"],
  'log destination': [
    (value) => isObject(value) && typeof (value as { write?: unknown }).write === 'function',
    'an object with a write(line) method',
  ],
};

/**
 * What a refusal says was given: its kind, never its value, which may be a secret (a token, a
 * connection string with its password).
 */
function given(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const odd = value.find((item) => !isString(item));
    return odd === undefined ? 'a list' : `a list holding ${given(odd)}`;
  }
  const kind = typeof value;
  return kind === 'object' ? 'an object' : `a${/^[aeiou]/.test(kind) ? 'n' : ''} ${kind}`;
}

/** Letters alone, lowercase: `databaseURL`, `DATABASE_URL` and `databaseUrl` spell the same. */
const spelling = (name: string) => name.toLowerCase().replace(/[^a-z]/g, '');

/**
 * Checks that `options` is an object whose every key is one of `kinds` and every value is of
 * its kind or undefined, so a typo (`databaseURL`) or a number where a string belongs fails
 * here, named, instead of being ignored or failing later without a name.
 */
export function checkOptions(options: unknown, kinds: Readonly<Record<string, OptionKind>>): void {
  if (!isObject(options)) {
    throw new CollectorConfigError(
      'options',
      `must be an object of settings, such as { databaseUrl: process.env.DATABASE_URL }: got ${given(options)}.`,
    );
  }
  for (const [name, value] of Object.entries(options)) {
    const kind = Object.hasOwn(kinds, name) ? kinds[name] : undefined;
    if (kind === undefined) {
      const known = Object.keys(kinds).find((option) => spelling(option) === spelling(name));
      throw new CollectorConfigError(
        name,
        known === undefined
          ? 'is not an option: the options are the variables of `npx feedback-collector --help` in camelCase, such as databaseUrl.'
          : `is not an option: did you mean \`${known}\`?`,
      );
    }
    if (value === undefined) continue;
    const [accepts, expected] = ACCEPTS[kind];
    if (!accepts(value)) {
      throw new CollectorConfigError(name, `must be ${expected}: got ${given(value)}.`);
    }
  }
}
