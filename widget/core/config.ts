import { ConfigError } from './config-error';
import {
  defaultScale,
  FORMATS,
  type Format,
  parseScale,
  parseWindow,
  RATINGS,
  type Rating,
  type Scale,
} from './vocabulary';

export type { Format, Rating, Scale };

/** Every option a page can set, in camelCase; attributes are their kebab-case forms. */
export const OPTION_NAMES = [
  'endpoint',
  'format',
  'conversationId',
  'messageId',
  'sessionId',
  'neutral',
  'upValue',
  'downValue',
  'neutralValue',
  'scale',
  'ask',
  'reasons',
  'reasonsUp',
  'comment',
  'commentMax',
  'dedupe',
  'allowChange',
  'metadata',
  'token',
  'credentials',
  'locale',
  'prompt',
  'labelUp',
  'labelDown',
  'labelNeutral',
  'thanks',
  'queuedText',
  'failedText',
  'variant',
  'theme',
  'userId',
  'sentAt',
  'messageContent',
  'traceId',
] as const;

export type OptionName = (typeof OPTION_NAMES)[number];
/** Options as attributes carry them: text, absent when not set. */
export type RawOptions = Partial<Record<OptionName, string>>;

export type Ask = 'down' | 'always' | 'never';
export type Theme = 'auto' | 'light' | 'dark';
export type Variant = 'inline' | 'compact';

/** Options after validation: every field decided, nothing left for downstream code to check. */
export interface Config {
  endpoint: string;
  format: Format;
  conversationId: string | undefined;
  messageId: string | undefined;
  sessionId: string | undefined;
  userId: string | undefined;
  traceId: string | undefined;
  neutral: boolean;
  values: Record<Rating, number>;
  scale: Scale;
  ask: Ask;
  /** Reason choices as the page wrote them: `Label` or `key=Label`. */
  reasons: string[] | undefined;
  reasonsUp: string[];
  comment: boolean;
  commentMax: number;
  /** How long a vote is remembered, in ms; 0 = off, Infinity = forever. */
  dedupeMs: number;
  allowChange: boolean;
  metadata: Record<string, unknown> | undefined;
  token: string | undefined;
  credentials: RequestCredentials;
  locale: string;
  /** The visible texts the page set; the rest come from the locale. */
  texts: Partial<
    Record<'prompt' | 'up' | 'down' | 'neutral' | 'thanks' | 'queued' | 'failed', string>
  >;
  variant: Variant;
  theme: Theme;
  sentAt: number;
  messageContent: string | undefined;
}

export interface PageContext {
  /** Base for relative endpoints: the page's URL. */
  baseUrl: string;
  /** `<html lang>`, possibly empty. */
  lang: string;
  now: number;
}

/** One of `allowed`; the first is the default. */
function oneOf<T extends string>(raw: RawOptions, key: OptionName, allowed: T[]): T {
  const value = raw[key] ?? (allowed[0] as T);
  if (!allowed.includes(value as T)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function flag(raw: RawOptions, key: OptionName, fallback: boolean): boolean {
  const value = raw[key];
  if (value === undefined) return fallback;
  // A bare attribute (`<feedback-widget neutral>`) reads as "", which HTML treats as on.
  if (value === '' || value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(key, `must be true or false, got "${value}"`);
}

/** A number option within `min..max` (whole when `whole`), or undefined when not set. */
function number(raw: RawOptions, key: OptionName, [min, max]: number[], whole = false) {
  const text = raw[key];
  if (text === undefined) return undefined;
  const value = text.trim() ? Number(text) : Number.NaN;
  if (!(value >= (min as number) && value <= (max as number)) || (whole && value % 1)) {
    throw new ConfigError(
      key,
      `must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}, got "${text}"`,
    );
  }
  return value;
}

function list(text: string | undefined): string[] | undefined {
  // `key=` with its label left blank (a missing translation) is labelled by its key.
  return text?.split('|').flatMap((item) => item.trim().replace(/^([\w.-]+)=$/, '$1') || []);
}

/** An id option, trimmed; blank is none. The collector takes up to 200 characters. */
function id(raw: RawOptions, key: OptionName): string | undefined {
  const value = raw[key]?.trim() || undefined;
  if ([...(value ?? '')].length > 200) {
    throw new ConfigError(key, 'must be at most 200 characters');
  }
  return value;
}

/** Text with each lone surrogate (an emoji cut in two) as U+FFFD: the collector refuses them. */
export const wellFormed = (text: string) => text.replace(/\p{Cs}/gu, '\ufffd');

function endpoint(raw: RawOptions, page: PageContext): string {
  const template = raw.endpoint?.trim();
  if (!template) throw new ConfigError('endpoint', 'is required');
  let url: URL | undefined;
  try {
    url = new URL(template, page.baseUrl);
  } catch {}
  // A user name or password in the URL makes fetch() refuse every request.
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password) {
    throw new ConfigError(
      'endpoint',
      `must be an http(s) URL without credentials, got "${template}"`,
    );
  }
  // Keep the braces literal so placeholders can be filled per vote: `%7Bvote%7D` too.
  const href = url.href.replace(/%7B(\w*)%7D/g, '{$1}');
  for (const [, name] of (template + href).matchAll(/\{([^}]*)\}/g)) {
    if (!/^(conversationId|messageId|sessionId|vote|rating)$/.test(name as string)) {
      throw new ConfigError('endpoint', `has an unknown placeholder {${name}}`);
    }
    // `.` and `..` would be read as dot segments and move the request to another path.
    if (name?.endsWith('Id') && /^\.{0,2}$/.test(id(raw, name as OptionName) ?? '')) {
      throw new ConfigError(name, `is required by the endpoint's {${name}}, and not . or ..`);
    }
  }
  return href;
}

function scale(raw: RawOptions, format: Format): Scale {
  if (raw.scale !== undefined && !['event', 'score', 'quality'].includes(format)) {
    throw new ConfigError('scale', `does not apply to format ${format}`);
  }
  // The defaults always parse: only a page's own text can be refused.
  const range = parseScale(raw.scale ?? defaultScale(format));
  // The collector's bound: numbers past it would no longer be exact.
  if (!range || Math.max(-range.min, range.max) > 1e15) {
    throw new ConfigError(
      'scale',
      `must be MIN..MAX with MIN below MAX, both within -1e15..1e15, got "${raw.scale}"`,
    );
  }
  return range;
}

function values(raw: RawOptions, format: Format, range: Scale): Record<Rating, number> {
  // Each rating's default, replaced by the number the page set for it, if any.
  const result = { up: range.max, down: range.min, neutral: (range.min + range.max) / 2 };
  for (const rating of RATINGS) {
    const key = `${rating}Value` as const;
    if (format === 'sentiment' && raw[key] !== undefined) {
      throw new ConfigError(key, 'does not apply to format sentiment');
    }
    // The vote format's backends take whole numbers 1..100 up and -100..-1 down.
    const vote = format === 'vote';
    const bounds = vote ? (rating === 'up' ? [1, 100] : [-100, -1]) : [range.min, range.max];
    result[rating] = number(raw, key, bounds, vote) ?? result[rating];
  }
  return result;
}

function dedupe(raw: RawOptions): number {
  const ms = parseWindow(raw.dedupe ?? '24h');
  if (ms === undefined) {
    throw new ConfigError(
      'dedupe',
      `must be like 30m, 24h, 7d, forever or off, got "${raw.dedupe}"`,
    );
  }
  return ms;
}

function metadata(raw: RawOptions): Record<string, unknown> | undefined {
  if (raw.metadata === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw.metadata, (_, item) =>
      typeof item === 'string' ? wellFormed(item) : item,
    );
  } catch {}
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('metadata', `must be a JSON object, got ${raw.metadata.slice(0, 80)}`);
  }
  return value as Record<string, unknown>;
}

