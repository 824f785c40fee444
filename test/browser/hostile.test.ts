// @vitest-environment node
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { isFocused, outboxDrained, recordEvents, recordedEvents } from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';
import { OUTBOX_PREFIX, outboxItem } from '../helpers/outbox';

const SCRIPT = '<script src="/feedback-widget.js" async data-endpoint="/api/feedback"></script>';
const VOTE_PREFIX = 'feedback-widget:vote:';

/**
 * A stylesheet that fights every embedded widget: resets, hidden buttons, huge inherited
 * fonts, right-to-left text, no focus outlines, and custom properties with the generic names a
 * widget might use internally. The `div` rule loses to the reset, as it would on a real page;
 * made important, it would shrink the mount element itself, which is the page's own layout.
 */
const HOSTILE_CSS = `
* { all: unset !important; box-sizing: content-box !important; line-height: 0 !important; }
html { font-size: 48px !important; direction: rtl !important; color: #f0f !important; }
body {
  font-size: 72px !important; direction: rtl !important; letter-spacing: 12px !important;
  word-spacing: 40px !important; text-transform: uppercase !important; font-style: italic !important;
  text-indent: 200px !important; text-align: justify !important; white-space: pre !important;
  cursor: wait !important;
}
button { display: none !important; }
::before { display: none !important; content: none !important; }
div { position: absolute; width: 1px; }
:focus { outline: none !important; }
:root { --fg: #f0f; --bg: #f0f; --line: #f0f; --accent: #f0f; --on-accent: #f0f; }
`;
const HOSTILE_HEAD = `<link rel="stylesheet" href="/hostile.css">${SCRIPT}`;
const MAGENTA = 'rgb(255, 0, 255)';
/** For polls on a slow, shared machine; they end as soon as they pass. */
const PATIENT = { timeout: 5000 };

/**
 * Text a page may put into the widget. None starts or ends with whitespace or holds `|`: ids,
 * reasons and comments are trimmed and reasons split on `|`, by design.
 */
const HOSTILE: string[] = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=1</script>',
  '"><svg onload=window.__pwned=1>',
  "{{constructor.constructor('window.__pwned=1')()}}",
  'javascript:window.__pwned=1',
  'abcdefghij'.repeat(1000),
  'This sentence keeps going, one ordinary word after another, well past any line. '
    .repeat(20)
    .trim(),
  '👩🏽‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 👍🏿 🧑🏻‍🤝‍🧑🏿',
  'report\u202Efdp.exe',
  '\u200Fשלום\u200F \u202Eworld\u202C',
  'null',
  'undefined',
  '__proto__',
  'constructor',
];

/** A hostile text as an id: its first 200 characters, the most an id may have (longer is refused). */
const asId = (text: string) => [...text].slice(0, 200).join('').trim();

let pages = 0;

const { server, t } = useBrowserTest((page) =>
  page.page('/hostile.css', HOSTILE_CSS, { 'Content-Type': 'text/css' }),
);

function html(body: string, head: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Article</title>${head}</head><body><main><h1>An answer</h1><p>Some text.</p>${body}</main></body></html>`;
}

/** Serves `body` under a path no other test uses and opens it in a new tab. */
async function open(
  body: string,
  head = SCRIPT,
  prepare?: (page: Page) => Promise<void>,
): Promise<Page> {
  const path = `/page-${++pages}`;
  server.page(path, html(body, head));
  const page = await t.newPage();
  await prepare?.(page);
  await page.goto(`${server.origin}${path}`);
  return page;
}

/** Escaped for a double-quoted HTML attribute, the way a careful page author writes it. */
function attribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A `[data-feedback]` element with these attributes, in a 360 px wide box `#case-{n}`. */
function mountPoint(n: number | string, attributes: Record<string, string>): string {
  const list = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${attribute(value)}"`)
    .join('');
  return `<section id="case-${n}" style="width: 360px"><div data-feedback${list}></div></section>`;
}

/** The widget host inside `#case-{n}`, with its pieces found by their public `part`s. */
function widget(page: Page, n: number | string) {
  const host = page.locator(`#case-${n} [data-feedback]`);
  return {
    host,
    up: host.locator('[part~="up"]'),
    down: host.locator('[part~="down"]'),
    status: host.getByRole('status'),
    textbox: host.getByRole('textbox'),
    send: host.locator('[part~="send"]'),
    skip: host.locator('[part~="skip"]'),
  };
}

/** Tag names of every element in the host's shadow root, in document order. */
function shadowTags(host: Locator): Promise<string[]> {
  return host.evaluate((element) =>
    [...(element.shadowRoot?.querySelectorAll('*') ?? [])].map((node) => node.localName),
  );
}

const pwned = (page: Page) =>
  page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(locator: Locator): Promise<Box> {
  const found = await locator.boundingBox();
  if (!found) throw new Error('no bounding box: the element is not rendered');
  return found;
}

/** Whether the point at the centre of `locator` hits it, as seen from its own (shadow) root. */
function hitAtCentre(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    const root = element.getRootNode() as ShadowRoot;
    const hit = root.elementFromPoint(rect.x + rect.width / 2, rect.y + rect.height / 2);
    return hit !== null && element.contains(hit);
  });
}

