// @vitest-environment node
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../widget/i18n';
import { widgetControls } from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';
import { deferred } from '../helpers/outbox';
import type { Recorded, Reply } from '../helpers/recording-server';

/**
 * Votes waiting for a retry when the page loses its storage: the host page clears
 * `localStorage` (a sign-out flow) or storage throws from the start (a private mode, storage
 * disabled). SPEC §1 and §6: a vote is never lost to a flaky network; §4: the status says it
 * is kept only while it is, and never claims more than happened (issue 18).
 */

const SCRIPT = '<script src="/feedback-widget.js" async data-endpoint="/api/feedback"></script>';
const WIDGET = '<div data-feedback data-message-id="m-1" data-ask="never"></div>';
const en = messagesFor('en');
/** Past the first retries' backoff (1 s, then 2 s, with jitter): on the page's fake clock. */
const PAST_BACKOFF = 10_000;

let pages = 0;

const { server, t } = useBrowserTest();

/**
 * A page with one widget on a clock that stands still unless the test runs it, so nothing is
 * retried before the test has done what it does between two attempts.
 */
async function open(init?: () => void): Promise<Page> {
  const path = `/storage-loss-${++pages}`;
  server.page(
    path,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Answer</title>${SCRIPT}</head><body><main><p>An answer.</p>${WIDGET}</main></body></html>`,
  );
  const page = await t.newPage();
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 1000);
  if (init) await page.addInitScript(init);
  await page.goto(`${server.origin}${path}`);
  await widget(page).up.waitFor();
  return page;
}

const widget = (page: Page) => widgetControls(page.locator('[data-message-id="m-1"]'), en);

/** Answers 503 to the first `failures` votes, then 201: the endpoint is down for a while. */
function downFor(failures: number): (request: Recorded) => Reply {
  return () =>
    server.requests.length <= failures ? { status: 503 } : { status: 201, body: '{"id":"1"}' };
}

/** The votes the vendor stored: one per Idempotency-Key it accepted (it dedupes by key). */
function storedVotes(): string[] {
  return [...new Set(server.requests.map((request) => request.headers['idempotency-key']))].filter(
    Boolean,
  ) as string[];
}

/** Resolves once every attempt the page has started has settled (`flush()` waits for them). */
const settled = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { FeedbackWidget: { flush(): Promise<void> } }).FeedbackWidget.flush(),
  );

describe('the page clears localStorage while a vote waits for a retry', () => {
  it('after a 503, localStorage.clear() in the same tab: the retry still sends the vote, once, and the status says thanks', async () => {
    server.reply = downFor(1);
    const page = await open();
    await widget(page).up.click();
    await expect.poll(() => widget(page).status.textContent()).toBe(en.queued);

    await page.evaluate(() => localStorage.clear());
    await page.clock.runFor(PAST_BACKOFF);

    await server.waitFor(2);
    await expect.poll(() => widget(page).status.textContent()).toBe(en.thanks);
    expect(storedVotes()).toHaveLength(1);
    expect(server.requests.map((request) => request.body)).toEqual([
      server.requests[0]?.body,
      server.requests[0]?.body,
    ]);
    expect(await widget(page).up.getAttribute('aria-pressed')).toBe('true');
  });

  it('cleared while the first attempt is on its way, then answered 503: the vote is kept and sent again', async () => {
    const first = deferred<Reply>();
    server.reply = () =>
      server.requests.length === 1 ? first.promise : { status: 201, body: '{}' };
    const page = await open();
    await widget(page).up.click();
    await server.waitFor(1);

    await page.evaluate(() => localStorage.clear());
    first.resolve({ status: 503 });
    await expect.poll(() => widget(page).status.textContent()).toBe(en.queued);
    await page.clock.runFor(PAST_BACKOFF);

    await server.waitFor(2);
    await expect.poll(() => widget(page).status.textContent()).toBe(en.thanks);
    expect(storedVotes()).toHaveLength(1);
  });

  it('offline, the page removes the outbox key: the vote is put back in storage and sent once the network is back', async () => {
    const page = await open();
    await t.context.setOffline(true);
    await widget(page).up.click();
    await expect.poll(() => widget(page).status.textContent()).toBe(en.queued);

    await page.evaluate(() => {
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith('feedback-widget:outbox:')) localStorage.removeItem(key);
      }
    });
    await page.clock.runFor(PAST_BACKOFF);
    // Put back as this page's retry fails, so a later page load would send it too.
    await expect
      .poll(() =>
        page.evaluate(() =>
          Object.keys(localStorage).filter((key) => key.startsWith('feedback-widget:outbox:')),
        ),
      )
      .toHaveLength(1);
    await t.context.setOffline(false);

    await server.waitFor(1);
    await expect.poll(() => widget(page).status.textContent()).toBe(en.thanks);
    expect(storedVotes()).toHaveLength(1);
  });

  it('a vote another tab delivered meanwhile is not sent again by the tab that cast it', async () => {
    server.reply = downFor(1);
    const page = await open();
    await widget(page).up.click();
    await expect.poll(() => widget(page).status.textContent()).toBe(en.queued);

    const other = await t.newPage();
    await other.goto(page.url());
    await widget(other).up.waitFor();
    await settled(other);
    expect(server.requests).toHaveLength(2);
    // The other tab's storage events (the vote removed from the outbox, then marked
    // delivered) have reached the first tab once it says thanks.
    await expect.poll(() => widget(page).status.textContent()).toBe(en.thanks);

    await page.clock.runFor(PAST_BACKOFF);
    await settled(page);
    expect(server.requests).toHaveLength(2);
    expect(storedVotes()).toHaveLength(1);
  });
});
