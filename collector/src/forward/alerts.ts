import { parseWindow, RATINGS, type Rating } from '../../../widget/core/vocabulary';
import { MAX_DAYS, MAX_DURATION_MS } from '../durations';
import { type Fail, fillVariables, isObject, NAME, parseHeaders, variablesIn } from './fields';

/** What an alert has whatever it watches (SPEC §12 "Alerts"). */
interface AlertBase {
  name: string;
  format: 'slack' | 'json';
  /** As the file writes it, `${NAME}` kept: what a delivery stores, so no secret is stored. */
  urlTemplate: string;
  /** The values of the `${NAME}`s in `urlTemplate`, filled in only as a delivery is sent. */
  variables: Map<string, string>;
  headers: Record<string, string>;
  /** The environment values in `url` and `headers`, scrubbed from anything kept or shown. */
  secrets: string[];
  /** Not delivered within this long after it fired: failed, never sent late. */
  maxAgeMs: number;
}

/** One alert for each stored record with a comment, of these ratings. */
export interface CommentAlert extends AlertBase {
  when: 'comment';
  ratings: Rating[];
}

/** One alert when a subject's recent votes reach `minVotes` with a down share of `threshold`. */
export interface DownRateAlert extends AlertBase {
  when: 'down_rate';
  by: 'message' | 'page';
  /** As written (`1h`), for texts, and in ms. */
  window: string;
  windowMs: number;
  minVotes: number;
  threshold: number;
}

export type Alert = CommentAlert | DownRateAlert;

const COMMON = ['name', 'when', 'format', 'url', 'headers', 'max_age'];
const ONLY: Record<Alert['when'], string[]> = {
  comment: ['rating'],
  down_rate: ['by', 'window', 'min_votes', 'threshold'],
};

function duration(value: unknown, field: string, fail: Fail): number {
  const ms = typeof value === 'string' ? parseWindow(value) : undefined;
  if (ms === undefined || ms === 0 || !(ms <= MAX_DURATION_MS)) {
    return fail(
      field,
      `must be a duration from 1m to ${MAX_DAYS}d, such as 30m, 1h or 7d: ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

function ratings(value: unknown, fail: Fail): Rating[] {
  if (value === undefined) return RATINGS;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((item) => !RATINGS.includes(item as Rating))
  ) {
    return fail('rating', `must be a list of ${RATINGS.join(', ')}`);
  }
  return value as Rating[];
}

function downRate(entry: Record<string, unknown>, fail: Fail) {
  const { by, window, min_votes: minVotes, threshold } = entry;
  if (by !== 'message' && by !== 'page') return fail('by', 'must be message or page');
  // As the attention ranking takes it: a count no window of votes reaches would never alert.
  if (
    typeof minVotes !== 'number' ||
    !Number.isInteger(minVotes) ||
    minVotes < 1 ||
    minVotes > 1_000_000
  ) {
    return fail('min_votes', 'must be a whole number from 1 to 1000000');
  }
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    return fail('threshold', 'must be a share of down votes from 0 to 1, such as 0.5');
  }
  return {
    by,
    window: String(window),
    windowMs: duration(window, 'window', fail),
    minVotes,
    threshold,
  } as const;
}

function url(value: unknown, env: NodeJS.ProcessEnv, secrets: string[], fail: Fail) {
  if (typeof value !== 'string') return fail('url', 'must be an http(s) URL');
  const variables = variablesIn(value, env, secrets, (variable, why) =>
    fail('url', `uses \${${variable}}, but ${why}`),
  );
  let parsed: URL | undefined;
  try {
    parsed = new URL(fillVariables(value, variables));
  } catch {}
  // The message shows the URL as written: the filled one may hold a webhook's secret.
  if (!parsed || !/^https?:$/.test(parsed.protocol))
    fail('url', `must be an http(s) URL: "${value}"`);
  return { urlTemplate: value, variables };
}

/** One entry of `alerts` in `FORWARD_FILE`, checked; `fail` names the field at fault. */
export function parseAlert(entry: unknown, env: NodeJS.ProcessEnv, fail: Fail): Alert {
  if (!isObject(entry)) return fail('alert', 'must be a JSON object');
  const { name, when, format } = entry;
  if (typeof name !== 'string' || !NAME.test(name)) {
    return fail('name', 'must be 1 to 40 of a-z, 0-9 and -');
  }
  if (when !== 'comment' && when !== 'down_rate')
    return fail('when', 'must be comment or down_rate');
  for (const key of Object.keys(entry)) {
    if (ONLY[when].includes(key) || COMMON.includes(key)) continue;
    const other = when === 'comment' ? 'down_rate' : 'comment';
    fail(
      key,
      ONLY[other].includes(key)
        ? `applies to when ${other} only`
        : `is not a field (known: ${[...COMMON, ...ONLY[when]].join(', ')})`,
    );
  }
  if (format !== 'slack' && format !== 'json') return fail('format', 'must be slack or json');
  const { headers, secrets } = parseHeaders(entry.headers, env, fail);
  const base = {
    name,
    format,
    ...url(entry.url, env, secrets, fail),
    headers,
    secrets,
    maxAgeMs: entry.max_age === undefined ? 3_600_000 : duration(entry.max_age, 'max_age', fail),
  } as const;
  return when === 'comment'
    ? { ...base, when, ratings: ratings(entry.rating, fail) }
    : { ...base, when, ...downRate(entry, fail) };
}
