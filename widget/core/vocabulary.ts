/**
 * What the widget and the collector both speak (SPEC §3, §5, §11): ratings, formats, scales and
 * windows. Defined once here, compiled into both, so the two can never disagree.
 */

export type Format = 'event' | 'sentiment' | 'vote' | 'score' | 'quality';
export type Rating = 'up' | 'down' | 'neutral';
export interface Scale {
  min: number;
  max: number;
}

/** The first is the default (`data-format`). */
export const FORMATS: Format[] = ['event', 'sentiment', 'vote', 'score', 'quality'];
export const RATINGS: Rating[] = ['up', 'down', 'neutral'];
export const SENTIMENTS = { up: 'positive', neutral: 'neutral', down: 'negative' } as const;

/** The scale a format's numbers are on when the page or destination sets none. */
export function defaultScale(format: Format): string {
  return format === 'score' ? '0..1' : format === 'quality' ? '0..100' : '-100..100';
}

/** `MIN..MAX` with finite bounds, MIN below MAX; undefined when it is not one. */
export function parseScale(text: string): Scale | undefined {
  const [min = Number.NaN, max = Number.NaN, extra] = text
    .split('..')
    .map((part) => (part.trim() ? Number(part) : Number.NaN));
  // `max - min` is finite only when both bounds are; NaN fails every comparison.
  if (extra === undefined && min < max && max - min < Number.POSITIVE_INFINITY) return { min, max };
}

const UNITS: Record<string, number> = { m: 6e4, h: 36e5, d: 864e5 };

/**
 * A window as `data-dedupe` and `VOTE_WINDOW` write it, in ms: `30m`, `24h`, `7d`, `forever`
 * (Infinity) or `off` (0); undefined when it is none of those.
 */
export function parseWindow(text: string): number | undefined {
  if (text === 'off') return 0;
  if (text === 'forever') return Number.POSITIVE_INFINITY;
  const match = /^([1-9]\d*)([mhd])$/.exec(text);
  if (match) return Number(match[1]) * (UNITS[match[2] as string] as number);
}
