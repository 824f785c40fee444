import { OPTION_NAMES, type OptionName, type RawOptions } from './core/config';

/**
 * Options for `mount` and `<Feedback>`: the data attributes' names in camelCase, with values
 * as text or in their natural JavaScript types.
 * @example mount(el, { endpoint: '/api/feedback', messageId: 'm-42', reasons: ['Wrong', 'Slow'] })
 */
export type FeedbackOptions = Partial<
  Record<OptionName, string | number | boolean | string[] | Date | Record<string, unknown>>
>;

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
