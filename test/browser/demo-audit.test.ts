// @vitest-environment node
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messagesFor } from '../../widget/i18n';
import {
  launchBrowser,
  openContext,
  recordEvents,
  recordedEvents,
  type TestContext,
  widgetControls,
} from '../helpers/browser';
import { type CollectorProcess, startCollector } from '../helpers/collector';

/** Generous: two cores are shared by several browser suites. */
const POLL = { timeout: 10_000 };

let browser: Browser;
let collector: CollectorProcess;
let t: TestContext;
/** A plain web server on 127.0.0.1 (another origin than the collector's) for pasted snippets. */
let plain: Server;
let plainOrigin: string;
const plainPages = new Map<string, string>();
let runs = 0;

beforeAll(async () => {
  plain = createServer((request, response) => {
    const html = plainPages.get(request.url ?? '');
    response.writeHead(html === undefined ? 404 : 200, {
      'Content-Type': 'text/html; charset=utf-8',
    });
    response.end(html ?? 'Not found');
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainOrigin = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  [browser, collector] = await Promise.all([launchBrowser(), startCollector({ demo: true })]);
});
afterAll(async () => {
  await browser?.close();
  await collector?.stop();
  await new Promise((resolve) => plain?.close(resolve));
});
beforeEach(async () => {
  t = await openContext(browser);
});
afterEach(async () => {
  await t?.close();
});

function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${++runs}-${Date.now().toString(36)}`;
}

async function open(path: string, width?: number): Promise<Page> {
  const page = await t.newPage();
  if (width) await page.setViewportSize({ width, height: 800 });
  await page.goto(`${collector.origin}${path}`);
  return page;
}

/** Serves `snippet` as the whole body of a plain page on another origin and opens it. */
async function paste(snippet: string): Promise<Page> {
  const path = `/${unique('pasted')}.html`;
  plainPages.set(
    path,
    `<!doctype html>\n<html lang="en">\n<head><link rel="icon" href="data:,"></head>\n<body>\n${snippet}\n</body>\n</html>`,
  );
  const page = await t.newPage();
  await page.goto(`${plainOrigin}${path}`);
  return page;
}

async function snippetOf(playground: Page): Promise<string> {
  return (await playground
    .getByRole('region', { name: 'Paste this' })
    .locator('code')
    .textContent()) as string;
}

/** Every option of SPEC §3, with its allowed values where it has a fixed set. */
const SPEC_OPTIONS = [
  'data-endpoint',
  'data-format',
  'data-conversation-id',
  'data-message-id',
  'data-session-id',
  'data-neutral',
  'data-up-value',
  'data-down-value',
  'data-neutral-value',
  'data-scale',
  'data-ask',
  'data-reasons',
  'data-reasons-up',
  'data-comment',
  'data-comment-max',
  'data-dedupe',
  'data-allow-change',
  'data-metadata',
  'data-token',
  'data-credentials',
  'data-locale',
  'data-prompt',
  'data-label-up',
  'data-label-down',
  'data-label-neutral',
  'data-thanks',
  'data-queued-text',
  'data-failed-text',
  'data-variant',
  'data-theme',
  'data-user-id',
  'data-sent-at',
  'data-message-content',
  'data-trace-id',
];

/** The playground's form field whose label names `attribute`. */
function field(page: Page, attribute: string) {
  return page
    .locator('#options .field')
    .filter({ has: page.locator('code', { hasText: new RegExp(`^${attribute}$`) }) })
    .locator('input, select, textarea');
}

describe('the playground', () => {
  it('offers every option of SPEC §3, each select with the allowed values and the default chosen', async () => {
    const page = await open('/playground');
    const named = await page.locator('#options label code').allTextContents();
    expect([...named].sort()).toEqual([...SPEC_OPTIONS].sort());
    for (const attribute of SPEC_OPTIONS) expect(await field(page, attribute).count()).toBe(1);

    const select = async (attribute: string) =>
      field(page, attribute).evaluate((element) => {
        const list = element as HTMLSelectElement;
        return {
          values: [...list.options].map((option) => option.value).sort(),
          chosen: list.value,
        };
      });
    expect(await select('data-format')).toEqual({
      values: ['event', 'quality', 'score', 'sentiment', 'vote'],
      chosen: 'event',
    });
    expect(await select('data-credentials')).toEqual({
      values: ['include', 'omit', 'same-origin'],
      chosen: 'omit',
    });
    expect(await select('data-ask')).toEqual({
      values: ['always', 'down', 'never'],
      chosen: 'down',
    });
    expect(await select('data-dedupe')).toEqual({
      values: ['24h', '30m', '7d', 'forever', 'off'],
      chosen: '24h',
    });
    expect(await select('data-variant')).toEqual({
      values: ['compact', 'inline'],
      chosen: 'inline',
    });
    expect(await select('data-theme')).toEqual({
      values: ['auto', 'dark', 'light'],
      chosen: 'auto',
    });
    // '' is the page's language (`<html lang>`), the default.
    expect(await select('data-locale')).toEqual({
      values: ['', 'ar', 'de', 'en', 'es', 'fr', 'ja', 'pt'],
      chosen: '',
    });
    expect(await field(page, 'data-neutral').isChecked()).toBe(false);
    expect(await field(page, 'data-comment').isChecked()).toBe(true);
    expect(await field(page, 'data-allow-change').isChecked()).toBe(false);
    expect(await field(page, 'data-comment-max').getAttribute('placeholder')).toBe('5000');
    for (const [format, scale] of [
      ['event', '-100..100'],
      ['score', '0..1'],
      ['quality', '0..100'],
    ]) {
      await field(page, 'data-format').selectOption(format as string);
      expect(await field(page, 'data-scale').getAttribute('placeholder')).toBe(scale);
    }
    expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });

  const BAD: [string, (page: Page) => Promise<void>, RegExp][] = [
    ['data-up-value', (page) => field(page, 'data-up-value').fill('x'), /^`data-up-value` /],
    ['data-scale', (page) => field(page, 'data-scale').fill('5..1'), /^`data-scale` /],
    [
      'data-metadata',
      (page) => field(page, 'data-metadata').fill('{"plan": '),
      /^`data-metadata` /,
    ],
    [
      'data-neutral',
      async (page) => {
        await field(page, 'data-format').selectOption('vote');
        await field(page, 'data-neutral').check();
      },
      /^`data-neutral` /,
    ],
  ];

  it.each(BAD)(
    "shows a bad %s's error as the widget logs it for the pasted snippet, naming the attribute",
    async (attribute, spoil, names) => {
      const page = await open('/playground');
      await widgetControls(page.locator('#preview')).up.waitFor();
      await spoil(page);
      const problem = page.locator('#problem');
      await expect.poll(() => problem.isVisible(), POLL).toBe(true);
      const shown = (await problem.textContent()) as string;
      expect(shown, attribute).toMatch(names);
      expect(await field(page, attribute).getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#preview').getByRole('button').count()).toBe(0);

      const errors: string[] = [];
      const pasted = await t.newPage();
      pasted.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      const path = `/${unique('bad')}.html`;
      plainPages.set(
        path,
        `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"></head><body>${await snippetOf(page)}</body></html>`,
      );
      await pasted.goto(`${plainOrigin}${path}`);
      await expect.poll(() => errors.length, POLL).toBe(1);
      expect(errors[0]).toMatch(/^feedback-widget: /);
      expect(errors[0]?.startsWith(`feedback-widget: ${shown} (on <div data-feedback`)).toBe(true);
    },
  );

  /** Playground settings, and the vote cast in the preview and in the pasted page alike. */
  interface Case {
    name: string;
    set(page: Page): Promise<void>;
    rating: 'up' | 'down';
    reason?: string;
  }
  const CASES: Case[] = [
    {
      name: 'event, neutral, French, metadata, user id',
      async set(page) {
        await field(page, 'data-neutral').check();
        await field(page, 'data-locale').selectOption('fr');
        await field(page, 'data-metadata').fill('{"plan": "pro"}');
        await field(page, 'data-user-id').fill('user-7');
        await field(page, 'data-ask').selectOption('never');
      },
      rating: 'up',
    },
    {
      name: 'vote, own reasons with keys',
      async set(page) {
        await field(page, 'data-format').selectOption('vote');
        await field(page, 'data-reasons').fill('wrong=Wrong answer|slow=Too slow');
        await field(page, 'data-down-value').fill('-40');
      },
      rating: 'down',
      reason: 'Too slow',
    },
    {
      name: 'score on 0..10, compact, dark',
      async set(page) {
        await field(page, 'data-format').selectOption('score');
        await field(page, 'data-scale').fill('0..10');
        await field(page, 'data-variant').selectOption('compact');
        await field(page, 'data-theme').selectOption('dark');
        await field(page, 'data-session-id').fill(unique('session'));
      },
      rating: 'up',
    },
    {
      name: 'quality with the message content',
      async set(page) {
        await field(page, 'data-format').selectOption('quality');
        await field(page, 'data-ask').selectOption('never');
      },
      rating: 'down',
    },
    {
      name: 'sentiment, own texts',
      async set(page) {
        await field(page, 'data-format').selectOption('sentiment');
        await field(page, 'data-prompt').fill('Did this answer help?');
        await field(page, 'data-label-up').fill('Yes');
        await field(page, 'data-label-down').fill('No');
        await field(page, 'data-thanks').fill('Merci!');
      },
      rating: 'up',
    },
  ];

  it.each(CASES)(
    'its snippet, pasted into a plain page on another origin, gives the same widget and the same request: $name',
    async (c) => {
      const page = await open('/playground');
      await widgetControls(page.locator('#preview')).up.waitFor();
      await field(page, 'data-conversation-id').fill(unique('pasted'));
      await c.set(page);
      const previewHost = page.locator('#preview [data-feedback], #preview').last();
      await expect
        .poll(() => page.locator('#preview').getByRole('button').count(), POLL)
        .toBeGreaterThan(1);
      const snippet = await snippetOf(page);
      const pasted = await paste(snippet);
      const pastedHost = pasted.locator('[data-feedback]');
      await expect.poll(() => pastedHost.getByRole('button').count(), POLL).toBeGreaterThan(1);

      expect(await pastedHost.ariaSnapshot()).toBe(await previewHost.ariaSnapshot());

      const vote = async (on: Page, host: typeof pastedHost) => {
        await recordEvents(on, 'feedback:sent');
        const sent = on.waitForRequest(
          (request) => request.method() === 'POST' && request.url().startsWith(collector.origin),
        );
        // Up is the first choice, down the last, whatever their labels.
        const buttons = host.getByRole('button');
        await (c.rating === 'up' ? buttons.first() : buttons.last()).click();
        if (c.reason) {
          await host
            .getByRole('button', { name: c.reason, exact: true })
            .or(host.getByRole('radio', { name: c.reason, exact: true }))
            .click();
          await host.getByRole('button', { name: messagesFor('en').send, exact: true }).click();
        }
        const request = await sent;
        await expect
          .poll(async () => (await recordedEvents(on, 'feedback:sent')).length, POLL)
          .toBe(1);
        return request;
      };
      const fromPreview = await vote(page, previewHost);
      const fromPasted = await vote(pasted, pastedHost);
      const shape = async (request: Request) => {
        const body = JSON.parse(request.postData() ?? '{}');
        for (const varying of ['id', 'created_at', 'page_url', 'time_to_respond_ms']) {
          if (varying in body) body[varying] = typeof body[varying];
        }
        const headers = await request.allHeaders();
        return {
          method: request.method(),
          url: request.url(),
          contentType: headers['content-type'],
          authorization: headers.authorization,
          idempotencyKey: typeof headers['idempotency-key'],
          body,
        };
      };
      expect(await shape(fromPasted)).toEqual(await shape(fromPreview));
      expect(await pastedHost.ariaSnapshot()).toBe(await previewHost.ariaSnapshot());
      expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
    },
  );
});

