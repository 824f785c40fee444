// @vitest-environment node
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../widget/i18n';
import { recordEvents, recordedEvents, widgetControls } from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';
import { deferred } from '../helpers/outbox';

/**
 * What the status region says beyond status.test.ts, from an audit of issue 18 ("The widget
 * never claims more than happened"): a vote kept and then refused, two mounts of one message, a
 * reload while the endpoint is out of reach, a choice changed while the first waits, storage
 * that throws, every locale, and texts a page sets in another script direction.
 */

const SCRIPT = '<script src="/feedback-widget.js" async data-endpoint="/api/feedback"></script>';
const en = messagesFor('en');
/** Retries come within a second of backoff; a test that waits for one gives it room. */
const RETRY = { timeout: 5000 };
const EVENTS = ['vote', 'sent', 'error', 'duplicate'] as const;

let pages = 0;

const { server, t } = useBrowserTest();

/** Serves `body` under a path no other test uses; returns its URL. */
function serve(body: string, html = '<html lang="en">'): string {
  const path = `/status-audit-${++pages}`;
  server.page(
    path,
    `<!doctype html>${html}<head><meta charset="utf-8"><title>Answer</title>${SCRIPT}</head><body><main><p>An answer.</p>${body}</main></body></html>`,
  );
  return `${server.origin}${path}`;
}

async function open(
  body: string,
  html = '<html lang="en">',
  messageId = 'm-1',
  messages = messagesFor('en'),
): Promise<Page> {
  const page = await t.newPage();
  await page.goto(serve(body, html));
  await widget(page, messageId, messages).up.waitFor();
  return page;
}

function widget(page: Page, messageId: string, messages = en) {
  return widgetControls(page.locator(`[data-message-id="${messageId}"]`), messages);
}

/** The `index`th widget of the page, in document order. */
const nth = (page: Page, index: number) =>
  widgetControls(page.locator('[data-feedback]').nth(index), en);

/**
 * Starts recording what each widget's status region says after each batch of DOM changes to
 * it, and whether it is a live region then (aria-live="off" is not): what a screen reader hears.
 */
async function listen(page: Page): Promise<void> {
  await page.evaluate(() => {
    const heard: { widget: number; text: string; live: boolean }[] = [];
    Object.assign(window, { heard });
    document.querySelectorAll('[data-feedback]').forEach((host, widget) => {
      const status = host.shadowRoot?.querySelector('[role="status"]') as Element;
      new MutationObserver(() =>
        heard.push({
          widget,
          text: status.textContent ?? '',
          live: status.getAttribute('aria-live') !== 'off',
        }),
      ).observe(status, { subtree: true, childList: true, characterData: true });
    });
  });
}

/** What `listen` recorded, the texts of live regions only. */
const heard = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { heard: { widget: number; text: string; live: boolean }[] }).heard
      .filter((entry) => entry.live)
      .map(({ widget, text }) => ({ widget, text })),
  );

async function recordAll(page: Page): Promise<void> {
  for (const type of EVENTS) await recordEvents(page, `feedback:${type}`);
}

/** How many of each event fired, and whether each error said it would be retried. */
async function events(page: Page) {
  const counts = Object.fromEntries(
    await Promise.all(
      EVENTS.map(async (type) => [type, (await recordedEvents(page, `feedback:${type}`)).length]),
    ),
  );
  const retries = (await recordedEvents(page, 'feedback:error')).map((error) => error.willRetry);
  return { ...counts, retries };
}

/**
 * Where the status text's last character is painted against its first: a sentence read right
 * to left ends (its full stop) left of where it starts, one read left to right right of it.
 */
function lastCharacterSide(status: Locator): Promise<'left' | 'right'> {
  return status.evaluate((element) => {
    const text = element.firstChild as Text;
    const range = document.createRange();
    const x = (index: number) => {
      range.setStart(text, index);
      range.setEnd(text, index + 1);
      return range.getBoundingClientRect().x;
    };
    return x(text.data.length - 1) < x(0) ? 'left' : 'right';
  });
}

