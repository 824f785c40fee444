import type { Browser, BrowserContext } from 'playwright-core';
import { type RecordingServer, startRecordingServer } from '../test/helpers/recording-server';
import type { BundleName } from './bundles';
import { bundles } from './bundles';

/** A local origin serving the bench's pages and scripts, answering 200 to every POST. */
export interface Site {
  origin: string;
  /** Serves an HTML page at `path` whose `<body>` is `body`, with `head` in its `<head>`. */
  page(path: string, body: string, head?: string): string;
  /** The URL a bench bundle is served at; ours is `/feedback-widget.js`. */
  script(name: BundleName): string;
  /** A fresh browser context (own storage and HTTP cache) with the probe in every page. */
  context(browser: Browser): Promise<BrowserContext>;
  close(): Promise<void>;
}

export const OUR_SCRIPT = '/feedback-widget.js';

export async function startSite(): Promise<Site> {
  const server: RecordingServer = await startRecordingServer();
  // Sentry's envelope endpoint wants a 200; the widget takes any 2xx.
  server.reply = () => ({ status: 200, body: '{}' });
  server.page('/favicon.ico', '', { 'Content-Type': 'image/x-icon' });
  const built = await bundles();
  for (const name of Object.keys(built) as BundleName[]) {
    server.page(`/${name}.js`, built[name].code, { 'Content-Type': 'text/javascript' });
  }
  return {
    origin: server.origin,
    page(path, body, head = '') {
      server.page(
        path,
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench</title>${head}</head><body>${body}</body></html>`,
      );
      return `${server.origin}${path}`;
    },
    script: (name) => `/${name}.js`,
    async context(browser) {
      const context = await browser.newContext();
      await context.addInitScript({ content: built.probe.code });
      return context;
    },
    close: () => server.close(),
  };
}