describe('the chat', () => {
  it('keeps the focus on a suggested question asked from the keyboard while its answer streams', async () => {
    const page = await open('/chat');
    const question = page.getByRole('button', { name: 'How do I reset my password?' });
    await question.focus();
    await page.keyboard.press('Enter');
    const answer = page.locator('.message.assistant').last();
    await answer.locator('[data-feedback]').waitFor();
    await expect.poll(() => question.isEnabled(), POLL).toBe(true);
    expect(await question.evaluate((button) => button === document.activeElement)).toBe(true);
    // From there, the answer's widget is one Shift+Tab away.
    await page.keyboard.press('Shift+Tab');
    const widget = widgetControls(answer.locator('[data-feedback]'));
    expect(await widget.down.evaluate((button) => button.matches(':focus'))).toBe(true);
  });
});

describe('the landing page', () => {
  it('names the inbox, not the old dashboard', async () => {
    const page = await open('/');
    const text = (await page.getByRole('main').textContent()) ?? '';
    expect(text).not.toMatch(/dashboard/i);
    expect(text).toMatch(/inbox/i);
  });
});

describe('the playground, when the collector takes signed votes only', () => {
  let signed: CollectorProcess;
  beforeAll(async () => {
    signed = await startCollector({
      demo: true,
      env: { FEEDBACK_SECRET: 'a-secret-of-at-least-32-characters-for-the-demo' },
    });
  });
  afterAll(async () => {
    await signed?.stop();
  });

  it('says why its unsigned vote was refused, and where a signed one comes from', async () => {
    const page = await t.newPage();
    await page.goto(`${signed.origin}/playground`);
    await widgetControls(page.locator('#preview')).up.click();
    const response = page.getByRole('region', { name: 'Last response' }).getByRole('status');
    await expect
      .poll(() => response.locator('#response-summary').textContent(), POLL)
      .toBe(
        `Error: POST ${signed.origin}/api/feedback answered 401. It was dropped. ` +
          'This collector runs with FEEDBACK_SECRET: it takes only votes carrying a token it ' +
          'signed (data-token). The chat page’s answers carry one; this page has none.',
      );
  });
});

