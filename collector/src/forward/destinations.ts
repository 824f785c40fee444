import {
  defaultScale,
  type Format,
  parseScale,
  RATINGS,
  type Rating,
  type Scale,
  FORMATS as WIDGET_FORMATS,
} from '../../../widget/core/vocabulary';
import { type Fail, fillVariables, isObject, NAME, parseHeaders, variablesIn } from './fields';

export type DestinationFormat = Format | 'langfuse';

/** One API the collector forwards votes to (SPEC §11), decided once at start-up. */
export interface Destination {
  name: string;
  format: DestinationFormat;
  /**
   * May hold the placeholders of `data-endpoint`, and `${NAME}`s: kept in what a delivery
   * stores, so no secret is stored, and filled only as it is sent.
   */
  url: string;
  /** The values of the `${NAME}`s in `url`. */
  variables: Map<string, string>;
  scale: Scale;
  /** The number sent per rating; absent: the record's 0–10 score mapped onto `scale`. */
  values: Partial<Record<Rating, number>>;
  scoreName: string;
  /** With `${NAME}` already replaced: these hold secrets and are never stored or shown. */
  headers: Record<string, string>;
  /** The environment values put into `headers`, to be scrubbed from anything kept or shown. */
  secrets: string[];
  /** Only these ratings are forwarded. */
  ratings: Rating[];
}

const FORMATS: DestinationFormat[] = [...WIDGET_FORMATS, 'langfuse'];
const FIELDS = ['name', 'format', 'url', 'scale', 'values', 'score_name', 'headers', 'when'];
const PLACEHOLDERS = /^(conversationId|messageId|sessionId|vote|rating)$/;
/** A placeholder of `data-endpoint`: `{name}`, but not the `{NAME}` of a `${NAME}`. */
export const PLACEHOLDER = /(?<!\$)\{([^}]*)\}/g;
const SCALED: DestinationFormat[] = ['event', 'score', 'quality', 'langfuse'];

/** One entry of `destinations`, checked; `fail` names the field at fault. */
export function parseDestination(entry: unknown, env: NodeJS.ProcessEnv, fail: Fail): Destination {
  if (!isObject(entry)) return fail('destination', 'must be a JSON object');
  for (const key of Object.keys(entry)) {
    if (!FIELDS.includes(key)) fail(key, `is not a field (known: ${FIELDS.join(', ')})`);
  }
  const { name, format } = entry;
  if (typeof name !== 'string' || !NAME.test(name)) {
    return fail('name', 'must be 1 to 40 of a-z, 0-9 and -');
  }
  if (!FORMATS.includes(format as DestinationFormat)) {
    return fail('format', `must be one of ${FORMATS.join(', ')}`);
  }
  const chosen = format as DestinationFormat;
  if (entry.scale !== undefined && !SCALED.includes(chosen)) {
    fail('scale', `does not apply to format ${chosen}`);
  }
  // A Langfuse score is 0..1 unless the destination says otherwise, like a `score` body.
  const fallback = defaultScale(chosen === 'langfuse' ? 'score' : chosen);
  const scale = scaleOf(entry.scale ?? fallback, fail);
  if (entry.score_name !== undefined && chosen !== 'langfuse') {
    fail('score_name', 'applies to format langfuse only');
  }
  const scoreName = entry.score_name ?? 'user-feedback';
  if (typeof scoreName !== 'string' || !/^\S.{0,199}$/.test(scoreName)) {
    return fail('score_name', 'must be a text of 1 to 200 characters');
  }
  const { headers, secrets } = parseHeaders(entry.headers, env, fail);
  return {
    name,
    format: chosen,
    ...parseUrl(entry.url, env, secrets, fail),
    scale,
    values: parseValues(entry.values, chosen, scale, fail),
    scoreName,
    headers,
    secrets,
    ratings: parseWhen(entry.when, fail),
  };
}

function parseUrl(value: unknown, env: NodeJS.ProcessEnv, secrets: string[], fail: Fail) {
  if (typeof value !== 'string') return fail('url', 'must be an http(s) URL');
  for (const [, placeholder] of value.matchAll(PLACEHOLDER)) {
    if (!PLACEHOLDERS.test(placeholder as string)) {
      fail('url', `has an unknown placeholder {${placeholder}}`);
    }
  }
  const variables = variablesIn(value, env, secrets, (variable, why) =>
    fail('url', `uses \${${variable}}, but ${why}`),
  );
  let url: URL | undefined;
  try {
    url = new URL(fillVariables(value.replace(PLACEHOLDER, 'x'), variables));
  } catch {}
  // The message shows the URL as written: the filled one may hold a secret.
  if (!url || !/^https?:$/.test(url.protocol)) fail('url', `must be an http(s) URL: "${value}"`);
  return { url: value, variables };
}

function scaleOf(value: unknown, fail: Fail): Scale {
  const scale = typeof value === 'string' ? parseScale(value) : undefined;
  return (
    scale ?? fail('scale', `must be MIN..MAX with MIN below MAX, e.g. "0..1": ${String(value)}`)
  );
}

function parseValues(
  value: unknown,
  format: DestinationFormat,
  scale: Scale,
  fail: Fail,
): Partial<Record<Rating, number>> {
  if (value === undefined) return {};
  if (format === 'sentiment') return fail('values', 'does not apply to format sentiment');
  if (!isObject(value)) return fail('values', 'must be an object like { "up": 1, "down": 0 }');
  const values: Partial<Record<Rating, number>> = {};
  for (const [rating, number] of Object.entries(value)) {
    if (!RATINGS.includes(rating as Rating)) fail(`values.${rating}`, 'is not a rating');
    // The vote format's APIs take whole numbers 1..100 up and -100..-1 down, and no neutral.
    const [min, max] =
      format !== 'vote'
        ? [scale.min, scale.max]
        : rating === 'up'
          ? [1, 100]
          : rating === 'down'
            ? [-100, -1]
            : fail('values.neutral', 'does not apply to format vote');
    const whole = format === 'vote';
    if (typeof number !== 'number' || !(number >= min && number <= max) || (whole && number % 1)) {
      fail(`values.${rating}`, `must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}`);
    }
    values[rating as Rating] = number as number;
  }
  return values;
}

function parseWhen(value: unknown, fail: Fail): Rating[] {
  if (value === undefined) return RATINGS;
  if (!isObject(value)) return fail('when', 'must be an object like { "rating": ["down"] }');
  for (const key of Object.keys(value)) {
    if (key !== 'rating') fail(`when.${key}`, 'is not a field (known: rating)');
  }
  const { rating } = value;
  if (
    !Array.isArray(rating) ||
    rating.length === 0 ||
    rating.some((item) => !RATINGS.includes(item as Rating))
  ) {
    return fail('when.rating', `must be a list of ${RATINGS.join(', ')}`);
  }
  return rating as Rating[];
}
