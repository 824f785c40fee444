import type { Browser } from 'playwright-core';
import { OUR_SCRIPT, type Site } from './site';
import { interleave, type Row, row } from './stats';

const KINDS = ['ours', 'sentry'] as const;
type Kind = (typeof KINDS)[number];

interface Startup {
  /** From the script's fetch start to the first shadow-root button being usable (ms). */
  total: number;
  /** The same, from the script's last byte: parse, run and render, without the transfer. */
  afterDownload: number;
}

const ARTICLE =
  '<main><h1>Resetting a password</h1><p>Open Settings, then Security, then Passwords.</p>' +
  '<div data-feedback data-message-id="m-1"></div></main>';

/**
 * Cold start in a fresh context (no HTTP or code cache): from when the browser starts fetching
 * the script to when the first widget's button is in a shadow root, connected and enabled.
 * Ours mounts the article's `[data-feedback]`; Sentry shows its "Report a Bug" launcher.
 */
export async function measureStartup(browser: Browser, site: Site, runs: number): Promise<Row[]> {
  const dsn = `http://public@${new URL(site.origin).host}/1`;
  const scripts: Record<Kind, string> = { ours: OUR_SCRIPT, sentry: site.script('sentry') };
  const urls: Record<Kind, string> = {
    ours: site.page(
      '/startup/ours',
      ARTICLE,
      `<script src="${scripts.ours}" async data-endpoint="/api/feedback"></script>`,
    ),
    sentry: site.page(
      '/startup/sentry',
      ARTICLE,
      `<script src="${scripts.sentry}" async data-dsn="${dsn}"></script>`,
    ),
  };
  const results = await interleave(KINDS, runs, async (kind): Promise<Startup> => {
    const context = await site.context(browser);
    try {
      await context.addInitScript(() => window.benchProbe.watchShadowButtons());
      const page = await context.newPage();
      await page.goto(urls[kind]);
      await page.waitForFunction(() => window.benchProbe.interactive() !== undefined, undefined, {
        timeout: 20_000,
      });
      const { start, end, ready } = await page.evaluate((url) => {
        const entry = performance.getEntriesByName(url, 'resource')[0] as
          | PerformanceResourceTiming
          | undefined;
        return {
          start: entry?.startTime,
          end: entry?.responseEnd,
          ready: window.benchProbe.interactive(),
        };
      }, new URL(scripts[kind], site.origin).href);
      if (start === undefined || end === undefined || ready === undefined) {
        throw new Error(`startup ${kind}: no resource timing for ${scripts[kind]}`);
      }
      return { total: ready - start, afterDownload: ready - end };
    } finally {
      await context.close();
    }
  });
  const pick = (kind: Kind, key: keyof Startup) => results[kind].map((run) => run[key]);
  const baselineName = 'Sentry feedback launcher';
  return [
    row({
      section: 'startup',
      metric: 'Script fetch start → first widget interactive',
      unit: 'ms',
      runs: pick('ours', 'total'),
      baselineName,
      baselineRuns: pick('sentry', 'total'),
    }),
    row({
      section: 'startup',
      metric: 'Script downloaded → first widget interactive',
      unit: 'ms',
      runs: pick('ours', 'afterDownload'),
      baselineName,
      baselineRuns: pick('sentry', 'afterDownload'),
    }),
  ];
}