/** Computed styles the widget's own stylesheet decides, for every element in the shadow root. */
const STYLE_PROPERTIES = [
  'display',
  'position',
  'box-sizing',
  'font-family',
  'font-size',
  'font-style',
  'font-weight',
  'text-transform',
  'text-indent',
  'text-align',
  'white-space',
  'direction',
  'color',
  'background-color',
  'border',
  'border-radius',
  'padding',
  'margin',
  'min-height',
  'cursor',
  'visibility',
  'clip-path',
  'scale',
];

/**
 * What the widget takes from its own element, and only from it: a reader's text-spacing override
 * (WCAG 1.4.12) is a rule for every element, the widget's included. Each element of the shadow
 * root whose spacing is not its host element's, with both: the line height as a multiple of the
 * font size (a unitless one is inherited as such), letter and word spacing as computed.
 */
function spacingNotTheHost(host: Locator) {
  return host.evaluate((element) => {
    const spacing = (node: Element) => {
      const style = getComputedStyle(node);
      const lineHeight =
        style.lineHeight === 'normal'
          ? 'normal'
          : (Number.parseFloat(style.lineHeight) / Number.parseFloat(style.fontSize)).toFixed(2);
      return `${lineHeight} ${style.letterSpacing} ${style.wordSpacing}`;
    };
    const own = spacing(element);
    return [...(element.shadowRoot?.querySelectorAll('*') ?? [])]
      .filter((node) => node.localName !== 'style' && spacing(node) !== own)
      .map(
        (node) =>
          `${node.localName}.${node.getAttribute('class') ?? ''}: ${spacing(node)} (host ${own})`,
      );
  });
}

function shadowStyles(host: Locator) {
  return host.evaluate((element, properties) => {
    return [...(element.shadowRoot?.querySelectorAll('*') ?? [])].flatMap((node) =>
      [null, '::before'].map((pseudo) => {
        const computed = getComputedStyle(node, pseudo);
        return {
          element: `${node.localName}.${node.getAttribute('class') ?? ''}${pseudo ?? ''}`,
          ...Object.fromEntries(properties.map((name) => [name, computed.getPropertyValue(name)])),
        };
      }),
    );
  }, STYLE_PROPERTIES);
}

