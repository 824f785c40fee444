import { readFileSync } from 'node:fs';
import { CollectorConfigError } from '../config';
import { type Alert, parseAlert } from './alerts';
import { type Destination, parseDestination } from './destinations';
import { type Fail, isObject } from './fields';

/** What `FORWARD_FILE` configures: where votes are forwarded, and the alerts (SPEC §11, §12). */
export interface ForwardFile {
  destinations: Destination[];
  alerts: Alert[];
}

/**
 * Parses and checks `FORWARD_FILE`; every problem names the file, the destination or alert, and
 * the field. Names are unique across destinations and alerts: both are a delivery's destination.
 */
export function loadForwardFile(file: string, env: NodeJS.ProcessEnv): ForwardFile {
  const fail = (where: string, problem: string): never => {
    throw new CollectorConfigError('FORWARD_FILE', `${file}: ${where}${problem}`);
  };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail('', `cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail('', `is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) return fail('', 'must hold a JSON object');
  for (const key of Object.keys(parsed)) {
    if (key !== 'destinations' && key !== 'alerts') fail('', `has an unknown field \`${key}\``);
  }
  const list = (key: 'destinations' | 'alerts'): unknown[] =>
    parsed[key] === undefined
      ? []
      : Array.isArray(parsed[key])
        ? parsed[key]
        : fail('', `\`${key}\` must be an array`);
  const names = new Set<string>();
  const each = <T extends { name: string }>(
    kind: 'destination' | 'alert',
    parse: (entry: unknown, fail: Fail) => T,
  ) =>
    list(kind === 'destination' ? 'destinations' : 'alerts').map((entry, index) => {
      const label =
        isObject(entry) && typeof entry.name === 'string' ? entry.name : `#${index + 1}`;
      const parsedEntry = parse(entry, (field, problem) =>
        fail(`${kind} "${label}": `, `\`${field}\` ${problem}`),
      );
      if (names.has(parsedEntry.name)) {
        fail(`${kind} "${label}": `, '`name` is used by an earlier destination or alert');
      }
      names.add(parsedEntry.name);
      return parsedEntry;
    });
  return {
    destinations: each('destination', (entry, problem) => parseDestination(entry, env, problem)),
    alerts: each('alert', (entry, problem) => parseAlert(entry, env, problem)),
  };
}
