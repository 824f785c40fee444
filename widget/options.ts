import {
  type Ask,
  type Format,
  OPTION_NAMES,
  type OptionName,
  type RawOptions,
  type Theme,
  type Variant,
} from './core/config';

/** A number, or its text as an attribute writes it. */
type Numeric = number | `${number}`;
/** On or off, or the attribute's `true` / `false`. */
type Flag = boolean | 'true' | 'false';
/** Choices as a list, or as the attribute's text: `Wrong|Too long`. */
type Choices = string[] | string;

/** Each option's value: its natural JavaScript type, or its attribute's text where that reads well. */
interface OptionValues {
  /** Where votes go, relative to the page; may hold `{conversationId}`, `{messageId}`, `{sessionId}`, `{vote}`, `{rating}`. */
  endpoint: string;
  format: Format;
  conversationId: string | number;
  messageId: string | number;
  sessionId: string | number;
  /** Offer a neutral rating beside up and down. */
  neutral: Flag;
  upValue: Numeric;
  downValue: Numeric;
  neutralValue: Numeric;
  /** `MIN..MAX`, such as `1..5`. */
  scale: `${number}..${number}`;
  /** When to ask for a reason and comment. */
  ask: Ask;
  reasons: Choices;
  reasonsUp: Choices;
  comment: Flag;
  commentMax: Numeric;
  /** How long a vote is remembered in this browser: `30m`, `24h`, `7d`, `forever` or `off`. */
  dedupe: `${number}${'m' | 'h' | 'd'}` | 'forever' | 'off';
  allowChange: Flag;
  /** Sent with the vote; an object, or its JSON text. */
  metadata: Record<string, unknown> | string;
  token: string;
  credentials: RequestCredentials;
  locale: string;
  prompt: string;
  labelUp: string;
  labelDown: string;
  labelNeutral: string;
  thanks: string;
  queuedText: string;
  failedText: string;
  variant: Variant;
  theme: Theme;
  userId: string | number;
  /** When the rated message was sent: a Date, or an ISO date-time. */
  sentAt: Date | string;
  messageContent: string;
  traceId: string;
}

/**
 * Options for `mount` and `<Feedback>`: the data attributes' names in camelCase, each in its
 * natural JavaScript type or as the attribute's text.
 * @example mount(el, { endpoint: '/api/feedback', messageId: 'm-42', reasons: ['Wrong', 'Slow'] })
 */
export type FeedbackOptions = {
  [K in keyof Pick<OptionValues, OptionName>]?: OptionValues[K] | undefined;
};

/** Turns JavaScript values into attribute text, so every way in is validated the same way. */
export function toRaw(options: FeedbackOptions | DOMStringMap | undefined): RawOptions {
  const raw: RawOptions = {};
  for (const name of OPTION_NAMES) {
    const value = options?.[name];
    if (value === undefined || value === null) continue;
    try {
      raw[name] = Array.isArray(value)
        ? value.join('|')
        : value instanceof Date
          ? value.toISOString()
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
    } catch {
      // An invalid Date, or an object JSON cannot write (a cycle, a BigInt) or whose toJSON
      // throws: its kind, which the option's check then refuses by name, instead of an
      // exception thrown at the page.
      raw[name] = {}.toString.call(value);
    }
  }
  return raw;
}

/** `conversationId` → `conversation-id`. */
export function kebab(name: OptionName): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