describe('what the status says matches what became of the vote', () => {
  it('kept for a retry (503), then refused (400): says saved, then that it could not be sent, each once, as the events do', async () => {
    server.reply = () => (server.requests.length === 1 ? { status: 503 } : { status: 400 });
    const page = await open('<div data-feedback data-message-id="m-1" data-ask="never"></div>');
    await listen(page);
    await recordAll(page);

    await nth(page, 0).up.click();

    await expect.poll(() => nth(page, 0).status.textContent(), RETRY).toBe(en.failed);
    expect(await heard(page)).toEqual([
      { widget: 0, text: en.queued },
      { widget: 0, text: en.failed },
    ]);
    expect(await events(page)).toEqual({
      vote: 1,
      sent: 0,
      error: 2,
      duplicate: 0,
      retries: [true, false],
    });
    expect(await nth(page, 0).up.getAttribute('aria-pressed')).toBe('true');
  });

  it('two mounts of one message show the same at each step, the second voted in speaks, and a click on the first sends nothing', async () => {
    server.reply = () =>
      server.requests.length === 1 ? { status: 503 } : { status: 201, body: '{}' };
    const mountPoint = '<div data-feedback data-message-id="m-1" data-ask="never"></div>';
    const page = await t.newPage();
    await page.goto(serve(mountPoint + mountPoint));
    await nth(page, 1).up.waitFor();
    await listen(page);
    await recordAll(page);

    await nth(page, 1).up.click();
    await nth(page, 0).up.click();

    await expect.poll(() => nth(page, 1).status.textContent(), RETRY).toBe(en.thanks);
    expect(await nth(page, 0).status.textContent()).toBe(en.thanks);
    expect(await heard(page)).toEqual([
      { widget: 1, text: en.queued },
      { widget: 1, text: en.thanks },
    ]);
    expect(await events(page)).toEqual({
      vote: 1,
      sent: 1,
      error: 1,
      duplicate: 1,
      retries: [true],
    });
    expect(server.requests).toHaveLength(2);
    for (const index of [0, 1]) {
      expect(await nth(page, index).up.getAttribute('aria-pressed')).toBe('true');
    }
  });

  it('waiting when the page is loaded again with the endpoint out of reach: that load says saved, and thanks once the network is back, said once', async () => {
    const url = serve('<div data-feedback data-message-id="m-1"></div>');
    // No network for the endpoint (a page that loads from a service worker, say): the pages'
    // requests fail as they do offline. The attempt of the second load is told apart by its
    // referrer. The leaving page's keepalive request escapes routing: the endpoint refuses it.
    const secondLoadFailed = deferred<void>();
    await t.context.route('**/api/feedback', (route) => {
      if (route.request().headers().referer?.endsWith('?again')) secondLoadFailed.resolve();
      return route.abort('internetdisconnected');
    });
    let reachable = false;
    let accepted = 0;
    server.reply = () => {
      if (!reachable) return { status: 503 };
      accepted += 1;
      return { status: 201, body: '{}' };
    };
    const page = await t.newPage();
    await page.goto(url);
    await nth(page, 0).up.click();
    await expect.poll(() => nth(page, 0).status.textContent()).toBe(en.queued);

    await page.goto(`${url}?again`);
    await nth(page, 0).up.waitFor();
    await listen(page);
    await secondLoadFailed.promise;
    expect(await nth(page, 0).status.textContent()).toBe(en.queued);
    reachable = true;
    await t.context.unroute('**/api/feedback');
    await t.context.setOffline(true);
    await t.context.setOffline(false);

    await expect.poll(() => nth(page, 0).status.textContent(), RETRY).toBe(en.thanks);
    expect(await heard(page)).toEqual([{ widget: 0, text: en.thanks }]);
    expect(accepted).toBe(1);
    expect(await nth(page, 0).up.getAttribute('aria-pressed')).toBe('true');
  });

  it('a choice changed while the first waits says nothing until its own answer, then thanks; both are sent', async () => {
    const page = await open(
      '<div data-feedback data-message-id="m-1" data-ask="never" data-allow-change="true"></div>',
    );
    await listen(page);
    await recordAll(page);
    await t.context.setOffline(true);
    await nth(page, 0).up.click();
    await expect.poll(() => nth(page, 0).status.textContent()).toBe(en.queued);

    await nth(page, 0).down.click();
    // Each vote failed at least once offline (more, once its first retry, 0.5–1 s on, came).
    await expect
      .poll(async () => (await recordedEvents(page, 'feedback:error')).length)
      .toBeGreaterThanOrEqual(2);
    await t.context.setOffline(false);

    await expect.poll(() => recordedEvents(page, 'feedback:sent'), RETRY).toHaveLength(2);
    expect(await nth(page, 0).status.textContent()).toBe(en.thanks);
    expect((await heard(page)).map(({ text }) => text)).toEqual([
      en.queued,
      '',
      en.queued,
      en.thanks,
    ]);
    expect(server.requests.map((request) => (request.body as { rating: string }).rating)).toEqual(
      expect.arrayContaining(['up', 'down']),
    );
    expect(await nth(page, 0).down.getAttribute('aria-pressed')).toBe('true');
  });

  it('with localStorage throwing, a vote cast offline is not said to be saved; thanks once the network is back', async () => {
    const page = await t.newPage();
    await page.addInitScript(() =>
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      }),
    );
    await page.goto(serve('<div data-feedback data-message-id="m-1" data-ask="never"></div>'));
    await nth(page, 0).up.waitFor();
    await listen(page);
    await recordAll(page);
    await t.context.setOffline(true);

    await nth(page, 0).up.click();
    await expect
      .poll(async () => (await recordedEvents(page, 'feedback:error')).length)
      .toBeGreaterThanOrEqual(1);
    expect(await nth(page, 0).status.textContent()).toBe('');
    expect(await nth(page, 0).up.getAttribute('aria-pressed')).toBe('true');
    await t.context.setOffline(false);

    await expect.poll(() => nth(page, 0).status.textContent(), RETRY).toBe(en.thanks);
    expect(await heard(page)).toEqual([{ widget: 0, text: en.thanks }]);
  });

  it('each of the seven locales says its own saved and could-not-be-sent texts', async () => {
    const locales = ['en', 'de', 'es', 'fr', 'pt', 'ja', 'ar'];
    server.reply = ({ body }) =>
      (body as { message_id: string }).message_id.startsWith('wait')
        ? { status: 503, headers: { 'Retry-After': '600' } }
        : { status: 400 };
    const page = await open(
      locales
        .flatMap((locale) =>
          ['wait', 'drop'].map(
            (kind) =>
              `<div data-feedback data-ask="never" data-locale="${locale}" data-message-id="${kind}-${locale}"></div>`,
          ),
        )
        .join(''),
      '<html lang="en">',
      'wait-en',
    );

    const said: Record<string, string[]> = {};
    for (const locale of locales) {
      const messages = messagesFor(locale);
      const wait = widget(page, `wait-${locale}`, messages);
      const drop = widget(page, `drop-${locale}`, messages);
      await wait.up.click();
      await drop.up.click();
      await expect.poll(() => wait.status.textContent()).not.toBe('');
      await expect.poll(() => drop.status.textContent()).not.toBe('');
      said[locale] = [
        (await wait.status.textContent()) as string,
        (await drop.status.textContent()) as string,
      ];
    }

    expect(said).toEqual(
      Object.fromEntries(
        locales.map((locale) => [locale, [messagesFor(locale).queued, messagesFor(locale).failed]]),
      ),
    );
    const texts = Object.values(said).flat();
    expect(new Set(texts).size).toBe(texts.length);
  });
});

