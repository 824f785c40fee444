// @vitest-environment node
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type Messages, messagesFor } from '../../widget/i18n';
import { type ArticleSetup, openArticle } from '../helpers/article';
import { isFocused, widgetControls } from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';

// An audit as a demanding user of assistive technology would run it, past what a11y.test.ts
// checks: a reader's own text spacing, reflow at 320 px, target sizes, every locale's names,
// forced colours on every focus stop, and how a keyboard user leaves the widget.

const LOCALES = ['en', 'es', 'fr', 'de', 'pt', 'ja', 'ar'];
const en = messagesFor('en');

/** The text-spacing override of WCAG 1.4.12, as the usual bookmarklet and reader tools apply it. */
const TEXT_SPACING =
  '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }';

const { server, t } = useBrowserTest();

interface Setup extends ArticleSetup {
  messages?: Messages;
}

/** A help article with a link before and after one widget, in a new tab. */
async function open(setup: Setup = {}) {
  const page = await openArticle(server, t, {
    ...setup,
    head: `<meta name="viewport" content="width=device-width">${setup.head ?? ''}`,
    after: '<p><a href="#related">Related articles</a></p>',
  });
  const w = widgetControls(page.locator('[data-feedback]'), setup.messages ?? en);
  await w.up.waitFor();
  return { page, w };
}

/** Presses Tab until `target` has focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 12) {
  for (let presses = 0; presses < max; presses++) {
    await page.keyboard.press('Tab');
    if (await isFocused(target)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

interface Shown {
  what: string;
  width: number;
  height: number;
  /** Content wider or taller than its box, or a box past the viewport's right edge. */
  clipped: boolean;
  letterSpacing: number;
  wordSpacing: number;
  lineHeight: number;
  fontSize: number;
}

/** Every shown element of the widget: its box, whether it cuts its content, its text spacing. */
function shown(host: Locator): Promise<Shown[]> {
  return host.evaluate((element) => {
    const viewport = document.documentElement.clientWidth;
    return [...(element.shadowRoot?.querySelectorAll('*') ?? [])]
      .filter((node) => node.checkVisibility() && node.getBoundingClientRect().width > 1)
      .map((node) => {
        const box = node.getBoundingClientRect();
        const style = getComputedStyle(node);
        const scrolls = node.localName === 'textarea';
        return {
          what: `<${node.localName} part="${node.getAttribute('part') ?? ''}"> "${node.textContent?.slice(0, 20)}"`,
          width: box.width,
          height: box.height,
          clipped:
            box.right > viewport + 0.5 ||
            (!scrolls &&
              (node.scrollWidth > node.clientWidth + 1 ||
                node.scrollHeight > node.clientHeight + 1)),
          letterSpacing: Number.parseFloat(style.letterSpacing) || 0,
          wordSpacing: Number.parseFloat(style.wordSpacing) || 0,
          lineHeight: Number.parseFloat(style.lineHeight),
          fontSize: Number.parseFloat(style.fontSize),
        };
      });
  });
}

describe('text spacing (WCAG 1.4.12)', () => {
  it("a reader's text-spacing override on the page reaches every text of the widget, follow-up open, and nothing is cut off at 320 px", async () => {
    const de = messagesFor('de');
    const { page, w } = await open({
      attrs: 'data-locale="de" data-neutral="true"',
      width: 320,
      messages: de,
    });
    await page.addStyleTag({ content: TEXT_SPACING });
    await w.down.click();
    await w.textbox.waitFor();
    const texts = (await shown(w.host)).filter((node) => node.height > 0);
    const unspaced = texts
      .filter(
        (node) =>
          node.letterSpacing < node.fontSize * 0.119 ||
          node.wordSpacing < node.fontSize * 0.159 ||
          node.lineHeight < node.fontSize * 1.49,
      )
      .map(
        (node) =>
          `${node.what}: letter ${node.letterSpacing}px, word ${node.wordSpacing}px, line ${node.lineHeight}px at ${node.fontSize}px`,
      );
    expect(unspaced, unspaced.join('\n')).toEqual([]);
    const cut = texts.filter((node) => node.clipped).map((node) => node.what);
    expect(cut, cut.join('\n')).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(320);
  });

  it("the page's own spacing, inherited, stays out of the widget: only an override aimed at every element gets in", async () => {
    const { w } = await open({
      head: '<style>body { letter-spacing: 0.3em; word-spacing: 1em; line-height: 3; }</style>',
    });
    const label = (await shown(w.host)).find((node) => node.what.includes('part="prompt"'));
    expect(label).toMatchObject({ letterSpacing: 0, wordSpacing: 0 });
    expect(label?.lineHeight).toBeCloseTo((label?.fontSize ?? 0) * 1.4, 1);
  });
});

describe('reflow at 320 CSS px (WCAG 1.4.10)', () => {
  it.each(LOCALES)(
    'in %s, with Neutral and the follow-up open, nothing is cut off or scrolls sideways',
    async (locale) => {
      const messages = messagesFor(locale);
      const { page, w } = await open({
        attrs: `data-locale="${locale}" data-neutral="true"`,
        width: 320,
        messages,
      });
      await w.down.click();
      await w.textbox.waitFor();
      const cut = (await shown(w.host)).filter((node) => node.clipped).map((node) => node.what);
      expect(cut, cut.join('\n')).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(320);
    },
  );
});

