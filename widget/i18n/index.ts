import ar from './ar';
import de from './de';
import en from './en';
import es from './es';
import fr from './fr';
import ja from './ja';
import pt from './pt';
import type { Messages, Texts } from './types';

export type { Messages } from './types';

const LOCALES: Record<string, Texts> = { en, es, fr, de, pt, ja, ar };
const KEYS: (keyof Messages)[] = [
  'prompt',
  'up',
  'down',
  'neutral',
  'thanks',
  'queued',
  'failed',
  'more',
  'send',
  'skip',
  'reasons',
];

/** The built-in texts for a canonical BCP 47 tag: its language's, else English. */
export function messagesFor(locale: string): Messages {
  const texts = LOCALES[locale.split('-')[0] as string] ?? en;
  return Object.fromEntries(KEYS.map((key, index) => [key, texts[index]])) as unknown as Messages;
}

/** Right-to-left scripts' languages, whose layout the widget mirrors. */
export function directionOf(locale: string): 'ltr' | 'rtl' {
  return /^(ar|he|fa|ur|ps|sd|ug|yi|ckb|dv)\b/.test(locale) ? 'rtl' : 'ltr';
}

/** The language the built-in texts are in: the locale's own, else English. */
export function languageOf(locale: string): string {
  return LOCALES[locale.split('-')[0] as string] ? locale : 'en';
}
