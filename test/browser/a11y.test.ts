// @vitest-environment node
import { readFileSync } from 'node:fs';
import type { AxeResults, ImpactValue, RunOptions, UnlabelledFrameSelector } from 'axe-core';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type Messages, messagesFor } from '../../widget/i18n';
import { type ArticleSetup, openArticle } from '../helpers/article';
import { isFocused, outboxDrained, widgetControls } from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';

const en = messagesFor('en');
const ar = messagesFor('ar');

const AXE = readFileSync(
  new URL('../../node_modules/axe-core/axe.min.js', import.meta.url),
  'utf8',
);
// WCAG 2.2 AA is every A and AA criterion of 2.0, 2.1 and 2.2; axe tags them by version.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const BLOCKING: ImpactValue[] = ['serious', 'critical'];

const { server, t } = useBrowserTest();

interface Setup extends ArticleSetup {
  /** The texts the widget shows, to find its controls by name; English unless given. */
  messages?: Messages;
}

/** Opens, in a new tab, a help article with a link before one widget. */
async function open(setup: Setup = {}) {
  const page = await openArticle(server, t, { ...setup, init: installProbe });
  const w = widget(page, setup.messages ?? en);
  await w.up.waitFor();
  return { page, w };
}

function widget(page: Page, messages: Messages) {
  const host = page.locator('[data-feedback]');
  return {
    ...widgetControls(host, messages),
    root: host.locator('[part~="widget"]'),
    prompt: host.locator('[part~="prompt"]'),
  };
}

type Widget = ReturnType<typeof widget>;

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

const inShadow = (target: UnlabelledFrameSelector) => Array.isArray(target[0]);

/** axe-core run inside the page on the whole document, shadow roots included. */
async function runAxe(page: Page): Promise<AxeResults> {
  await page.addScriptTag({ content: AXE });
  const options: RunOptions = { runOnly: { type: 'tag', values: TAGS } };
  return page.evaluate(async (options) => {
    const { axe } = window as unknown as {
      axe: { run(context: Document, options: RunOptions): Promise<AxeResults> };
    };
    const results = await axe.run(document, options);
    // Only what the assertions read: the full results hold DOM snippets and are large.
    const slim = (rules: AxeResults['passes']) =>
      rules.map(({ id, impact, nodes }) => ({
        id,
        impact,
        nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
      }));
    return {
      violations: slim(results.violations),
      incomplete: slim(results.incomplete),
      passes: slim(results.passes),
    } as unknown as AxeResults;
  }, options);
}

/** Each serious or critical violation: rule, impact, target and what axe says is wrong. */
function blocking(results: AxeResults): string[] {
  return results.violations
    .filter((rule) => BLOCKING.includes(rule.impact ?? null))
    .flatMap((rule) =>
      rule.nodes.map(
        (node) =>
          `${rule.id} (${rule.impact}) at ${JSON.stringify(node.target)}: ${node.failureSummary}`,
      ),
    );
}

/** How many of the widget's nodes axe actually checked (passed or failed) with `ruleId`. */
function checkedInShadow(results: AxeResults, ruleId: string): number {
  return [...results.passes, ...results.violations]
    .filter((rule) => rule.id === ruleId)
    .flatMap((rule) => rule.nodes)
    .filter((node) => inShadow(node.target)).length;
}

interface Probe {
  /** Whether the focused element, looking into shadow roots, is in the open follow-up. */
  focusInFollowUp(host: Element): boolean;
  /** Contrast of every visible text, icon and control boundary in the widget. */
  contrast(host: Element): { checked: number; failures: string[] };
  /** The focus indicator of the focused element, and its contrast with what surrounds it. */
  focusRing(host: Element): {
    element: string;
    focusVisible: boolean;
    indicator: string;
    ratio: number;
  };
  /** The longest transition and animation of each element in the widget, in seconds. */
  motion(host: Element): { element: string; transition: number; animation: number }[];
}

/**
 * Measures in the page what a person perceives: computed colours composited over whatever
 * is behind them, WCAG 2.x relative luminance, computed durations. Installed in every page
 * as a global so the test can call it after each step.
 */
