// @vitest-environment node
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../widget/i18n';
import { widgetControls } from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';
import { deferred } from '../helpers/outbox';
import type { Reply } from '../helpers/recording-server';

const SCRIPT = '<script src="/feedback-widget.js" async data-endpoint="/api/feedback"></script>';
const en = messagesFor('en');
/** Retries come within a second of backoff; a test that waits for one gives it room. */
const RETRY = { timeout: 5000 };

let pages = 0;

const { server, t } = useBrowserTest();

/** Serves `body` under a path no other test uses; returns its URL. */
function serve(body: string, html = '<html lang="en">', head = SCRIPT): string {
  const path = `/status-${++pages}`;
  server.page(
    path,
    `<!doctype html>${html}<head><meta charset="utf-8"><title>Answer</title>${head}</head><body><main><p>An answer.</p>${body}</main></body></html>`,
  );
  return `${server.origin}${path}`;
}

/**
 * A new tab showing `url`, once the widget of `messageId` is there; `clock` installs fake
 * time before the page loads, so the widget reads the fake `Date` from its start.
 */
async function openTab(
  url: string,
  { messageId = 'm-1', messages = en, clock = false } = {},
): Promise<Page> {
  const page = await t.newPage();
  if (clock) await page.clock.install();
  await page.goto(url);
  await widget(page, messageId, messages).up.waitFor();
  return page;
}

function widget(page: Page, messageId: string, messages = en) {
  return widgetControls(
    page.locator(`[data-message-id="${messageId}"], [message-id="${messageId}"]`),
    messages,
  );
}

/**
 * Starts recording what the widget's status region says: its text after each batch of DOM
 * changes to it, as a screen reader would hear it. A text set again, or appended, shows.
 */