describe('a host page with hostile CSS', () => {
  it('keeps the buttons visible, at least the size they are on a plain page, apart, named and clickable', async () => {
    const plainPage = await open(mountPoint('plain', { 'data-message-id': 'm-plain' }));
    const page = await open(
      mountPoint('hostile', { 'data-message-id': 'm-hostile' }),
      HOSTILE_HEAD,
    );
    const plain = widget(plainPage, 'plain');
    const hostile = widget(page, 'hostile');
    await plain.up.waitFor();
    await hostile.up.waitFor();

    const boxes = [await box(hostile.up), await box(hostile.down)];
    const plainBoxes = [await box(plain.up), await box(plain.down)];
    // Its `*` rule sets the widget element's spacing, which the widget takes as it takes a
    // reader's: wider by the letter and word spacing, and its line height of 0 leaves the
    // buttons their minimum height, still a target of at least 24 px (WCAG 2.5.8).
    for (const [index, { width, height }] of boxes.entries()) {
      const plainBox = plainBoxes[index] as Box;
      expect(width).toBeGreaterThanOrEqual(plainBox.width);
      expect(height).toBeGreaterThanOrEqual(24);
      expect(height).toBeLessThanOrEqual(plainBox.height);
    }
    for (const { width, height } of boxes) {
      expect(width).toBeGreaterThan(40);
      expect(height).toBeGreaterThan(20);
    }
    expect(overlaps(boxes[0] as Box, boxes[1] as Box)).toBe(false);
    expect([await hitAtCentre(hostile.up), await hitAtCentre(hostile.down)]).toEqual([true, true]);
    expect(await hostile.host.getByRole('group', { name: 'Was this helpful?' }).count()).toBe(1);
    expect(await hostile.host.getByRole('button', { name: 'Helpful', exact: true }).count()).toBe(
      1,
    );
    expect(
      await hostile.host.getByRole('button', { name: 'Not helpful', exact: true }).count(),
    ).toBe(1);

    await hostile.up.click();
    await server.waitFor(1);
    expect(await hostile.up.getAttribute('aria-pressed')).toBe('true');
    expect(only(server.requests).body).toMatchObject({ rating: 'up', message_id: 'm-hostile' });
  });

  it('leaves every computed style inside the shadow root as widget.css sets it, but the spacing set on its element', async () => {
    const plainPage = await open(mountPoint('plain', { 'data-message-id': 'm-plain' }));
    const page = await open(
      mountPoint('hostile', { 'data-message-id': 'm-hostile' }),
      HOSTILE_HEAD,
    );
    await widget(plainPage, 'plain').up.waitFor();
    const hostile = widget(page, 'hostile');
    await hostile.up.waitFor();

    const styles = await shadowStyles(hostile.host);
    expect(styles).toEqual(await shadowStyles(widget(plainPage, 'plain').host));
    // The `*` rule's line height and, through `all: unset`, body's spacing reach the widget's
    // element, so every text inside takes them, as it takes a reader's; on the plain page, the
    // widget's own 1.4 and normal spacing.
    expect(await spacingNotTheHost(hostile.host)).toEqual([]);
    expect(await spacingNotTheHost(widget(plainPage, 'plain').host)).toEqual([]);
    expect(
      await widget(plainPage, 'plain').up.evaluate((button) => {
        const style = getComputedStyle(button);
        return [style.lineHeight, style.letterSpacing, style.wordSpacing];
      }),
    ).toEqual(['19.6px', 'normal', '0px']);
    // widget.css: a 14px system-ui pill with a grey border on white, left to right.
    const button = {
      // inline-flex computes to flex on a flex item.
      display: 'flex',
      'font-family': 'system-ui, sans-serif',
      'font-size': '14px',
      'font-style': 'normal',
      'text-transform': 'none',
      direction: 'ltr',
      color: 'rgb(31, 35, 40)',
      'background-color': 'rgb(255, 255, 255)',
      border: '1px solid rgb(110, 119, 129)',
      'border-radius': '999px',
      padding: '4.2px 9.8px',
      'min-height': '28px',
      cursor: 'pointer',
      visibility: 'visible',
    };
    expect(styles.filter((style) => /^button\.\w*$/.test(style.element))).toEqual([
      expect.objectContaining({ element: 'button.up', ...button }),
      expect.objectContaining({ element: 'button.down', ...button }),
    ]);
    expect(styles.find((style) => style.element === 'div.fw')).toMatchObject({
      display: 'flex',
      'font-size': '14px',
      'white-space': 'normal',
      'text-indent': '0px',
      direction: 'ltr',
    });
    // The icons: a box of the text colour, cut to a thumb by clip-path (flipped for down).
    const icon = {
      display: 'block',
      'background-color': 'rgb(31, 35, 40)',
      'clip-path': expect.stringMatching(/^polygon\(/),
    };
    expect(styles.filter((style) => /^button\.(up|down)::before$/.test(style.element))).toEqual([
      expect.objectContaining({ ...icon, scale: 'none' }),
      expect.objectContaining({ ...icon, scale: '1 -1' }),
    ]);
  });

  it('opens the follow-up after a vote, and Send posts exactly one request and says thanks', async () => {
    const page = await open(mountPoint('hostile', { 'data-message-id': 'm-flow' }), HOSTILE_HEAD);
    const w = widget(page, 'hostile');
    await w.down.click();
    const reason = w.host.getByRole('button', { name: 'Unclear', exact: true });
    await reason.click();
    expect((await box(w.textbox)).height).toBeGreaterThan(40);
    await w.textbox.fill('Readable despite the page.');
    await w.send.click();
    await server.waitFor(1);
    await expect.poll(() => w.status.textContent(), PATIENT).toBe('Thanks for your feedback!');
    await outboxDrained(page);
    const request = only(server.requests);
    expect(request.path).toBe('/api/feedback');
    expect(request.body).toMatchObject({
      id: request.headers['idempotency-key'],
      rating: 'down',
      message_id: 'm-flow',
      reason: 'Unclear',
      comment: 'Readable despite the page.',
    });
    expect(t.problems.pageErrors).toEqual([]);
  });

  it('lays an English widget out left to right on a right-to-left page, and mirrors an Arabic one', async () => {
    const page = await open(
      mountPoint('en', { 'data-message-id': 'm-en' }) +
        mountPoint('ar', { 'data-message-id': 'm-ar', 'data-locale': 'ar' }),
      HOSTILE_HEAD,
    );
    const english = widget(page, 'en');
    const arabic = widget(page, 'ar');
    await english.up.waitFor();
    await arabic.up.waitFor();
    const order = async (w: ReturnType<typeof widget>) => {
      const prompt = await box(w.host.locator('[part~="prompt"]'));
      const up = await box(w.up);
      const down = await box(w.down);
      return { promptBeforeUp: prompt.x < up.x, upBeforeDown: up.x < down.x };
    };
    // SPEC §4 mirrors right-to-left locales; the host page's direction says nothing about
    // the language of the widget's own texts.
    expect(await order(english)).toEqual({ promptBeforeUp: true, upBeforeDown: true });
    expect(await order(arabic)).toEqual({ promptBeforeUp: false, upBeforeDown: false });
    expect(await arabic.host.getByRole('button', { name: 'مفيد', exact: true }).count()).toBe(1);
  });

  it('shows the focus ring on a keyboard-focused button although the page removes outlines', async () => {
    const page = await open(mountPoint('hostile', { 'data-message-id': 'm-focus' }), HOSTILE_HEAD);
    const w = widget(page, 'hostile');
    await w.up.waitFor();
    await page.keyboard.press('Tab');
    expect(await isFocused(w.up)).toBe(true);
    expect(
      await w.up.evaluate((button) => {
        const { outlineStyle, outlineWidth, outlineColor, outlineOffset } =
          getComputedStyle(button);
        return { outlineStyle, outlineWidth, outlineColor, outlineOffset };
      }),
    ).toEqual({
      outlineStyle: 'solid',
      outlineWidth: '2px',
      outlineColor: 'rgb(9, 105, 218)',
      outlineOffset: '2px',
    });
  });

  it("takes none of its colours from the page's custom properties, pressed or not", async () => {
    const plainPage = await open(mountPoint('plain', { 'data-message-id': 'm-plain' }));
    const page = await open(
      mountPoint('hostile', { 'data-message-id': 'm-hostile' }),
      HOSTILE_HEAD,
    );
    const colours = async (w: ReturnType<typeof widget>) => {
      await w.up.click();
      await expect.poll(() => w.up.getAttribute('aria-pressed'), PATIENT).toBe('true');
      return Promise.all(
        [w.up, w.down].map((button) =>
          button.evaluate((element) => {
            const { color, backgroundColor, borderColor } = getComputedStyle(element);
            return { color, backgroundColor, borderColor };
          }),
        ),
      );
    };
    const plain = await colours(widget(plainPage, 'plain'));
    const hostile = await colours(widget(page, 'hostile'));
    expect(JSON.stringify(hostile)).not.toContain(MAGENTA);
    expect(hostile).toEqual(plain);
  });
});

describe('hostile strings in text options', () => {
  it('(harness check) the same markup written unescaped into a page does set window.__pwned', async () => {
    const page = await open(`${HOSTILE[0]}${HOSTILE[2]}`);
    await expect.poll(() => pwned(page), PATIENT).toBe(1);
  });

  it('shows each string exactly as given as the prompt, every button label and the thanks', async () => {
    const page = await open(
      HOSTILE.map((text, n) =>
        mountPoint(n, {
          'data-message-id': `t-${n}`,
          'data-neutral': 'true',
          'data-prompt': text,
          'data-label-up': text,
          'data-label-down': text,
          'data-label-neutral': text,
          'data-thanks': text,
        }),
      ).join(''),
    );
    const shown = [];
    for (const [n, text] of HOSTILE.entries()) {
      const w = widget(page, n);
      await w.up.waitFor();
      const texts = await w.host.evaluate((element) => {
        const part = (name: string) =>
          element.shadowRoot?.querySelector(`[part~="${name}"]`)?.textContent;
        return {
          prompt: part('prompt'),
          up: part('up'),
          neutral: part('neutral'),
          down: part('down'),
        };
      });
      const groups = await w.host.getByRole('group', { name: text, exact: true }).count();
      const buttons = await w.host.getByRole('button', { name: text, exact: true }).count();
      await w.up.click();
      await expect.poll(() => w.status.textContent(), PATIENT).not.toBe('');
      shown.push({ ...texts, groups, buttons, thanks: await w.status.textContent() });
    }
    expect(shown).toEqual(
      HOSTILE.map((text) => ({
        prompt: text,
        up: text,
        neutral: text,
        down: text,
        groups: 1,
        buttons: 3,
        thanks: text,
      })),
    );
  });

  it('offers each string exactly as given as a reason choice, after Not helpful and after Helpful', async () => {
    const page = await open(
      mountPoint('down', { 'data-message-id': 'r-down', 'data-reasons': HOSTILE.join('|') }) +
        mountPoint('up', {
          'data-message-id': 'r-up',
          'data-ask': 'always',
          'data-reasons-up': HOSTILE.join('|'),
        }),
    );
    const offered = async (w: ReturnType<typeof widget>, choice: Locator) => {
      await choice.click();
      await w.textbox.waitFor();
      const texts = await w.host
        .locator('[part~="reason"]')
        .evaluateAll((reasons) => reasons.map((reason) => reason.textContent));
      const named = [];
      for (const text of HOSTILE) {
        named.push(
          await w.host
            .getByRole('button', { name: text, exact: true })
            .or(w.host.getByRole('radio', { name: text, exact: true }))
            .count(),
        );
      }
      return { texts, named };
    };
    const expected = { texts: HOSTILE, named: HOSTILE.map(() => 1) };
    const down = widget(page, 'down');
    expect(await offered(down, down.down)).toEqual(expected);
    const up = widget(page, 'up');
    expect(await offered(up, up.up)).toEqual(expected);
  });

  it('creates no element from markup in any option, runs none of it and logs nothing', async () => {
    const options = (n: number | string, text: string) => ({
      'data-message-id': `x-${n}`,
      'data-neutral': 'true',
      'data-ask': 'always',
      'data-prompt': text,
      'data-label-up': text,
      'data-label-down': text,
      'data-label-neutral': text,
      'data-thanks': text,
      'data-reasons': text,
      'data-reasons-up': text,
    });
    const page = await open(
      mountPoint('plain', options('plain', 'Plain words')) +
        HOSTILE.map((text, n) => mountPoint(n, options(n, text))).join(''),
    );
    const states = async (w: ReturnType<typeof widget>) => {
      await w.up.waitFor();
      const idle = await shadowTags(w.host);
      await w.up.click();
      await w.send.waitFor();
      const followUp = await shadowTags(w.host);
      await w.send.click();
      await expect.poll(() => w.status.textContent(), PATIENT).not.toBe('');
      return { idle, followUp, thanked: await shadowTags(w.host) };
    };
    const plain = await states(widget(page, 'plain'));
    expect(plain.followUp).toContain('textarea');
    const hostile = [];
    for (const n of HOSTILE.keys()) hostile.push(await states(widget(page, n)));
    expect(hostile).toEqual(HOSTILE.map(() => plain));
    await server.waitFor(HOSTILE.length + 1);
    await outboxDrained(page);
    expect(
      await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        foreign: document.querySelectorAll('img, svg, iframe, object, embed, a').length,
        scripts: document.scripts.length,
      })),
    ).toEqual({ pwned: undefined, foreign: 0, scripts: 1 });
    expect(t.problems.pageErrors).toEqual([]);
    expect(t.problems.consoleErrors).toEqual([]);
  });

  it('keeps every widget inside its 360 px box, follow-up included, with its buttons clickable', async () => {
    const page = await open(
      HOSTILE.map((text, n) =>
        mountPoint(n, {
          'data-message-id': `l-${n}`,
          'data-prompt': text,
          'data-label-up': text,
          'data-label-down': text,
          'data-reasons': text,
        }),
      ).join(''),
    );
    /** Widths of the box and of whatever in the widget sticks out of it, left or right. */
    const overflow = (n: number) =>
      page.locator(`#case-${n}`).evaluate((section) => {
        const bounds = section.getBoundingClientRect();
        const shadow = section.querySelector('[data-feedback]')?.shadowRoot;
        const outside = [...(shadow?.querySelectorAll('*') ?? [])].filter((node) => {
          const rect = node.getBoundingClientRect();
          return rect.left < bounds.left - 0.5 || rect.right > bounds.right + 0.5;
        });
        return {
          scrollWidth: section.scrollWidth,
          clientWidth: section.clientWidth,
          outside: outside.map((node) => node.localName),
        };
      });
    const fits = { scrollWidth: 360, clientWidth: 360, outside: [] };
    for (const n of HOSTILE.keys()) {
      const w = widget(page, n);
      await w.up.waitFor();
      expect(await overflow(n)).toEqual(fits);
      for (const button of [w.up, w.down]) {
        const { width, height } = await box(button);
        expect(width).toBeGreaterThan(20);
        expect(height).toBeGreaterThan(20);
      }
      await w.down.click();
      await w.skip.waitFor();
      expect(await overflow(n)).toEqual(fits);
      await w.skip.click();
      await server.waitFor(n + 1);
    }
    expect(
      server.requests.map((request) => (request.body as { message_id: string }).message_id),
    ).toEqual(HOSTILE.map((_, n) => `l-${n}`));
  });

  it('posts every string byte for byte in the JSON body: ids, metadata, reason, comment and message content', async () => {
    const metadata = (text: string) => ({ text, list: [text], [text]: text });
    const page = await open(
      HOSTILE.map((text, n) =>
        mountPoint(`e-${n}`, {
          'data-conversation-id': asId(text),
          'data-message-id': asId(text),
          'data-session-id': asId(text),
          'data-user-id': asId(text),
          'data-metadata': JSON.stringify(metadata(text)),
          'data-reasons': text,
          'data-comment-max': '20000',
        }),
      ).join('') +
        HOSTILE.map((text, n) =>
          mountPoint(`q-${n}`, {
            'data-format': 'quality',
            'data-endpoint': '/api/quality',
            'data-message-id': `q-${n}`,
            'data-message-content': text,
          }),
        ).join(''),
    );
    for (const [n, text] of HOSTILE.entries()) {
      const w = widget(page, `e-${n}`);
      await w.down.click();
      await w.host.getByRole('button', { name: text, exact: true }).click();
      await w.textbox.fill(text);
      await w.send.click();
      await widget(page, `q-${n}`).up.click();
      await server.waitFor(2 * n + 2);
    }
    await outboxDrained(page);
    const bodies = (path: string) =>
      server.requests.filter((request) => request.path === path).map((request) => request.body);
    expect(bodies('/api/feedback')).toEqual(
      HOSTILE.map((text) =>
        expect.objectContaining({
          rating: 'down',
          conversation_id: asId(text),
          message_id: asId(text),
          session_id: asId(text),
          user_id: asId(text),
          reason: text,
          comment: text,
          metadata: metadata(text),
        }),
      ),
    );
    expect(bodies('/api/quality')).toEqual(
      HOSTILE.map((text) => expect.objectContaining({ sent_message_content: text })),
    );
  });

  it('URL-encodes ids filled into the endpoint so each stays exactly one path segment', async () => {
    const ids = [...HOSTILE.map(asId), 'a/b', '?x=1#y', '%2F..%2F', 'c 2'];
    const page = await open(
      ids
        .map((text, n) =>
          mountPoint(n, {
            'data-endpoint': '/api/c/{conversationId}/{messageId}',
            'data-conversation-id': text,
            'data-message-id': `p-${n}`,
          }),
        )
        .join(''),
    );
    for (const n of ids.keys()) {
      await widget(page, n).up.click();
      await server.waitFor(n + 1);
    }
    const segments = server.requests.map((request) => ({
      id: (request.body as { conversation_id: string }).conversation_id,
      segments: request.path.split('/').slice(1).map(decodeURIComponent),
    }));
    expect(segments).toEqual(
      ids.map((text, n) => ({ id: text, segments: ['api', 'c', text, `p-${n}`] })),
    );
  });

  it('never sends a vote to another path when an id filled into the endpoint is . or ..', async () => {
    const endpoint = '/api/c/{conversationId}/{messageId}';
    const page = await open(
      mountPoint('control', {
        'data-endpoint': endpoint,
        'data-conversation-id': 'c-1',
        'data-message-id': 'm-control',
      }) +
        ['.', '..']
          .map((id, n) =>
            mountPoint(n, {
              'data-endpoint': endpoint,
              'data-conversation-id': id,
              'data-message-id': `m-dot-${n}`,
            }),
          )
          .join(''),
    );
    await widget(page, 'control').up.click();
    await server.waitFor(1);
    // Refusing such an id (with a console.error) is fine; posting elsewhere is not.
    for (const n of [0, 1]) {
      const up = widget(page, n).up;
      if (await up.count()) await up.click();
    }
    await outboxDrained(page);
    const shapes = server.requests.map(({ path }) => {
      const segments = path.split('/');
      return { segments: segments.length, under: segments.slice(0, 3).join('/') };
    });
    expect(shapes).toEqual(server.requests.map(() => ({ segments: 5, under: '/api/c' })));
  });
});

