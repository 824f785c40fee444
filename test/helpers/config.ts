import {
  type Config,
  type PageContext,
  type RawOptions,
  resolveConfig,
} from '../../widget/core/config';
import { ConfigError } from '../../widget/core/config-error';

/** The page every config is resolved on: a help-center article with a query and a fragment. */
export const PAGE: PageContext = {
  baseUrl: 'https://help.example.com/articles/42?utm_source=mail#answer',
  lang: 'en',
  now: Date.parse('2025-03-01T12:00:00.000Z'),
};

export const ENDPOINT = 'https://api.example.com/feedback';

/** Resolves options as a page would set them; `endpoint` defaults to {@link ENDPOINT}. */
export function resolve(raw: RawOptions = {}, page: PageContext = PAGE): Config {
  return resolveConfig({ endpoint: ENDPOINT, ...raw }, page);
}

/** A resolved config: the defaults of {@link resolve} with `overrides` laid over them. */
export function config(overrides: Partial<Config> = {}): Config {
  return { ...resolve(), ...overrides };
}

/** The ConfigError `resolveConfig` throws for `raw`; fails when it throws nothing or else. */
export function rejection(raw: RawOptions, page: PageContext = PAGE): ConfigError {
  try {
    resolveConfig(raw, page);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`resolveConfig accepted ${JSON.stringify(raw)}`);
}

/** {@link PAGE}'s URL without query and fragment, as events carry it. */
export const PAGE_URL = 'https://help.example.com/articles/42';

/** When the person clicks in tests: 30 s after the page (and the rated message) appeared. */
export const CLICKED_AT = PAGE.now + 30_000;

/** The context `createEvent` takes, for a click at {@link CLICKED_AT} on {@link PAGE_URL}. */
export function eventContext(overrides: { id?: string; now?: number; replaces?: string } = {}) {
  return { id: 'evt-1', now: CLICKED_AT, pageUrl: PAGE_URL, replaces: undefined, ...overrides };
}