function installProbe() {
  type Rgba = [number, number, number, number];
  const parse = (color: string): Rgba => {
    const [r = 0, g = 0, b = 0, a = 1] = (color.match(/[\d.]+/g) ?? []).map(Number);
    return [r, g, b, color.startsWith('rgba') ? a : 1];
  };
  const over = (top: Rgba, below: Rgba): Rgba => {
    const a = top[3];
    return [0, 1, 2]
      .map((i) => (top[i] as number) * a + (below[i] as number) * (1 - a))
      .concat(1) as Rgba;
  };
  const parentOf = (element: Element): Element | null =>
    element.parentElement ?? ((element.getRootNode() as ShadowRoot).host || null);
  /** The opaque colour behind `element`'s content: its own background and its ancestors'. */
  const background = (element: Element | null): Rgba => {
    const layers: Rgba[] = [];
    for (let at = element; at; at = parentOf(at)) {
      layers.push(parse(getComputedStyle(at).backgroundColor));
    }
    return layers.reduceRight((below, top) => over(top, below), [255, 255, 255, 1] as Rgba);
  };
  const luminance = (color: Rgba) => {
    const [r, g, b] = color.slice(0, 3).map((value) => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a: Rgba, b: Rgba) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
    return Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100;
  };
  const hex = (color: Rgba) =>
    `#${color
      .slice(0, 3)
      .map((v) => Math.round(v).toString(16).padStart(2, '0'))
      .join('')}`;
  const name = (element: Element) => {
    const part = element.getAttribute('part');
    const text = (element.textContent ?? '').trim().slice(0, 30);
    return `<${element.localName}${part ? ` part="${part}"` : ''}> "${text}"`;
  };
  const shown = (element: Element) => {
    const box = element.getBoundingClientRect();
    return element.checkVisibility() && box.width > 1 && box.height > 1;
  };
  const deepFocused = () => {
    let focused = document.activeElement;
    while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
    return focused;
  };

  const probe: Probe = {
    focusInFollowUp: () => deepFocused()?.closest('[part~="follow-up"]') != null,
    contrast(host) {
      const failures: string[] = [];
      let checked = 0;
      const check = (element: Element, what: string, fg: Rgba, bg: Rgba, needed: number) => {
        checked++;
        const measured = ratio(fg, bg);
        if (measured < needed) {
          failures.push(
            `${name(element)} ${what} ${measured}:1 (${hex(fg)} on ${hex(bg)}), needs ${needed}:1`,
          );
        }
      };
      for (const element of host.shadowRoot?.querySelectorAll('*') ?? []) {
        if (!shown(element)) continue;
        const style = getComputedStyle(element);
        const behind = background(element);
        const hasText =
          element.localName === 'textarea' ||
          [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent?.trim());
        if (hasText) {
          const size = Number.parseFloat(style.fontSize);
          const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
          const fg = over(parse(style.color), behind);
          check(element, 'text', fg, behind, large ? 3 : 4.5);
        }
        // An icon is its button's ::before, the text colour cut to shape by clip-path.
        const icon = getComputedStyle(element, '::before');
        if (icon.content !== 'none' && icon.clipPath !== 'none') {
          check(element, 'icon', over(parse(icon.backgroundColor), behind), behind, 3);
        }
        if (element.localName === 'button' || element.localName === 'textarea') {
          // A control is identified by its border or by its fill, whichever stands out more.
          const around = background(parentOf(element));
          const border = over(parse(style.borderTopColor), around);
          const edge =
            Number.parseFloat(style.borderTopWidth) > 0 &&
            ratio(border, around) > ratio(behind, around)
              ? border
              : behind;
          check(element, 'boundary', edge, around, 3);
        }
      }
      return { checked, failures };
    },
    focusRing() {
      const element = deepFocused();
      if (!element) return { element: 'nothing', focusVisible: false, indicator: 'none', ratio: 0 };
      const style = getComputedStyle(element);
      const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
      const shadow = style.boxShadow !== 'none';
      const color = outline ? style.outlineColor : shadow ? style.boxShadow : 'rgba(0, 0, 0, 0)';
      // An outline drawn outside the element sits on what is around it.
      const around =
        outline && Number.parseFloat(style.outlineOffset) >= 0
          ? background(parentOf(element))
          : background(element);
      return {
        element: name(element),
        focusVisible: element.matches(':focus-visible'),
        indicator: outline
          ? `outline ${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}`
          : style.boxShadow,
        ratio: outline || shadow ? ratio(over(parse(color), around), around) : 0,
      };
    },
    motion(host) {
      const longest = (list: string) =>
        Math.max(
          ...list.split(',').map((d) => Number.parseFloat(d) * (d.includes('ms') ? 0.001 : 1)),
        );
      return [host, ...(host.shadowRoot?.querySelectorAll('*') ?? [])].flatMap((element) =>
        [null, '::before', '::after'].map((pseudo) => {
          const style = getComputedStyle(element, pseudo);
          return {
            element: `${name(element)}${pseudo ?? ''}`,
            transition: longest(style.transitionDuration),
            animation: style.animationName === 'none' ? 0 : longest(style.animationDuration),
          };
        }),
      );
    },
  };
  (window as unknown as { a11y: Probe }).a11y = probe;
}

