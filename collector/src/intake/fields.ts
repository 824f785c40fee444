import { pageUrlOf } from '../../../widget/core/event';
import { parseScale, type Scale } from '../../../widget/core/vocabulary';
import { asObject, id, invalid, number, required, text } from './validate';

/** The largest magnitude a number in a body may have: far beyond any scale, still exact. */
export const BOUND = 1e15;

/** A path segment as an identifier, decoded. */
export function pathId(raw: string, field: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalid(field, 'must be percent-encoded UTF-8');
  }
  return id(decoded, field);
}

export function scaleOf(value: unknown): Scale {
  const scale = asObject(value, 'scale');
  const bound = (name: 'min' | 'max') =>
    number(required(scale, name, `scale.${name}`), `scale.${name}`, { min: -BOUND, max: BOUND });
  const range = { min: bound('min'), max: bound('max') };
  if (!(range.min < range.max)) throw invalid('scale', 'must have `min` below `max`');
  return range;
}

export function locale(value: unknown, field: string): string {
  const tag = text(value, field, 35);
  if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag)) {
    throw invalid(field, 'must be a BCP 47 language tag such as en or pt-BR');
  }
  return tag;
}

/** `user:password@` in a URL's authority: everything before the host's last `@`. */
const USER_INFO = /^(https?:\/\/)[^/\\]*@/i;

export function pageUrl(value: unknown, field: string): string {
  const url = text(value, field, 2000);
  if (!/^https?:\/\/\S+$/i.test(url)) throw invalid(field, 'must be an http(s) URL');
  // Without query and fragment, as the widget sends it (SPEC §5): they often hold a token or
  // an address the team does not need (§13). Nor a user name and password before the host.
  return pageUrlOf(url).replace(USER_INFO, '$1');
}

/** The `?scale=MIN..MAX` of the score route; 0..1 when absent. Bounds are finite, within ±BOUND. */
export function queryScale(query: URLSearchParams): Scale {
  const range = parseScale(query.get('scale') ?? '0..1');
  if (!range || Math.max(-range.min, range.max) > BOUND) {
    throw invalid(
      'scale',
      `must be MIN..MAX with MIN below MAX, each within ±${BOUND}, such as 0..10`,
    );
  }
  return range;
}