async function listen(page: Page, messageId = 'm-1'): Promise<void> {
  await widget(page, messageId).host.evaluate((host) => {
    const status = host.shadowRoot?.querySelector('[role="status"]') as Element;
    const heard: string[] = [];
    Object.assign(host, { heard });
    new MutationObserver(() => heard.push(status.textContent ?? '')).observe(status, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
}

function heard(page: Page, messageId = 'm-1'): Promise<string[]> {
  return widget(page, messageId).host.evaluate(
    (host) => (host as unknown as { heard: string[] }).heard,
  );
}

const said = (page: Page, messageId = 'm-1', messages = en) =>
  widget(page, messageId, messages).status.textContent();

const pressed = (page: Page, messageId = 'm-1') =>
  widget(page, messageId).up.getAttribute('aria-pressed');

describe('a vote that cannot be sent at once', () => {
  it('offline: says it is saved, and thanks as soon as the browser is back online', async () => {
    const page = await openTab(serve('<div data-feedback data-message-id="m-1"></div>'), {
      clock: true,
    });
    // Time stands still: only the browser coming back online can send the vote.
    await page.clock.pauseAt(Date.now() + 1000);
    await listen(page);
    await t.context.setOffline(true);

    await widget(page, 'm-1').up.click();
    await expect.poll(() => said(page)).toBe(en.queued);
    expect(server.requests).toHaveLength(0);
    await t.context.setOffline(false);

    await expect.poll(() => said(page)).toBe(en.thanks);
    expect(server.requests).toHaveLength(1);
    expect(await heard(page)).toEqual([en.queued, en.thanks]);
    expect(await pressed(page)).toBe('true');
  });

  it('503 then 201: says it is saved, then thanks once the retry is accepted, each once', async () => {
    server.reply = () =>
      server.requests.length <= 2 ? { status: 503 } : { status: 201, body: '{}' };
    const page = await openTab(serve('<div data-feedback data-message-id="m-1"></div>'));
    await listen(page);

    await widget(page, 'm-1').up.click();

    await expect.poll(() => said(page), RETRY).toBe(en.thanks);
    expect(server.requests).toHaveLength(3);
    // Two refusals, one text: a retry refused again does not say it again.
    expect(await heard(page)).toEqual([en.queued, en.thanks]);
  });

  it('429 with Retry-After: says it is saved for as long as asked, then thanks', async () => {
    server.reply = () =>
      server.requests.length === 1
        ? { status: 429, headers: { 'Retry-After': '30' } }
        : { status: 201, body: '{}' };
    const page = await openTab(serve('<div data-feedback data-message-id="m-1"></div>'), {
      clock: true,
    });
    await listen(page);

    await widget(page, 'm-1').up.click();
    await expect.poll(() => said(page)).toBe(en.queued);
    await page.clock.fastForward(29_000);
    expect([await said(page), server.requests.length]).toEqual([en.queued, 1]);
    await page.clock.fastForward(2_000);

    await expect.poll(() => said(page)).toBe(en.thanks);
    expect(await heard(page)).toEqual([en.queued, en.thanks]);
  });

  it('a request that hangs: says nothing while it waits, that it is saved once it times out, then thanks', async () => {
    const never = deferred<Reply>();
    server.reply = () =>
      server.requests.length === 1 ? never.promise : { status: 201, body: '{}' };
    const page = await openTab(serve('<div data-feedback data-message-id="m-1"></div>'), {
      clock: true,
    });
    await listen(page);

    await widget(page, 'm-1').up.click();
    await server.waitFor(1);
    await page.clock.fastForward(9_000);
    expect(await said(page)).toBe('');
    await page.clock.fastForward(1_000);
    await expect.poll(() => said(page)).toBe(en.queued);
    await page.clock.fastForward(1_000);

    await expect.poll(() => said(page)).toBe(en.thanks);
    expect(server.requests).toHaveLength(2);
    expect(await heard(page)).toEqual([en.queued, en.thanks]);
  });
});

describe('a vote the endpoint refuses', () => {
  it('400: says it could not be sent, keeps the choice pressed and sends nothing more', async () => {
    server.reply = () => ({ status: 400, body: '{"error":"rating"}' });
    const page = await openTab(serve('<div data-feedback data-message-id="m-1"></div>'));
    await listen(page);

    await widget(page, 'm-1').up.click();

    await expect.poll(() => said(page)).toBe(en.failed);
    expect(await pressed(page)).toBe('true');
    expect(await heard(page)).toEqual([en.failed]);
    await server.quiet();
    expect(server.requests).toHaveLength(1);
  });
});

describe('a vote delivered by another page', () => {
  it('cast offline in a tab since closed: the next page load shows it saved, then thanks once it delivers it', async () => {
    const url = serve('<div data-feedback data-message-id="m-1"></div>');
    const first = await openTab(url);
    await t.context.setOffline(true);
    await widget(first, 'm-1').up.click();
    await expect.poll(() => said(first)).toBe(en.queued);
    await Promise.all([first.waitForEvent('close'), first.close({ runBeforeUnload: true })]);
    await t.context.setOffline(false);
    const answer = deferred<Reply>();
    server.reply = () => answer.promise;

    const next = await openTab(url);
    await listen(next);
    await server.waitFor(1);
    expect([await pressed(next), await said(next)]).toEqual(['true', en.queued]);
    answer.resolve({ status: 201, body: '{}' });

    await expect.poll(() => said(next)).toBe(en.thanks);
    expect(await heard(next)).toEqual([en.thanks]);
  });

  it('open in two tabs: the tab that did not vote says the same as the one that did', async () => {
    const url = serve('<div data-feedback data-message-id="m-1"></div>');
    const voting = await openTab(url);
    const other = await openTab(url);
    await listen(other);
    await t.context.setOffline(true);

    await voting.bringToFront();
    await widget(voting, 'm-1').up.click();
    await expect.poll(() => said(other)).toBe(en.queued);
    expect(await pressed(other)).toBe('true');
    await t.context.setOffline(false);

    await expect.poll(() => said(voting), RETRY).toBe(en.thanks);
    await expect.poll(() => said(other)).toBe(en.thanks);
    expect(await heard(other)).toEqual([en.queued, en.thanks]);
    expect(server.requests).toHaveLength(1);
  });
});

describe('texts', () => {
  it('data-queued-text and data-failed-text replace the defaults, on the element or the script tag', async () => {
    server.reply = ({ body }) =>
      String((body as { message_id: string }).message_id).startsWith('m-wait')
        ? { status: 503, headers: { 'Retry-After': '600' } }
        : { status: 422 };
    const head =
      '<script src="/feedback-widget.js" async data-endpoint="/api/feedback" data-queued-text="Queued, hang on." data-failed-text="That did not work."></script>';
    const page = await openTab(
      serve(
        `<div data-feedback data-message-id="m-wait" data-queued-text="We will send it later."></div>
         <div data-feedback data-message-id="m-drop" data-failed-text="Not sent, sorry."></div>
         <div data-feedback data-message-id="m-wait-2"></div>
         <feedback-widget message-id="m-drop-2"></feedback-widget>`,
        '<html lang="en">',
        head,
      ),
      { messageId: 'm-wait' },
    );
    await widget(page, 'm-drop-2').up.waitFor();

    for (const id of ['m-wait', 'm-drop', 'm-wait-2', 'm-drop-2']) {
      await widget(page, id).up.click();
    }

    await expect.poll(() => said(page, 'm-wait')).toBe('We will send it later.');
    await expect.poll(() => said(page, 'm-drop')).toBe('Not sent, sorry.');
    await expect.poll(() => said(page, 'm-wait-2')).toBe('Queued, hang on.');
    await expect.poll(() => said(page, 'm-drop-2')).toBe('That did not work.');
  });

  it('in German, offline then online: "Gespeichert…", then "Danke für Ihr Feedback!"', async () => {
    const de = messagesFor('de');
    const page = await openTab(
      serve('<div data-feedback data-message-id="m-1"></div>', '<html lang="de">'),
      { messages: de },
    );
    await t.context.setOffline(true);

    await widget(page, 'm-1', de).up.click();
    await expect
      .poll(() => said(page, 'm-1', de))
      .toBe('Gespeichert. Wird so bald wie möglich gesendet.');
    await t.context.setOffline(false);

    await expect.poll(() => said(page, 'm-1', de), RETRY).toBe('Danke für Ihr Feedback!');
  });

  it('in Japanese, a refused vote: "ご意見を送信できませんでした。"', async () => {
    server.reply = () => ({ status: 400 });
    const ja = messagesFor('ja');
    const page = await openTab(
      serve('<div data-feedback data-message-id="m-1" data-locale="ja"></div>'),
      { messages: ja },
    );

    await widget(page, 'm-1', ja).down.click();
    await widget(page, 'm-1', ja).skip.click();

    await expect.poll(() => said(page, 'm-1', ja)).toBe('ご意見を送信できませんでした。');
  });
});

describe('for screen readers', () => {
  /** The widget's live regions: role=status is polite by itself, so none sets aria-live. */
  const regions = (page: Page) =>
    widget(page, 'm-1').host.evaluate((host) =>
      [...(host.shadowRoot?.querySelectorAll('[role], [aria-live]') ?? [])]
        .filter((node) =>
          node.matches('[role="status"], [role="alert"], [role="log"], [aria-live]'),
        )
        .map((node) => ({ role: node.getAttribute('role'), live: node.getAttribute('aria-live') })),
    );

  it('one polite live region says each change once, its text replacing the one before', async () => {
    server.reply = () =>
      server.requests.length === 1 ? { status: 503 } : { status: 201, body: '{}' };
    const page = await openTab(serve('<div data-feedback data-message-id="m-1"></div>'));
    await listen(page);
    const w = widget(page, 'm-1');

    await w.down.click();
    const whileOpen = await regions(page);
    await w.send.click();
    await expect.poll(() => said(page), RETRY).toBe(en.thanks);

    expect(whileOpen).toEqual([{ role: 'status', live: null }]);
    expect(await regions(page)).toEqual([{ role: 'status', live: null }]);
    expect(await heard(page)).toEqual([en.queued, en.thanks]);
  });
});
