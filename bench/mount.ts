import type { Browser, Page } from 'playwright-core';
import type { LoadTiming, MountTiming } from './entries/probe';
import { OUR_SCRIPT, type Site } from './site';
import { interleave, type Row, row, summarize } from './stats';

export const WIDGETS = 1000;
const KINDS = ['ours', 'plain'] as const;
type Kind = (typeof KINDS)[number];
/** The same append with nothing rendered: what the page's own 1,000 answers cost. */
const APPEND_KINDS = [...KINDS, 'empty'] as const;
const PLAIN = 'plain Preact, same buttons';
const NO_LONG_TASK = { on: 'ours', max: 50 } as const;
/** "Append 1,000 → all showing, painted" of the last report before issue 12 (a104ebe). */
const ALL_SHOWING_BEFORE_MS = 393;

/**
 * Opens a page with only the script of `kind` loaded, ready to mount: ours with no
 * `[data-feedback]` yet, or the plain Preact baseline.
 */
export async function openEmpty(site: Site, page: Page, kind: Kind): Promise<void> {
  const head =
    kind === 'ours'
      ? `<script src="${OUR_SCRIPT}" data-endpoint="/api/feedback"></script>`
      : `<script src="${site.script('plainPreact')}"></script>`;
  await page.goto(site.page(`/empty/${kind}`, '<main><h1>Chat</h1></main>', head));
  await page.waitForFunction(
    (k) => (k === 'ours' ? window.FeedbackWidget : window.BenchPlainPreact),
    kind,
  );
}

/** 1,000 chat answers in the HTML, each with its slot, and the script at the end of the body. */
function loadPage(site: Site, kind: Kind): string {
  const slot =
    kind === 'ours'
      ? (index: number) => `<div data-feedback data-message-id="m-${index}"></div>`
      : () => '<div data-plain></div>';
  const items = Array.from(
    { length: WIDGETS },
    (_, index) => `<li class="message"><p>Answer ${index}: open Settings.</p>${slot(index)}</li>`,
  ).join('');
  const script =
    kind === 'ours'
      ? `<script src="${OUR_SCRIPT}" async data-endpoint="/api/feedback"></script>`
      : `<script src="${site.script('plainPreact')}" async data-selector="[data-plain]"></script>`;
  return site.page(`/load/${kind}`, `<main><ol>${items}</ol></main>${script}`);
}

/**
 * Mounting 1,000 widgets against plain Preact rendering the same buttons: appended to a live
 * page in one task (a restored conversation), and already in the HTML at load.
 */
export async function measureMount(browser: Browser, site: Site, runs: number): Promise<Row[]> {
  const appended = await interleave(APPEND_KINDS, runs, async (kind): Promise<MountTiming> => {
    const context = await site.context(browser);
    try {
      const page = await context.newPage();
      await openEmpty(site, page, kind === 'ours' ? 'ours' : 'plain');
      return await page.evaluate(
        ([count, k]) => window.benchProbe.mountList(count, k, '/api/feedback'),
        [WIDGETS, kind] as const,
      );
    } finally {
      await context.close();
    }
  });
  const urls = { ours: loadPage(site, 'ours'), plain: loadPage(site, 'plain') };
  const scripts = {
    ours: new URL(OUR_SCRIPT, site.origin).href,
    plain: new URL(site.script('plainPreact'), site.origin).href,
  };
  const atLoad = await interleave(KINDS, runs, async (kind): Promise<LoadTiming> => {
    const context = await site.context(browser);
    try {
      await context.addInitScript(
        ([selector, count, url]) => window.benchProbe.watchLoad(selector, count, url),
        [kind === 'ours' ? '[data-feedback]' : '[data-plain]', WIDGETS, scripts[kind]] as const,
      );
      const page = await context.newPage();
      await page.goto(urls[kind]);
      await page.waitForFunction(() => window.benchProbe.loaded() !== undefined, undefined, {
        timeout: 60_000,
      });
      return (await page.evaluate(() => window.benchProbe.loaded())) as LoadTiming;
    } finally {
      await context.close();
    }
  });

  const section = 'mount';
  const of = <T>(results: Record<Kind, T[]>, pick: (run: T) => number) => ({
    runs: results.ours.map(pick),
    baselineName: PLAIN,
    baselineRuns: results.plain.map(pick),
  });
  const pageAlone = summarize(appended.empty.map((run) => run.tasks.longest)).median;
  return [
    row({
      section,
      metric: 'Append 1,000 → all showing buttons, next frame painted',
      unit: 'ms',
      ...of(appended, (run) => run.painted),
      goal: { on: 'ratio', max: 2 },
    }),
    row({
      section,
      metric: `Append 1,000 → all showing, painted, against 1.5 × ${ALL_SHOWING_BEFORE_MS} ms before slicing`,
      unit: 'ms',
      ...of(appended, (run) => run.painted),
      goal: { on: 'ours', max: Math.round(1.5 * ALL_SHOWING_BEFORE_MS) },
    }),
    row({
      section,
      metric: 'Append 1,000 → first widget showing, painted',
      unit: 'ms',
      ...of(appended, (run) => run.first),
      goal: { on: 'ours', max: 100 },
    }),
    row({
      section,
      metric: 'Append 1,000 → all showing buttons (script only)',
      unit: 'ms',
      ...of(appended, (run) => run.mounted),
    }),
    row({
      section,
      metric: 'Append 1,000: longest task (0 if none > 50 ms)',
      unit: 'ms',
      ...of(appended, (run) => run.tasks.longest),
      goal: NO_LONG_TASK,
    }),
    row({
      section,
      metric: `Append 1,000: longest task, against the page's own append (${pageAlone} ms) + 15 ms`,
      unit: 'ms',
      ...of(appended, (run) => run.tasks.longest),
      goal: { on: 'ours', max: pageAlone + 15 },
    }),
    row({
      section,
      metric: 'Append 1,000: tasks > 50 ms',
      unit: 'tasks',
      ...of(appended, (run) => run.tasks.count),
    }),
    row({
      section,
      metric: 'Append 1,000: longest animation frame (0 if none > 50 ms)',
      unit: 'ms',
      ...of(appended, (run) => run.tasks.longestFrame),
    }),
    row({
      section,
      metric: 'Append 1,000 answers with no widget: longest task (0 if none > 50 ms)',
      unit: 'ms',
      runs: appended.empty.map((run) => run.tasks.longest),
    }),
    row({
      section,
      metric: 'Append 1,000 answers with no widget: next frame painted',
      unit: 'ms',
      runs: appended.empty.map((run) => run.painted),
    }),
    row({
      section,
      metric: '1,000 in the HTML: script fetch start → all showing, painted',
      unit: 'ms',
      ...of(atLoad, (run) => run.painted),
      goal: { on: 'ratio', max: 2 },
    }),
    row({
      section,
      metric: '1,000 in the HTML: longest task (0 if none > 50 ms)',
      unit: 'ms',
      ...of(atLoad, (run) => run.tasks.longest),
      goal: NO_LONG_TASK,
    }),
  ];
}
