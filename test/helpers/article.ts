import type { Page } from 'playwright-core';
import type { TestContext } from './browser';
import type { RecordingServer } from './recording-server';

/** How the accessibility suites set up their help article and the tab that shows it. */
export interface ArticleSetup {
  /** Attributes of the widget's element, besides `data-feedback` and its message id. */
  attrs?: string;
  /** Attributes of `<html>`; `lang="en"` unless given. */
  html?: string;
  /** Extra `<head>` content, e.g. the host page's own styles. */
  head?: string;
  /** Markup after the widget, inside `<main>`. */
  after?: string;
  /** The viewport's width in CSS pixels (640 high); the browser's default unless given. */
  width?: number;
  colorScheme?: 'light' | 'dark';
  reducedMotion?: 'reduce' | 'no-preference';
  /** Windows' high-contrast themes: the browser forces the system colours. */
  forcedColors?: 'active' | 'none';
  /** Runs in the page before any of its scripts, e.g. to record what the widget announces. */
  init?: () => void;
}

let pages = 0;

/**
 * Opens, in a new tab, a help article with a link before one widget (`m-1`, posting to
 * `/api/feedback`), loaded from `server` with the built script.
 */
export async function openArticle(
  server: RecordingServer,
  t: TestContext,
  setup: ArticleSetup = {},
): Promise<Page> {
  const path = `/article-${++pages}`;
  server.page(
    path,
    `<!doctype html><html ${setup.html ?? 'lang="en"'}><head><meta charset="utf-8">
<title>Resetting your password</title>${setup.head ?? ''}
<script src="/feedback-widget.js" async data-endpoint="/api/feedback"></script></head>
<body><main><h1>Resetting your password</h1><p><a href="#steps">Read the steps</a></p>
<div data-feedback data-message-id="m-1" ${setup.attrs ?? ''}></div>${setup.after ?? ''}</main></body></html>`,
  );
  const page = await t.newPage();
  if (setup.width) await page.setViewportSize({ width: setup.width, height: 640 });
  await page.emulateMedia({
    colorScheme: setup.colorScheme ?? 'light',
    reducedMotion: setup.reducedMotion ?? 'no-preference',
    forcedColors: setup.forcedColors ?? 'none',
  });
  if (setup.init) await page.addInitScript(setup.init);
  await page.goto(`${server.origin}${path}`);
  return page;
}
