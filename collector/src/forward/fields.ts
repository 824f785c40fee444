import { validateHeaderValue } from 'node:http';

/** The rules every entry of `FORWARD_FILE` shares, destinations and alerts alike (SPEC §11). */

type Fields = Record<string, unknown>;

/** Reports a problem with one field of an entry; never returns. */
export type Fail = (field: string, problem: string) => never;

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A destination's or alert's name (SPEC §11). */
export const NAME = /^[a-z0-9-]{1,40}$/;

const VARIABLE = /\$\{([^}]*)\}/g;

/**
 * The environment's value of each `${NAME}` in `template`, read once at start-up; each is added
 * to `secrets`, to be scrubbed from anything kept or shown. `problem` reports a NAME not set, or
 * set to nothing: as everywhere, an empty variable is unset (Docker Compose passes one missing
 * on the host as empty), and a credential filled in as nothing would fail every delivery. Spaces
 * alone are a secret store's template filled with nothing, refused too.
 */
export function variablesIn(
  template: string,
  env: NodeJS.ProcessEnv,
  secrets: string[],
  problem: (variable: string, why: string) => never,
): Map<string, string> {
  const values = new Map<string, string>();
  for (const [, variable = ''] of template.matchAll(VARIABLE)) {
    const value = env[variable];
    if (value === undefined) problem(variable, `no variable ${variable} is set`);
    if (value === '') problem(variable, `the variable ${variable} is empty`);
    if (value?.trim() === '') problem(variable, `the variable ${variable} holds only spaces`);
    secrets.push(value as string);
    values.set(variable, value as string);
  }
  return values;
}

/** `text` with each `${NAME}` that `values` holds replaced by its value. */
export function fillVariables(text: string, values: Map<string, string>): string {
  return text.replace(VARIABLE, (whole, variable: string) => values.get(variable) ?? whole);
}

/**
 * Headers the worker writes itself (the body's type and length, the delivery's key), and those
 * that say how a request is framed or its connection kept: one given in the file would be
 * dropped without a word, or (`Transfer-Encoding` beside the length) fail every delivery.
 */
const OWN_HEADERS = [
  'content-type',
  'content-length',
  'idempotency-key',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
];

export function parseHeaders(value: unknown, env: NodeJS.ProcessEnv, fail: Fail) {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  if (value === undefined) return { headers, secrets };
  if (!isObject(value)) return fail('headers', 'must be an object of header names to texts');
  const named = new Map<string, string>();
  for (const [name, template] of Object.entries(value)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      fail(`headers`, `has an invalid name "${name}"`);
    const lower = name.toLowerCase();
    if (OWN_HEADERS.includes(lower)) {
      fail(`headers.${name}`, 'is set by the collector itself on every request; remove it');
    }
    // Header names are not case-sensitive: only one of the two would be sent.
    const earlier = named.get(lower);
    if (earlier !== undefined) fail(`headers.${name}`, `is the same header as "${earlier}"`);
    named.set(lower, name);
    if (typeof template !== 'string') return fail(`headers.${name}`, 'must be a text');
    const values = variablesIn(template, env, secrets, (variable, why) =>
      fail(`headers.${name}`, `uses \${${variable}}, but ${why}`),
    );
    headers[name] = fillVariables(template, values);
    try {
      validateHeaderValue(name, headers[name]);
    } catch {
      // Node refuses it as each delivery is sent; the value, often a secret, is not shown.
      fail(`headers.${name}`, 'holds a character no header may (a line break or another control)');
    }
  }
  return { headers, secrets };
}
