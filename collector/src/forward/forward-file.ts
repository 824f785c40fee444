import { readFileSync, type Stats, statSync } from 'node:fs';
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
 * Far more than any list of destinations and alerts needs (one takes about 200 bytes), and read
 * whole at start-up: a file past it is a mistake, such as a log or a dump named in its place.
 */
const MAX_BYTES = 1024 * 1024;

/** Whether `JSON.parse` finds nothing wrong in `text`, the start of a longer text, before its end. */
function soundSoFar(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch (error) {
    const { message } = error as Error;
    const at = /at position (\d+)/.exec(message)?.[1];
    return message === 'Unexpected end of JSON input' || Number(at) >= text.length;
  }
}

/**
 * Where `JSON.parse` failed on `text`: the position its message names, else (its "Unexpected
 * token" messages name none) the end of the longest start of `text` that is sound so far.
 */
function syntaxErrorAt(text: string, error: unknown): number {
  const at = /at position (\d+)/.exec((error as Error).message)?.[1];
  if (at !== undefined) return Number(at);
  if (soundSoFar(text)) return text.length;
  let sound = 0;
  let wrong = text.length;
  while (wrong - sound > 1) {
    const middle = Math.floor((sound + wrong) / 2);
    if (soundSoFar(text.slice(0, middle))) sound = middle;
    else wrong = middle;
  }
  return sound;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${(before.at(-1) as string).length + 1}`;
}

/** A JSON string token, or one of the characters that shape objects and arrays. */
const TOKEN = /"(?:[^"\\]|\\.)*"|[{}[\]:]/g;

/**
 * The first key that appears twice in one object of `text`, valid JSON, with where it appears
 * the second time: `JSON.parse` keeps the last and drops the first without a word, so a
 * destination's `url` written twice would send votes where the operator did not look.
 */
function repeatedKey(text: string): { key: string; at: number } | undefined {
  /** The keys of each object being read, innermost last; `null` for an array. */
  const open: (Set<string> | null)[] = [];
  let key: { key: string; at: number } | undefined;
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    if (token === ':' && key !== undefined) {
      const keys = open.at(-1);
      if (keys?.has(key.key)) return key;
      keys?.add(key.key);
    } else if (token === '{') open.push(new Set());
    else if (token === '[') open.push(null);
    else if (token === '}' || token === ']') open.pop();
    key = token.startsWith('"') ? { key: JSON.parse(token), at: match.index } : undefined;
  }
  return undefined;
}

/**
 * Parses and checks `FORWARD_FILE`; every problem names the setting as `setting` spells it
 * (`forwardFile` or `FORWARD_FILE`), the file, the destination or alert, and the field. Names are
 * unique across destinations and alerts: both are a delivery's destination.
 */
export function loadForwardFile(
  file: string,
  env: NodeJS.ProcessEnv,
  setting: string,
): ForwardFile {
  const fail = (where: string, problem: string): never => {
    throw new CollectorConfigError(setting, `${file}: ${where}${problem}`);
  };
  const unreadable = (error: unknown) =>
    fail('', `cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  // Looked at before it is opened: opening a FIFO waits for a writer, deaf to SIGTERM, and a
  // device such as /dev/zero is read until the memory runs out.
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    return unreadable(error);
  }
  if (stats.isDirectory()) return fail('', 'is a directory, not a file');
  if (!stats.isFile()) return fail('', 'is not a regular file (a FIFO, socket or device)');
  if (stats.size > MAX_BYTES) {
    return fail('', `is ${stats.size} bytes; it may be ${MAX_BYTES} (1 MiB) at most`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return unreadable(error);
  }
  if (text.trim() === '') return fail('', 'is empty');
  // Editors on Windows may save a byte order mark, which JSON.parse takes for a stray character.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the mistake, which may be a secret written in place.
    return fail('', `is not valid JSON at ${lineAndColumn(text, syntaxErrorAt(text, error))}`);
  }
  const repeated = repeatedKey(text);
  if (repeated) {
    return fail(
      '',
      `has the field \`${repeated.key}\` twice in one object (again at ${lineAndColumn(text, repeated.at)}); JSON keeps only the last`,
    );
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