/** A page script that runs `code` before the widget's script tag. */
function runFirst(code: string): string {
  return `<script>${code}</script>${SCRIPT}`;
}

/**
 * A page script storing `entries` in localStorage, then running `extra`; `<` is escaped so no
 * value can end the script element.
 */
function seed(entries: Record<string, string>, extra = ''): string {
  const json = JSON.stringify(entries).replace(/</g, '\\u003c');
  return runFirst(
    `for (const [key, value] of Object.entries(${json})) localStorage.setItem(key, value);${extra}`,
  );
}

describe('storage', () => {
  it('with localStorage full before it loads, delivers a vote once and keeps it voted for the page', async () => {
    const fill = `
      const state = { entries: 0, error: '' };
      for (let size = 1 << 20; size >= 1; ) {
        try { localStorage.setItem('filler-' + state.entries, 'x'.repeat(size)); state.entries++; }
        catch (error) { state.error = error.name; size >>= 1; }
      }
      window.__fill = state;`;
    const page = await open(mountPoint('full', { 'data-message-id': 'm-full' }), runFirst(fill));
    expect(await page.evaluate(() => (window as unknown as { __fill: unknown }).__fill)).toEqual({
      entries: expect.any(Number),
      error: 'QuotaExceededError',
    });
    const w = widget(page, 'full');
    await recordEvents(page, 'feedback:duplicate');
    await recordEvents(page, 'feedback:sent');
    await w.up.click();
    await server.waitFor(1);
    await expect.poll(() => w.status.textContent(), PATIENT).toBe('Thanks for your feedback!');
    await w.up.click();
    await w.down.click({ force: true });
    // Storage is full, so the outbox lives in memory: the answer and the two refusals are the
    // signs that it is done.
    await expect.poll(() => recordedEvents(page, 'feedback:sent')).toHaveLength(1);
    await expect.poll(() => recordedEvents(page, 'feedback:duplicate')).toHaveLength(2);
    expect(only(server.requests).body).toMatchObject({ rating: 'up', message_id: 'm-full' });
    expect(await w.up.getAttribute('aria-pressed')).toBe('true');
    expect(await w.down.getAttribute('aria-pressed')).toBe('false');
    expect(await recordedEvents(page, 'feedback:duplicate')).toHaveLength(2);
    // Still full: nothing the widget did could have been stored.
    expect(
      await page.evaluate(() => {
        try {
          localStorage.setItem('one-more', 'x');
          return 'stored';
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toBe('QuotaExceededError');
    expect(t.problems.pageErrors).toEqual([]);
  });

  it('with room for a vote but not for its request, a vote cast offline is not shown as voted on the next page load', async () => {
    // Storage that takes the small vote record but refuses the request stored to send it.
    const nearlyFull = `
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (String(value).length > 2000) throw new DOMException('Quota exceeded', 'QuotaExceededError');
        return setItem.call(this, key, value);
      };`;
    const point = mountPoint('partial', {
      'data-message-id': 'm-partial',
      'data-ask': 'never',
      'data-message-content': 'A long answer. '.repeat(200),
    });
    const first = await open(point, runFirst(nearlyFull));
    await recordEvents(first, 'feedback:error');
    await t.context.setOffline(true);
    await widget(first, 'partial').up.click();
    await expect.poll(() => recordedEvents(first, 'feedback:error'), PATIENT).toHaveLength(1);
    // It lives only in this page, which may go without sending it: not said to be saved.
    expect(await widget(first, 'partial').status.textContent()).toBe('');
    await first.close();
    await t.context.setOffline(false);
    const next = await open(point, runFirst(nearlyFull));
    const again = widget(next, 'partial');
    // Nothing stored could send that vote: the next page offers the choice again.
    await expect.poll(() => again.up.getAttribute('aria-pressed'), PATIENT).toBe('false');
    expect(await again.status.textContent()).toBe('');
    await again.up.click();
    await server.waitFor(1);
    expect(only(server.requests).body).toMatchObject({ rating: 'up', message_id: 'm-partial' });
    expect(t.problems.pageErrors).toEqual([]);
  });

  it('with Web Locks refused (cookies blocked), retries a failed vote and throws nothing into the page', async () => {
    const refused = `
      LockManager.prototype.request = () =>
        Promise.reject(new DOMException('The request was denied.', 'SecurityError'));`;
    let answers = 0;
    server.reply = () => (++answers === 1 ? { status: 503 } : { status: 201 });
    const page = await open(
      mountPoint('locks', { 'data-message-id': 'm-locks', 'data-ask': 'never' }),
      runFirst(refused),
    );
    const w = widget(page, 'locks');
    await w.up.click();
    await expect
      .poll(() => w.status.textContent(), { timeout: 10_000 })
      .toBe('Thanks for your feedback!');
    expect(server.requests).toHaveLength(2);
    expect(t.problems.pageErrors).toEqual([]);
  });

  it('ignores corrupt stored votes: each widget shows unvoted and delivers its vote', async () => {
    const corrupt: Record<string, string> = {
      brace: '{',
      null: 'null',
      array: '[]',
      string: '"x"',
      number: '42',
      empty: '{}',
      types: JSON.stringify({ rating: 42, id: {}, expires: 'soon' }),
      expiry: JSON.stringify({ rating: 'up', id: 'v-1', expires: 'soon' }),
      rating: JSON.stringify({ rating: 'sideways', id: 'v-2', expires: null }),
      // A computed key makes an own property named __proto__ instead of setting the prototype.
      proto: JSON.stringify({ ['__proto__']: { rating: 'up', id: 'v-3', expires: null } }),
    };
    const subjects = [...Object.keys(corrupt), 'huge'];
    const entries = Object.fromEntries(
      Object.entries(corrupt).map(([subject, value]) => [VOTE_PREFIX + subject, value]),
    );
    // A vote stored the way the widget stores one: shows that the seeding reaches it.
    entries[`${VOTE_PREFIX}valid`] = JSON.stringify({ rating: 'up', id: 'v-4', expires: null });
    const huge = `localStorage.setItem('${VOTE_PREFIX}huge', JSON.stringify('x'.repeat(500000)));`;
    const page = await open(
      [...subjects, 'valid']
        .map((subject) => mountPoint(subject, { 'data-message-id': subject }))
        .join(''),
      seed(entries, huge),
    );
    const valid = widget(page, 'valid');
    await valid.up.waitFor();
    expect(await valid.up.getAttribute('aria-pressed')).toBe('true');
    const pressed = [];
    for (const subject of subjects) {
      const w = widget(page, subject);
      pressed.push({ subject, up: await w.up.getAttribute('aria-pressed') });
      await w.up.click();
    }
    await valid.up.click();
    const voted = () =>
      server.requests.map((request) => (request.body as { message_id: string }).message_id).sort();
    await expect.poll(voted, PATIENT).toEqual([...subjects].sort());
    await outboxDrained(page);
    expect(voted()).toEqual([...subjects].sort());
    expect(pressed).toEqual(subjects.map((subject) => ({ subject, up: 'false' })));
    expect(t.problems.pageErrors).toEqual([]);
  });

  it('sends no request for unusable stored outbox entries, resumes a valid one, and delivers a new vote', async () => {
    server.reply = (request) =>
      request.path.startsWith('/api/corrupt/') ? { status: 503 } : { status: 201, body: '{}' };
    const item = (name: string, drop: string[] = [], extra: Record<string, unknown> = {}) => {
      const stored: Record<string, unknown> = {
        ...outboxItem({ id: `corrupt-${name}`, url: `${server.origin}/api/corrupt/${name}` }),
        ...extra,
      };
      for (const field of drop) delete stored[field];
      return JSON.stringify(stored);
    };
    const entries: Record<string, string> = {
      brace: '{',
      null: 'null',
      array: '[]',
      string: '"x"',
      number: '42',
      empty: '{}',
      'no-body': item('no-body', ['body']),
      'null-body': item('null-body', [], { body: null }),
      'no-url': item('no-url', ['url']),
      'number-url': item('number-url', [], { url: 42 }),
      'no-event': item('no-event', ['event']),
      // An own property named __proto__, as JSON.parse makes it, not the prototype.
      proto: JSON.stringify({ ['__proto__']: JSON.parse(item('proto')) }),
    };
    const stored = Object.fromEntries(
      Object.entries(entries).map(([name, value]) => [OUTBOX_PREFIX + name, value]),
    );
    const resumed = outboxItem({ id: 'resumed', url: `${server.origin}/api/resumed` });
    stored[`${OUTBOX_PREFIX}resumed`] = JSON.stringify(resumed);
    const huge = `localStorage.setItem('${OUTBOX_PREFIX}huge', JSON.stringify('x'.repeat(500000)));`;
    const page = await open(
      mountPoint('fresh', { 'data-message-id': 'm-fresh' }),
      seed(stored, huge),
    );
    await widget(page, 'fresh').up.click();
    await server.waitFor(2);
    // Every entry delivered or thrown away: one left behind would be retried, and keep this waiting.
    await outboxDrained(page);
    expect(server.requests.map((request) => request.path).sort()).toEqual([
      '/api/feedback',
      '/api/resumed',
    ]);
    expect(t.problems.pageErrors).toEqual([]);
  });

  it('waits out Retry-After for a stored entry whose attempt count is not a number', async () => {
    server.reply = () => ({ status: 503, headers: { 'Retry-After': '30' } });
    const garbage = outboxItem({ id: 'counted', url: `${server.origin}/api/counted` });
    const key = `${OUTBOX_PREFIX}counted`;
    const page = await open(
      '<p>No widget here; the runtime resumes stored votes on its own.</p>',
      seed({ [key]: JSON.stringify({ ...garbage, attempts: 'many' }) }),
      (page) => page.clock.install(),
    );
    await server.waitFor(1);
    const waiting = () =>
      page.evaluate((name) => {
        const item = JSON.parse(localStorage.getItem(name) ?? 'null');
        return item && { attempts: item.attempts, waitsMs: item.due - Date.now() };
      }, key);
    await expect.poll(async () => (await waiting())?.attempts).toBe(1);
    await page.clock.fastForward(29_000);
    // Still waiting, and for about the second left of the 30 asked for.
    expect((await waiting())?.waitsMs).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
    await page.clock.fastForward(2_000);
    await server.waitFor(2);
  });
});

describe('an endpoint or a page that gets in the way', () => {
  it('takes a redirect from the endpoint for a refusal: the vote is not thanked, and the console says why', async () => {
    // Followed, the 301 would turn the POST into a GET, whose 200 says nothing of the vote.
    server.page('/api/moved', '{"items":[]}', { 'Content-Type': 'application/json' });
    server.reply = () => ({ status: 301, headers: { Location: '/api/moved' } });
    const page = await open(
      mountPoint('moved', { 'data-message-id': 'm-1', 'data-comment': 'false' }),
    );
    const w = widget(page, 'moved');
    await w.up.click();
    await server.waitFor(1);
    await expect.poll(() => w.status.textContent()).toBe('Sorry, your feedback could not be sent.');
    await expect
      .poll(() => t.problems.consoleErrors.filter((line) => line.includes('vote dropped')))
      .toHaveLength(1);
  });

  it('logs the answer of an endpoint that refuses a vote for good, which names what it refused', async () => {
    const refusal = '{"error":"`message_id` must be at most 200 characters.","field":"message_id"}';
    server.reply = () => ({ status: 400, body: refusal });
    const page = await open(
      mountPoint('refused', { 'data-message-id': 'm-1', 'data-comment': 'false' }),
    );
    await widget(page, 'refused').up.click();
    await server.waitFor(1);
    await expect
      .poll(() => t.problems.consoleErrors.find((line) => line.includes('vote dropped')))
      .toContain(`answered 400, vote dropped ${refusal}`);
  });

  it('starts beside an element with id="FeedbackWidget", which is no earlier copy of the script', async () => {
    const page = await open(
      `<div id="FeedbackWidget"></div>${mountPoint('named', { 'data-message-id': 'm-1', 'data-comment': 'false' })}`,
    );
    await widget(page, 'named').up.click();
    const [vote] = await server.waitFor(1);
    expect(vote?.path).toBe('/api/feedback');
  });

  it('takes no defaults from markup named currentScript: its endpoint gets nothing, and the console says what is missing', async () => {
    const page = await open(
      mountPoint('clobbered', { 'data-message-id': 'm-1', 'data-comment': 'false' }),
      `<img name="currentScript" data-endpoint="/api/elsewhere" alt="">${SCRIPT}`,
    );
    await expect
      .poll(() => t.problems.consoleErrors.find((line) => line.includes('endpoint')))
      .toContain('is required');
    expect(await widget(page, 'clobbered').up.count()).toBe(0);
    expect(server.requests).toEqual([]);
  });

  it('works on a page whose Array.from ignores its map function (Prototype.js, MooTools)', async () => {
    const page = await open(
      mountPoint('prototype', { 'data-message-id': 'm-1', 'data-comment': 'false' }),
      seed(
        { 'another-app:setting': '1' },
        'Array.from = function (items) { return Array.prototype.slice.call(items); };',
      ),
    );
    const w = widget(page, 'prototype');
    await w.up.click();
    await server.waitFor(1);
    await expect.poll(() => w.status.textContent()).toBe('Thanks for your feedback!');
    expect(t.problems.pageErrors).toEqual([]);
  });
});