function locale(raw: RawOptions, page: PageContext): string {
  const tag = raw.locale ?? page.lang;
  try {
    const canonical = Intl.getCanonicalLocales(tag || 'en')[0] as string;
    // The collector's limit.
    if (canonical.length <= 35) return canonical;
  } catch {}
  if (raw.locale === undefined) return 'en';
  throw new ConfigError(
    'locale',
    `must be a BCP 47 language tag of at most 35 characters, got "${tag}"`,
  );
}

/**
 * Validates options once, at the boundary.
 * @throws {ConfigError} naming the first option that is wrong.
 */
export function resolveConfig(raw: RawOptions, page: PageContext): Config {
  const format = oneOf(raw, 'format', FORMATS);
  const range = scale(raw, format);
  const neutral = flag(raw, 'neutral', false);
  const url = endpoint(raw, page);
  if (neutral && (format === 'vote' || url.includes('{vote}'))) {
    throw new ConfigError('neutral', 'cannot be used with upvote/downvote endpoints');
  }
  if (format === 'quality' && !id(raw, 'messageId')) {
    throw new ConfigError('messageId', 'is required by format quality');
  }
  const token = raw.token?.trim();
  // Empty means none: a template rendering `data-token="{{ token }}"` for a guest.
  if (token !== undefined && !/^[\x21-\x7e]*$/.test(token)) {
    throw new ConfigError('token', 'must be printable ASCII with no spaces');
  }
  const sentAt = raw.sentAt === undefined ? page.now : Date.parse(raw.sentAt);
  if (Number.isNaN(sentAt)) {
    throw new ConfigError('sentAt', `must be an ISO date-time, got "${raw.sentAt}"`);
  }
  return {
    endpoint: url,
    format,
    conversationId: id(raw, 'conversationId'),
    messageId: id(raw, 'messageId'),
    sessionId: id(raw, 'sessionId'),
    userId: id(raw, 'userId'),
    traceId: id(raw, 'traceId'),
    neutral,
    values: values(raw, format, range),
    scale: range,
    ask: oneOf(raw, 'ask', ['down', 'always', 'never']),
    reasons: list(raw.reasons),
    reasonsUp: list(raw.reasonsUp) ?? [],
    comment: flag(raw, 'comment', true),
    commentMax: number(raw, 'commentMax', [1, 1e5], true) ?? 5000,
    dedupeMs: dedupe(raw),
    allowChange: flag(raw, 'allowChange', false),
    metadata: metadata(raw),
    token: token || undefined,
    credentials: oneOf(raw, 'credentials', ['omit', 'same-origin', 'include']),
    locale: locale(raw, page),
    // Blank (a template's missing translation) leaves the built-in text: none would leave a
    // control without a name.
    texts: Object.fromEntries(
      Object.entries({
        prompt: raw.prompt,
        up: raw.labelUp,
        down: raw.labelDown,
        neutral: raw.labelNeutral,
        thanks: raw.thanks,
        queued: raw.queuedText,
        failed: raw.failedText,
      }).filter(([, text]) => text?.trim()),
    ),
    variant: oneOf(raw, 'variant', ['inline', 'compact']),
    theme: oneOf(raw, 'theme', ['auto', 'light', 'dark']),
    sentAt,
    messageContent: raw.messageContent && wellFormed(raw.messageContent),
  };
}
