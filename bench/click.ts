import type { Browser } from 'playwright-core';
import { OUR_SCRIPT, type Site } from './site';
import { interleave, type Row, row } from './stats';

const KINDS = ['ours', 'plain'] as const;

/**
 * From a real click (the event's `timeStamp`) to the vote's request starting (its resource
 * timing `startTime`): ours with `data-ask="never"`, against a plain button whose handler calls
 * `fetch`. One page; every run a new subject and a URL of its own, so dedupe never holds a
 * vote back and each request is found by its name.
 */
export async function measureClick(browser: Browser, site: Site, runs: number): Promise<Row[]> {
  const context = await site.context(browser);
  try {
    const page = await context.newPage();
    await page.goto(
      site.page(
        '/click',
        '<main><h1>Chat</h1></main>',
        `<script src="${OUR_SCRIPT}" data-endpoint="/api/feedback"></script>`,
      ),
    );
    await page.waitForFunction(() => window.FeedbackWidget);
    await page.evaluate(() => window.benchProbe.recordClicks());
    const results = await interleave(KINDS, runs, async (kind, index) => {
      const id = `${kind}-${index}`;
      const endpoint = `${site.origin}/api/feedback?run=${id}`;
      if (kind === 'ours') {
        await page.evaluate(([i, e]) => window.benchProbe.addWidget(i, e), [id, endpoint]);
        await page
          .locator(`[data-message-id="${id}"]`)
          .getByRole('button', { name: 'Helpful', exact: true })
          .click();
      } else {
        await page.evaluate(([i, e]) => window.benchProbe.addFetchButton(i, e), [id, endpoint]);
        await page.getByRole('button', { name: `Send ${id}`, exact: true }).click();
      }
      const handle = await page.waitForFunction(
        (url) => {
          const start = window.benchProbe.requestStart(url);
          const click = window.benchProbe.lastClick();
          // Wrapped: a delta of 0 would read as "not yet".
          return start !== undefined && click !== undefined ? { delta: start - click } : undefined;
        },
        endpoint,
        { timeout: 20_000 },
      );
      return ((await handle.jsonValue()) as { delta: number }).delta;
    });
    const against = {
      section: 'click',
      unit: 'ms',
      runs: results.ours,
      baselineName: 'plain button calling fetch()',
      baselineRuns: results.plain,
    };
    return [
      row({ ...against, metric: 'Click → request started', goal: { on: 'ours', max: 3 } }),
      row({
        ...against,
        metric: 'Click → request started, against plain',
        goal: { on: 'ratio', max: 2 },
      }),
    ];
  } finally {
    await context.close();
  }
}