/** Calls a probe method on the widget's host element in the page. */
function probe<K extends keyof Probe>(page: Page, method: K): Promise<ReturnType<Probe[K]>> {
  return page
    .locator('[data-feedback]')
    .evaluate(
      (host, method) =>
        (window as unknown as { a11y: Probe }).a11y[method](host) as ReturnType<Probe[K]>,
      method,
    );
}

/** Presses Tab until `target` has focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 12) {
  for (let presses = 0; presses < max; presses++) {
    await page.keyboard.press('Tab');
    if (await isFocused(target)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

/** The widget's computed background, to tell a dark theme from a light one. */
const widgetBackground = (w: Widget) =>
  w.root.evaluate((element) => getComputedStyle(element).backgroundColor);

const DARK_BACKGROUND = 'rgb(22, 27, 34)';
const LIGHT_BACKGROUND = 'rgb(255, 255, 255)';
// The page's own link colour is legible on its dark background, so axe's findings are the widget's.
const DARK_PAGE =
  '<style>body { background: #0d1117; color: #e6edf3; } a { color: #58a6ff; }</style>';

async function openFollowUp(w: Widget) {
  await w.down.click();
  await w.textbox.fill('The second step is missing.');
}

interface State {
  name: string;
  setup: Setup;
  background: string;
  act?: (w: Widget) => Promise<void>;
}

const STATES: State[] = [
  { name: 'light theme', setup: { attrs: 'data-theme="light"' }, background: LIGHT_BACKGROUND },
  { name: 'dark theme', setup: { attrs: 'data-theme="dark"' }, background: DARK_BACKGROUND },
  {
    name: 'dark theme with the follow-up open',
    setup: { attrs: 'data-theme="dark"' },
    background: DARK_BACKGROUND,
    act: openFollowUp,
  },
  {
    name: 'auto theme with the OS in dark mode',
    setup: { attrs: 'data-theme="auto"', colorScheme: 'dark' },
    background: DARK_BACKGROUND,
  },
  {
    name: 'auto theme on a host page in dark mode (class="dark" on <html>)',
    setup: { html: 'lang="en" class="dark"', head: DARK_PAGE },
    background: DARK_BACKGROUND,
  },
  {
    // Its only visible text is the thanks: axe has no text to measure before a vote.
    name: 'compact variant, after a vote',
    setup: { attrs: 'data-variant="compact"' },
    background: LIGHT_BACKGROUND,
    act: async (w) => {
      await w.up.click();
      await expect.poll(() => w.status.textContent()).toBe(en.thanks);
    },
  },
  {
    name: 'right-to-left Arabic',
    setup: { html: 'lang="ar" dir="rtl"', attrs: 'data-locale="ar"', messages: ar },
    background: LIGHT_BACKGROUND,
  },
  {
    name: 'follow-up open after Not helpful',
    setup: {},
    background: LIGHT_BACKGROUND,
    act: openFollowUp,
  },
  {
    name: 'thanks after a vote',
    setup: {},
    background: LIGHT_BACKGROUND,
    act: async (w) => {
      await w.up.click();
      await expect.poll(() => w.status.textContent()).toBe(en.thanks);
    },
  },
  {
    name: 'neutral choice, pressed',
    setup: { attrs: 'data-neutral="true"' },
    background: LIGHT_BACKGROUND,
    act: async (w) => {
      await w.neutral.click();
      await expect.poll(() => w.status.textContent()).toBe(en.thanks);
    },
  },
  {
    name: 'up vote with reasons-up',
    setup: { attrs: 'data-ask="always" data-reasons-up="Clear|Quick"' },
    background: LIGHT_BACKGROUND,
    act: async (w) => {
      await w.up.click();
      await w.reason('Clear').waitFor();
    },
  },
];