describe('texts the page sets in another script direction', () => {
  it('Hebrew queued, failed and thanks texts on a Hebrew page (English built-ins) read right to left', async () => {
    const texts = {
      queued: 'נשמר. יישלח בהקדם.',
      failed: 'מצטערים, המשוב לא נשלח.',
      thanks: 'תודה על המשוב.',
    };
    server.reply = ({ body }) => {
      const id = (body as { message_id: string }).message_id;
      return id === 'm-queued'
        ? { status: 503, headers: { 'Retry-After': '600' } }
        : id === 'm-failed'
          ? { status: 400 }
          : { status: 201, body: '{}' };
    };
    const attributes = `data-ask="never" data-queued-text="${texts.queued}" data-failed-text="${texts.failed}" data-thanks="${texts.thanks}"`;
    const page = await open(
      ['m-queued', 'm-failed', 'm-thanks']
        .map((id) => `<div data-feedback data-message-id="${id}" ${attributes}></div>`)
        .join(''),
      '<html lang="he" dir="rtl">',
      'm-thanks',
    );

    const sides: Record<string, string> = {};
    for (const state of ['queued', 'failed', 'thanks'] as const) {
      const w = widget(page, `m-${state}`);
      await w.up.click();
      await expect.poll(() => w.status.textContent()).toBe(texts[state]);
      sides[state] = await lastCharacterSide(w.status);
    }

    expect(sides).toEqual({ queued: 'left', failed: 'left', thanks: 'left' });
  });

  it('an English thanks text in an Arabic widget reads left to right, the built-in Arabic ones right to left', async () => {
    const ar = messagesFor('ar');
    server.reply = ({ body }) =>
      (body as { message_id: string }).message_id === 'm-own'
        ? { status: 201, body: '{}' }
        : { status: 503, headers: { 'Retry-After': '600' } };
    const page = await open(
      `<div data-feedback data-message-id="m-own" data-ask="never" data-thanks="Thanks, got it."></div>
       <div data-feedback data-message-id="m-built-in" data-ask="never"></div>`,
      '<html lang="ar" dir="rtl">',
      'm-built-in',
      ar,
    );
    const own = widget(page, 'm-own', ar);
    const builtIn = widget(page, 'm-built-in', ar);

    await own.up.click();
    await builtIn.up.click();
    await expect.poll(() => own.status.textContent()).toBe('Thanks, got it.');
    await expect.poll(() => builtIn.status.textContent()).toBe(ar.queued);

    expect([await lastCharacterSide(own.status), await lastCharacterSide(builtIn.status)]).toEqual([
      'right',
      'left',
    ]);
  });
});
