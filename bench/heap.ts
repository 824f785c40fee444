import type { Browser, CDPSession } from 'playwright-core';
import { openEmpty, WIDGETS } from './mount';
import type { Site } from './site';
import { interleave, type Row, row } from './stats';

const KINDS = ['ours', 'plain', 'empty'] as const;
type Kind = (typeof KINDS)[number];
const SETTLE_MS = 1000;

interface Heap {
  /** V8's JavaScript heap, bytes. */
  js: number;
  /** Blink's garbage-collected heap (DOM nodes, shadow roots, style data), bytes. */
  dom: number;
}

interface PerWidget {
  /** Right after the frame that shows all 1,000. */
  mounted: Heap;
  /** After a further settle, when timers and lazy work have run. */
  settled: Heap;
}

async function usage(cdp: CDPSession): Promise<Heap> {
  // Twice: the first pass can leave garbage that only its finalizers release.
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  return { js: heap.usedSize, dom: heap.embedderHeapUsedSize };
}

const per = (after: Heap, before: Heap): Heap => ({
  js: (after.js - before.js) / WIDGETS,
  dom: (after.dom - before.dom) / WIDGETS,
});

/**
 * Heap per mounted widget from CDP, on a fresh page per run: collected and read before and
 * after mounting 1,000 into a chat list. `empty` appends the same list with nothing rendered,
 * to show what the slots themselves cost in both other kinds.
 */
export async function measureHeap(browser: Browser, site: Site, runs: number): Promise<Row[]> {
  const results = await interleave(KINDS, runs, async (kind): Promise<PerWidget> => {
    const context = await site.context(browser);
    try {
      const page = await context.newPage();
      await openEmpty(site, page, kind === 'ours' ? 'ours' : 'plain');
      const cdp = await context.newCDPSession(page);
      const before = await usage(cdp);
      await page.evaluate(([count, k]) => window.benchProbe.mountList(count, k, '/api/feedback'), [
        WIDGETS,
        kind,
      ] as const);
      const mounted = await usage(cdp);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const settled = await usage(cdp);
      await cdp.detach();
      return { mounted: per(mounted, before), settled: per(settled, before) };
    } finally {
      await context.close();
    }
  });
  const pick = (kind: Kind, heap: keyof Heap, when: keyof PerWidget = 'settled') =>
    results[kind].map((run) => run[when][heap]);
  const section = 'heap';
  const plain = 'plain Preact, same buttons';
  return [
    row({
      section,
      metric: 'JS heap per widget',
      unit: 'B',
      runs: pick('ours', 'js'),
      baselineName: plain,
      baselineRuns: pick('plain', 'js'),
      goal: { on: 'ours', max: 5_120 },
    }),
    row({
      section,
      metric: 'JS heap per widget, before the settle',
      unit: 'B',
      runs: pick('ours', 'js', 'mounted'),
      baselineName: plain,
      baselineRuns: pick('plain', 'js', 'mounted'),
    }),
    row({
      section,
      metric: 'DOM (Blink) heap per widget',
      unit: 'B',
      runs: pick('ours', 'dom'),
      baselineName: plain,
      baselineRuns: pick('plain', 'dom'),
      goal: { on: 'ours', max: 16_384 },
    }),
    row({
      section,
      metric: 'Slot alone (its chat item, nothing rendered), JS heap',
      unit: 'B',
      runs: pick('empty', 'js'),
    }),
    row({
      section,
      metric: 'Slot alone (its chat item, nothing rendered), DOM heap',
      unit: 'B',
      runs: pick('empty', 'dom'),
    }),
  ];
}