describe('axe-core inside the page, shadow roots included', () => {
  it('(harness check) axe checks controls and colours inside the shadow root, and reports a widget made illegible through its custom properties', async () => {
    const { page } = await open({
      attrs: 'style="--feedback-color: #c8c8c8"',
    });
    const results = await runAxe(page);
    expect(checkedInShadow(results, 'button-name')).toBeGreaterThanOrEqual(2);
    const contrastFailures = results.violations
      .filter((rule) => rule.id === 'color-contrast')
      .flatMap((rule) => rule.nodes)
      .filter((node) => inShadow(node.target));
    expect(contrastFailures.length).toBeGreaterThan(0);
  });

  it.each(STATES)(
    'finds no serious or critical WCAG 2.2 AA or best-practice violation: $name',
    async ({ setup, background, act }) => {
      const { page, w } = await open(setup);
      await act?.(w);
      expect(await widgetBackground(w)).toBe(background);
      const results = await runAxe(page);
      const unresolved = results.incomplete
        .filter((rule) => rule.id === 'color-contrast')
        .flatMap((rule) => rule.nodes.map((node) => JSON.stringify(node.target)));
      // Contrast that axe could not resolve is no evidence; at least some must be measured.
      expect(
        checkedInShadow(results, 'color-contrast'),
        `color-contrast not measured in the widget; incomplete: ${unresolved.join(', ')}`,
      ).toBeGreaterThan(0);
      const problems = blocking(results);
      expect(problems, problems.join('\n')).toEqual([]);
    },
  );
});

describe('contrast measured from the computed colours', () => {
  const CASES: State[] = [
    {
      name: 'light theme, follow-up open',
      setup: { attrs: 'data-theme="light"' },
      background: LIGHT_BACKGROUND,
      act: openFollowUp,
    },
    {
      name: 'dark theme, follow-up open',
      setup: { attrs: 'data-theme="dark"' },
      background: DARK_BACKGROUND,
      act: openFollowUp,
    },
    {
      // axe takes short Arabic words for icon ligatures and skips the button labels.
      name: 'right-to-left Arabic, follow-up open',
      setup: { html: 'lang="ar" dir="rtl"', attrs: 'data-locale="ar"', messages: ar },
      background: LIGHT_BACKGROUND,
      act: openFollowUp,
    },
    {
      name: 'light compact icons, one pressed',
      setup: { attrs: 'data-theme="light" data-variant="compact"' },
      background: LIGHT_BACKGROUND,
      act: (w) => w.up.click(),
    },
    {
      name: 'dark compact icons, one pressed',
      setup: { attrs: 'data-theme="dark" data-variant="compact"' },
      background: DARK_BACKGROUND,
      act: (w) => w.up.click(),
    },
    {
      // Forced colours repaint every background Canvas: the icons must not go with them.
      name: 'a dark high-contrast theme (forced colours), compact icons, one pressed',
      setup: { attrs: 'data-variant="compact"', colorScheme: 'dark', forcedColors: 'active' },
      background: 'rgb(0, 0, 0)',
      act: (w) => w.up.click(),
    },
  ];

  it.each(CASES)(
    'every text reaches 4.5:1, every icon and control boundary 3:1: $name',
    async ({ setup, background, act }) => {
      const { page, w } = await open(setup);
      await act?.(w);
      expect(await widgetBackground(w)).toBe(background);
      const { checked, failures } = await probe(page, 'contrast');
      expect(checked).toBeGreaterThanOrEqual(4);
      expect(failures, failures.join('\n')).toEqual([]);
    },
  );
});

describe('forced colours (Windows high contrast)', () => {
  it.each(['light', 'dark'] as const)(
    'pressing the focused Helpful changes how it looks, the focus ring notwithstanding (%s)',
    async (colorScheme) => {
      const { page, w } = await open({
        attrs: 'data-comment="false"',
        colorScheme,
        forcedColors: 'active',
      });
      await tabTo(page, w.up);
      const before = await w.up.screenshot();
      await page.keyboard.press('Enter');
      await expect.poll(() => w.up.getAttribute('aria-pressed')).toBe('true');
      expect(await isFocused(w.up)).toBe(true);
      expect((await w.up.screenshot()).equals(before)).toBe(false);
    },
  );
});