describe('target size (WCAG 2.5.8)', () => {
  it.each(['inline', 'compact'])(
    'every button of the %s variant, follow-up open, is at least 24 by 24 px',
    async (variant) => {
      const { w } = await open({ attrs: `data-variant="${variant}" data-neutral="true"` });
      await w.down.click();
      await w.textbox.waitFor();
      const buttons = (await shown(w.host)).filter((node) => node.what.startsWith('<button'));
      expect(buttons).toHaveLength(9);
      const small = buttons
        .filter((node) => node.width < 24 || node.height < 24)
        .map((node) => `${node.what} ${node.width}x${node.height}`);
      expect(small, small.join('\n')).toEqual([]);
    },
  );
});

describe('names and states', () => {
  it.each(LOCALES)(
    'the compact icon buttons in %s are named by their text in a group named by the prompt, the pressed one said to be pressed',
    async (locale) => {
      const messages = messagesFor(locale);
      const { w } = await open({
        attrs: `data-locale="${locale}" data-variant="compact" data-neutral="true" data-comment="false"`,
        messages,
      });
      await w.up.click();
      await expect.poll(() => w.status.textContent()).toBe(messages.thanks);
      // The snapshot writes French's no-break spaces as plain ones.
      expect((await w.host.ariaSnapshot()).replace(/\u00a0/g, ' ')).toBe(
        [
          `- group "${messages.prompt}":`,
          `  - text: ${messages.prompt}`,
          `  - button "${messages.up}" [pressed]`,
          `  - button "${messages.neutral}" [disabled]`,
          `  - button "${messages.down}" [disabled]`,
          `- status: ${messages.thanks}`,
        ]
          .join('\n')
          .replace(/\u00a0/g, ' '),
      );
    },
  );

  it.each(['light', 'dark'])(
    'the pressed choice differs from the others in lightness by at least 3:1, not in hue alone (%s theme)',
    async (theme) => {
      const { w } = await open({ attrs: `data-theme="${theme}" data-comment="false"` });
      await w.up.click();
      const fills = await Promise.all(
        [w.up, w.down].map((button) =>
          button.evaluate((element) => getComputedStyle(element).backgroundColor),
        ),
      );
      expect(contrast(fills[0] as string, fills[1] as string)).toBeGreaterThanOrEqual(3);
    },
  );
});

describe('keyboard only', () => {
  it('no trap: Tab from Skip leaves the open follow-up for the next link, Shift+Tab from Helpful for the link before', async () => {
    const { page, w } = await open();
    await tabTo(page, w.down);
    await page.keyboard.press('Enter');
    await tabTo(page, w.skip);
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByRole('link', { name: 'Related articles' }))).toBe(true);
    await tabTo(page, w.up);
    await page.keyboard.press('Shift+Tab');
    expect(await isFocused(page.getByRole('link', { name: 'Read the steps' }))).toBe(true);
  });

  it.each(['Send', 'Skip'])(
    'after Enter on %s, focus is back on Not helpful with its focus ring showing',
    async (name) => {
      const { page, w } = await open();
      await tabTo(page, w.down);
      await page.keyboard.press('Enter');
      await tabTo(page, name === 'Send' ? w.send : w.skip);
      await page.keyboard.press('Enter');
      await expect.poll(() => w.textbox.count()).toBe(0);
      expect(await isFocused(w.down)).toBe(true);
      expect(await w.down.evaluate((element) => element.matches(':focus-visible'))).toBe(true);
    },
  );

  it.each(['light', 'dark'] as const)(
    'with forced colours (%s), every stop from Helpful to Skip, pressed ones included, shows a 2 px ring of at least 3:1 on the Canvas',
    async (colorScheme) => {
      const { page, w } = await open({ colorScheme, forcedColors: 'active' });
      await tabTo(page, w.down);
      await page.keyboard.press('Enter');
      await w.textbox.waitFor();
      // Incorrect pressed: a pressed reason is painted Highlight, its ring must still show.
      await page.keyboard.press('Space');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect(await isFocused(w.up)).toBe(true);
      const rings: string[] = [];
      for (let stop = 0; stop < 9; stop++) {
        rings.push(
          await page.evaluate(() => {
            let focused = document.activeElement;
            while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
            const style = getComputedStyle(focused as Element);
            const canvas = getComputedStyle(document.body).backgroundColor;
            return `${focused?.textContent || focused?.localName}|${style.outlineStyle}|${style.outlineWidth}|${style.outlineColor}|${canvas}`;
          }),
        );
        if (await isFocused(w.skip)) break;
        await page.keyboard.press('Tab');
      }
      expect(rings).toHaveLength(9);
      const weak = rings.filter((ring) => {
        const [, style, width, color, canvas] = ring.split('|') as string[];
        return style === 'none' || Number.parseFloat(width) < 2 || contrast(color, canvas) < 3;
      });
      expect(weak, weak.join('\n')).toEqual([]);
    },
  );
});

/** WCAG contrast of two computed colours, the first composited over the second. */
function contrast(top: string, bottom: string): number {
  const parse = (color: string) => {
    const [r = 0, g = 0, b = 0, a = 1] = (color.match(/[\d.]+/g) ?? []).map(Number);
    return { rgb: [r, g, b], a: color.startsWith('rgba') ? a : 1 };
  };
  const below = parse(bottom).rgb;
  const over = parse(top);
  const fg = over.rgb.map((c, i) => c * over.a + (below[i] as number) * (1 - over.a));
  const luminance = (rgb: number[]) => {
    const [r, g, b] = rgb.map((value) => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(fg), luminance(below)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