describe("the landing page's snippet", () => {
  it('pasted into a plain page on another origin, shows the widget and its vote reaches this collector', async () => {
    const landing = await open('/');
    const snippet = (await landing
      .getByRole('main')
      .locator('h2', { hasText: 'Paste this' })
      .locator('xpath=following-sibling::pre[1]')
      .textContent()) as string;
    const pasted = await paste(snippet);
    await recordEvents(pasted, 'feedback:sent');
    const widget = widgetControls(pasted.locator('[data-feedback]'));
    await widget.up.click();
    await expect
      .poll(async () => (await recordedEvents(pasted, 'feedback:sent')).length, POLL)
      .toBe(1);
    const [sent] = await recordedEvents<{ status: number }>(pasted, 'feedback:sent');
    expect(sent?.status).toBe(201);
    expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});

describe('at 320 px, from the keyboard alone', () => {
  it.each(['/', '/chat', '/article', '/playground'])(
    '%s fits the width and shows where the focus is on every stop of its Tab order',
    async (path) => {
      const page = await open(path, 320);
      // The chat shows its first widget under the first answer.
      if (path === '/chat') {
        await page.getByRole('button', { name: 'Where do I create an API key?' }).click();
      }
      if (path !== '/') await widgetControls(page.locator('[data-feedback]').first()).up.waitFor();
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      ).toBe(true);
      // From the top of the page, past its first link.
      await page.locator('.site-header .brand').focus();
      const stops: string[] = [];
      for (;;) {
        await page.keyboard.press('Tab');
        const stop = await page.evaluate(() => {
          let element = document.activeElement;
          while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
          // Back at the top (or out of the page): every stop was visited.
          if (!element || element === document.body || element.matches('.brand')) return undefined;
          const style = getComputedStyle(element);
          const label =
            element.getAttribute('name') ??
            element.getAttribute('aria-label') ??
            element.textContent ??
            '';
          const box = element.getBoundingClientRect();
          return {
            name: `${element.tagName} ${label.trim().slice(0, 40)}`,
            shown: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2,
            inside: box.left >= 0 && box.right <= window.innerWidth,
          };
        });
        if (!stop) break;
        stops.push(stop.name);
        expect(stop, path).toMatchObject({ shown: true, inside: true });
      }
      // Every control of the page, its widgets' included.
      expect(stops.length, stops.join(' | ')).toBeGreaterThan(4);
      if (path !== '/') expect(stops).toContain('BUTTON Helpful');
      expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
    },
  );

  it("the playground's preview is on the first screen, before the options in Tab order", async () => {
    const page = await open('/playground', 320);
    const preview = widgetControls(page.locator('#preview [data-feedback]'));
    await preview.up.waitFor();
    const [top, height] = await preview.up.evaluate((button) => [
      button.getBoundingClientRect().top,
      window.innerHeight,
    ]);
    expect(top).toBeLessThan(height ?? 0);
    await page.locator('.site-header .brand').focus();
    let stops = 0;
    while (!(await preview.up.evaluate((button) => button.matches(':focus')))) {
      expect(await page.evaluate(() => document.activeElement?.closest('form') ?? null)).toBe(null);
      await page.keyboard.press('Tab');
      stops += 1;
      expect(stops).toBeLessThan(20);
    }
    expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });

  it("the article's widget takes a vote and its follow-up from the keyboard", async () => {
    const page = await open('/article', 320);
    await recordEvents(page, 'feedback:sent');
    const widget = widgetControls(page.locator('[data-feedback]'));
    await widget.up.waitFor();
    while (!(await widget.up.evaluate((button) => button.matches(':focus')))) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await widget.reason('Quick to read').waitFor();
    expect(await widget.up.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Escape');
    await expect
      .poll(async () => (await recordedEvents(page, 'feedback:sent')).length, POLL)
      .toBe(1);
    expect(await widget.status.textContent()).toBe('Thanks for your feedback!');
    expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});