describe('keyboard only', () => {
  it('Tab from the link before the widget reaches Helpful with a visible focus indicator of at least 3:1, and the next Tab Not helpful', async () => {
    const { page, w } = await open();
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByRole('link', { name: 'Read the steps' }))).toBe(true);
    await page.keyboard.press('Tab');
    expect(await isFocused(w.up)).toBe(true);
    const ring = await probe(page, 'focusRing');
    expect(ring.focusVisible).toBe(true);
    expect(ring.indicator).not.toBe('none');
    expect(ring.ratio, `${ring.element}: ${ring.indicator}`).toBeGreaterThanOrEqual(3);
    await page.keyboard.press('Tab');
    expect(await isFocused(w.down)).toBe(true);
  });

  it('the focus ring of a control at the edge of the widget is painted in full, outside it', async () => {
    const { page, w } = await open({ attrs: 'data-variant="compact"' });
    await tabTo(page, w.up);
    const host = await page.locator('[data-feedback]').boundingBox();
    const button = await w.up.boundingBox();
    expect(button?.x).toBe(host?.x);
    // The 4 px left of the widget: the 2 px outline drawn 2 px off Helpful's edge.
    const strip = await page.screenshot({
      clip: { x: (host?.x ?? 0) - 4, y: button?.y ?? 0, width: 4, height: button?.height ?? 0 },
    });
    const accentPixels = await page.evaluate(async (png) => {
      const image = new Image();
      image.src = `data:image/png;base64,${png}`;
      await image.decode();
      const canvas = new OffscreenCanvas(image.width, image.height);
      const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      let count = 0;
      // The light theme's accent, #0969da.
      for (let i = 0; i < data.length; i += 4) {
        if ((data[i] as number) < 60 && (data[i + 2] as number) > 180) count++;
      }
      return count;
    }, strip.toString('base64'));
    expect(accentPixels).toBeGreaterThanOrEqual(button?.height ?? 1);
  });

  it.each(['light', 'dark'])(
    'every control from Helpful to Skip shows a focus indicator of at least 3:1 when reached by Tab (%s theme)',
    async (theme) => {
      const { page, w } = await open({ attrs: `data-theme="${theme}"` });
      await tabTo(page, w.down);
      await page.keyboard.press('Enter');
      await w.textbox.waitFor();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect(await isFocused(w.up)).toBe(true);
      const rings = [];
      for (let stop = 0; stop < 9; stop++) {
        rings.push(await probe(page, 'focusRing'));
        if (await isFocused(w.skip)) break;
        await page.keyboard.press('Tab');
      }
      expect(await isFocused(w.skip)).toBe(true);
      const weak = rings.filter((ring) => !ring.focusVisible || ring.ratio < 3);
      expect(
        weak,
        weak.map((ring) => `${ring.element}: ${ring.indicator} ${ring.ratio}:1`).join('\n'),
      ).toEqual([]);
    },
  );

  it.each(['Enter', 'Space'])(
    '%s on Not helpful presses it and moves focus into the follow-up without sending yet',
    async (key) => {
      const { page, w } = await open();
      await tabTo(page, w.down);
      await page.keyboard.press(key);
      await expect.poll(() => w.down.getAttribute('aria-pressed')).toBe('true');
      await w.textbox.waitFor();
      expect(await probe(page, 'focusInFollowUp')).toBe(true);
      // Stored as a draft, due only when the follow-up closes: this page will not send it yet.
      const due = await page.evaluate(() =>
        Object.keys(localStorage)
          .filter((key) => key.startsWith('feedback-widget:outbox:'))
          .map((key) => JSON.parse(localStorage.getItem(key) as string).due > Date.now()),
      );
      expect(due).toEqual([true]);
      expect(server.requests).toEqual([]);
    },
  );

  it('a reason toggled with Space, a typed comment and Enter on Send post one vote with both, announce the thanks and leave focus on Not helpful', async () => {
    const { page, w } = await open();
    await tabTo(page, w.down);
    await page.keyboard.press('Enter');
    await tabTo(page, w.reason('Unclear'));
    await page.keyboard.press('Space');
    expect(await w.reason('Unclear').getAttribute('aria-pressed')).toBe('true');
    await tabTo(page, w.textbox);
    await page.keyboard.type('The steps skip the login part.');
    await tabTo(page, w.send);
    await page.keyboard.press('Enter');
    await server.waitFor(1);
    await expect.poll(() => w.status.textContent()).toBe(en.thanks);
    await outboxDrained(page);
    expect(only(server.requests).body).toMatchObject({
      rating: 'down',
      reason: 'Unclear',
      comment: 'The steps skip the login part.',
    });
    expect(await isFocused(w.down)).toBe(true);
  });

  it('Escape in the follow-up skips: one vote without the reason or comment entered, focus back on Not helpful', async () => {
    const { page, w } = await open();
    await tabTo(page, w.down);
    await page.keyboard.press('Enter');
    await tabTo(page, w.reason('Incorrect'));
    await page.keyboard.press('Space');
    await tabTo(page, w.textbox);
    await page.keyboard.type('never mind');
    await page.keyboard.press('Escape');
    await server.waitFor(1);
    await outboxDrained(page);
    const body = only(server.requests).body as Record<string, unknown>;
    expect(body).toMatchObject({ rating: 'down' });
    expect(body).not.toHaveProperty('reason');
    expect(body).not.toHaveProperty('comment');
    expect(await w.textbox.count()).toBe(0);
    expect(await isFocused(w.down)).toBe(true);
  });

  it('Escape after Shift+Tab back to Not helpful skips the open follow-up too, focus staying there', async () => {
    const { page, w } = await open();
    await tabTo(page, w.down);
    await page.keyboard.press('Enter');
    await w.textbox.waitFor();
    await page.keyboard.press('Shift+Tab');
    expect(await isFocused(w.down)).toBe(true);
    await page.keyboard.press('Escape');
    await server.waitFor(1);
    await outboxDrained(page);
    expect(only(server.requests).body).toMatchObject({ rating: 'down' });
    expect(await w.textbox.count()).toBe(0);
    expect(await isFocused(w.down)).toBe(true);
  });

  it('a follow-up left idle for 60 s sends what was entered and puts focus back on Not helpful', async () => {
    const { page, w } = await open();
    await page.clock.install();
    await tabTo(page, w.down);
    await page.keyboard.press('Enter');
    await tabTo(page, w.textbox);
    await page.keyboard.type('The link is dead.');
    await page.clock.runFor(61_000);
    await server.waitFor(1);
    expect(only(server.requests).body).toMatchObject({
      rating: 'down',
      comment: 'The link is dead.',
    });
    expect(await w.textbox.count()).toBe(0);
    expect(await isFocused(w.down)).toBe(true);
  });

  it('a follow-up someone keeps moving through by keyboard is not idle: open 90 s on, sent 60 s after the last key', async () => {
    const { page, w } = await open();
    await page.clock.install();
    await tabTo(page, w.down);
    await page.keyboard.press('Enter');
    await w.reason('Incorrect').waitFor();
    for (let step = 0; step < 9; step++) {
      await page.clock.runFor(10_000);
      await page.keyboard.press(step % 2 ? 'Shift+Tab' : 'Tab');
    }
    expect(await w.textbox.count()).toBe(1);
    expect(server.requests).toHaveLength(0);
    await page.clock.runFor(61_000);
    await server.waitFor(1);
    expect(only(server.requests).body).toMatchObject({ rating: 'down' });
    expect(await w.textbox.count()).toBe(0);
  });

  it("the Escape that ends an input method's composition (Japanese) leaves the follow-up and its comment alone", async () => {
    const { page, w } = await open();
    await w.down.click();
    await w.textbox.fill('変換中');
    for (const init of [{ isComposing: true }, { keyCode: 229 }]) {
      await w.textbox.evaluate((element, init) => {
        element.dispatchEvent(
          new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, ...init }),
        );
      }, init);
    }
    expect(await w.textbox.inputValue()).toBe('変換中');
    await page.keyboard.press('Escape');
    await server.waitFor(1);
    expect(await w.textbox.count()).toBe(0);
  });

  it('the reasons are a group named after the choice they explain', async () => {
    const { w } = await open();
    await w.down.click();
    const group = w.host.getByRole('group', { name: en.down, exact: true });
    expect(await group.getByRole('button').allTextContents()).toEqual(en.reasons.split('|'));
  });

  it('a widget mounted afresh with focus inside (its message id changed, as a reused list node) keeps focus, on its first choice', async () => {
    const { page, w } = await open();
    await tabTo(page, w.down);
    await page.keyboard.press('Enter');
    await tabTo(page, w.textbox);
    await page.keyboard.type('The steps');
    await w.host.evaluate((host) => host.setAttribute('data-message-id', 'm-2'));
    await expect.poll(() => w.textbox.count()).toBe(0);
    await expect.poll(() => isFocused(w.up)).toBe(true);
    expect(await w.up.getAttribute('aria-pressed')).toBe('false');
    // A widget without focus inside leaves focus where it is.
    await page.locator('a').focus();
    await w.host.evaluate((host) => host.setAttribute('data-locale', 'de'));
    await widget(page, messagesFor('de')).up.waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('A');
  });

  it('after a vote the choices that would do nothing are exposed as unavailable, but stay focusable; with data-allow-change none is', async () => {
    const { page, w } = await open({ attrs: 'data-comment="false"' });
    await w.up.click();
    expect(await w.up.getAttribute('aria-disabled')).toBe('false');
    expect(await w.down.getAttribute('aria-disabled')).toBe('true');
    await tabTo(page, w.down);
    const changeable = await open({ attrs: 'data-comment="false" data-allow-change="true"' });
    await changeable.w.up.click();
    expect(await changeable.w.down.getAttribute('aria-disabled')).toBe('false');
  });

  it('the compact variant is reached by Tab with a visible focus indicator, and Space on Helpful sends one up vote and announces the thanks', async () => {
    const { page, w } = await open({ attrs: 'data-variant="compact"' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await isFocused(w.up)).toBe(true);
    const ring = await probe(page, 'focusRing');
    expect(ring.focusVisible).toBe(true);
    expect(ring.ratio, `${ring.element}: ${ring.indicator}`).toBeGreaterThanOrEqual(3);
    await page.keyboard.press('Space');
    await server.waitFor(1);
    await expect.poll(() => w.status.textContent()).toBe(en.thanks);
    await outboxDrained(page);
    expect(only(server.requests).body).toMatchObject({ rating: 'up' });
    expect(await w.up.getAttribute('aria-pressed')).toBe('true');
    expect(await isFocused(w.up)).toBe(true);
  });

  it('in Arabic, right to left, the whole flow works by keyboard: Tab order Helpful then Not helpful, a reason, Send, the thanks', async () => {
    const reason = ar.reasons.split('|')[0] as string;
    const { page, w } = await open({
      html: 'lang="ar" dir="rtl"',
      attrs: 'data-locale="ar"',
      messages: ar,
    });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await isFocused(w.up)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await isFocused(w.down)).toBe(true);
    await page.keyboard.press('Enter');
    await w.textbox.waitFor();
    expect(await probe(page, 'focusInFollowUp')).toBe(true);
    await tabTo(page, w.reason(reason));
    await page.keyboard.press('Space');
    await tabTo(page, w.send);
    await page.keyboard.press('Enter');
    await server.waitFor(1);
    await expect.poll(() => w.status.textContent()).toBe(ar.thanks);
    await outboxDrained(page);
    expect(only(server.requests).body).toMatchObject({ rating: 'down', reason, locale: 'ar' });
    expect(await isFocused(w.down)).toBe(true);
  });
});

