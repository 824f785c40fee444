/** The rules every entry of `FORWARD_FILE` shares, destinations and alerts alike (SPEC §11). */

type Fields = Record<string, unknown>;

/** Reports a problem with one field of an entry; never returns. */
export type Fail = (field: string, problem: string) => never;

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A destination's or alert's name (SPEC §11). */
export const NAME = /^[a-z0-9-]{1,40}$/;

/**
 * `template` with each `${NAME}` replaced by that environment variable; the values used are
 * added to `secrets`, to be scrubbed from anything kept or shown.
 */
export function fillVariables(
  template: string,
  env: NodeJS.ProcessEnv,
  secrets: string[],
  problem: (variable: string) => never,
): string {
  return template.replace(/\$\{([^}]*)\}/g, (_, variable: string) => {
    const secret = env[variable];
    if (secret === undefined) problem(variable);
    if (secret) secrets.push(secret);
    return secret ?? '';
  });
}

export function parseHeaders(value: unknown, env: NodeJS.ProcessEnv, fail: Fail) {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  if (value === undefined) return { headers, secrets };
  if (!isObject(value)) return fail('headers', 'must be an object of header names to texts');
  for (const [name, template] of Object.entries(value)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      fail(`headers`, `has an invalid name "${name}"`);
    if (typeof template !== 'string') return fail(`headers.${name}`, 'must be a text');
    headers[name] = fillVariables(template, env, secrets, (variable) =>
      fail(`headers.${name}`, `uses \${${variable}}, but no variable ${variable} is set`),
    );
  }
  return { headers, secrets };
}