describe('prefers-reduced-motion', () => {
  /** What moves for more than 10 ms in the widget. */
  const moving = async (page: Page) =>
    (await probe(page, 'motion'))
      .filter((entry) => entry.transition > 0.01 || entry.animation > 0.01)
      .map(
        (entry) =>
          `${entry.element}: transition ${entry.transition}s, animation ${entry.animation}s`,
      );

  it('(harness check) a transition set on the buttons through ::part() is measured inside the shadow root', async () => {
    const { page } = await open({
      head: '<style>[data-feedback]::part(button) { transition: background-color 300ms; }</style>',
    });
    expect(await moving(page)).toContainEqual(expect.stringContaining('transition 0.3s'));
  });

  it('with reduce, nothing in the widget moves for more than 10 ms, idle or with the follow-up open', async () => {
    const { page, w } = await open({ reducedMotion: 'reduce' });
    const idle = await moving(page);
    await openFollowUp(w);
    const withFollowUp = await moving(page);
    const all = [...idle, ...withFollowUp];
    expect(all, all.join('\n')).toEqual([]);
  });
});

describe('right-to-left', () => {
  /** Left edges of the prompt and the buttons, and the widget's direction. */
  const layout = async (w: Widget) => {
    const left = async (locator: Locator) => (await locator.boundingBox())?.x ?? Number.NaN;
    return {
      direction: await w.root.evaluate((element) => getComputedStyle(element).direction),
      prompt: await left(w.prompt),
      up: await left(w.up),
      down: await left(w.down),
    };
  };

  it('in Arabic the widget runs right to left, with the prompt and buttons in the mirror order of English', async () => {
    const english = await layout((await open()).w);
    const arabic = await layout(
      (await open({ html: 'lang="ar" dir="rtl"', attrs: 'data-locale="ar"', messages: ar })).w,
    );
    expect(english.direction).toBe('ltr');
    expect(english.prompt).toBeLessThan(english.up);
    expect(english.up).toBeLessThan(english.down);
    expect(arabic.direction).toBe('rtl');
    expect(arabic.prompt).toBeGreaterThan(arabic.up);
    expect(arabic.up).toBeGreaterThan(arabic.down);
  });

  it('an Arabic widget on an English page still runs right to left', async () => {
    const { w } = await open({ attrs: 'data-locale="ar"', messages: ar });
    const arabic = await layout(w);
    expect(arabic.direction).toBe('rtl');
    expect(arabic.up).toBeGreaterThan(arabic.down);
  });

  it('an English widget on an Arabic right-to-left page runs left to right', async () => {
    const { w } = await open({ html: 'lang="ar" dir="rtl"', attrs: 'data-locale="en"' });
    const english = await layout(w);
    expect(english.direction).toBe('ltr');
    expect(english.up).toBeLessThan(english.down);
  });

  it('a widget whose locale differs from the page declares its own language, so its texts are spoken in it', async () => {
    const { w } = await open({ attrs: 'data-locale="ar"', messages: ar });
    const languages = await Promise.all(
      [w.prompt, w.up, w.down].map((locator) =>
        locator.evaluate((element) => element.matches(':lang(ar)')),
      ),
    );
    expect(languages).toEqual([true, true, true]);
  });

  it("texts the page sets are declared in the page's language, where the built-in ones fall back to English", async () => {
    const { w } = await open({
      html: 'lang="it"',
      attrs:
        'data-prompt="Ti è stato utile?" data-label-up="Utile" data-label-down="Non utile" data-reasons="Sbagliato|Incompleto" data-thanks="Grazie!"',
      messages: { ...en, prompt: 'Ti è stato utile?', up: 'Utile', down: 'Non utile' },
    });
    const italian = (locator: Locator) =>
      locator.evaluate((element) => element.matches(':lang(it)'));
    expect(await Promise.all([w.prompt, w.up, w.down].map(italian))).toEqual([true, true, true]);
    await w.down.click();
    expect(await italian(w.reason('Sbagliato'))).toBe(true);
    expect(await italian(w.send)).toBe(false);
    await w.send.click();
    await expect.poll(() => w.status.textContent()).toBe('Grazie!');
    expect(await italian(w.status)).toBe(true);
  });

  it('a widget that falls back to English on a page in a language it does not ship declares English', async () => {
    const { w } = await open({ html: 'lang="it"' });
    const languages = await Promise.all(
      [w.prompt, w.up, w.down].map((locator) =>
        locator.evaluate((element) => element.matches(':lang(en)')),
      ),
    );
    expect(languages).toEqual([true, true, true]);
  });
});

describe('live region', () => {
  it('two mounts of one message show the thanks, and only the one voted in is a live region in the accessibility tree', async () => {
    const { page } = await open();
    await page.evaluate(() => {
      const second = document.createElement('div');
      second.setAttribute('data-feedback', '');
      second.setAttribute('data-message-id', 'm-1');
      second.setAttribute('data-ask', 'never');
      document.querySelector('main')?.append(second);
    });
    const [first, second] = [0, 1].map((index) =>
      widgetControls(page.locator('[data-feedback]').nth(index), en),
    ) as ReturnType<typeof widgetControls>[] as [
      ReturnType<typeof widgetControls>,
      ReturnType<typeof widgetControls>,
    ];
    await second.up.click();
    await server.waitFor(1);
    for (const w of [first, second])
      await expect.poll(() => w.status.textContent()).toBe(en.thanks);
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: {
        role?: { value: string };
        properties?: { name: string; value: { value: unknown } }[];
      }[];
    };
    const live = nodes
      .filter((node) => node.role?.value === 'status')
      .map((node) => node.properties?.find((property) => property.name === 'live')?.value.value);
    expect(live).toEqual([undefined, 'polite']);
  });
});
