// @vitest-environment node
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../widget/i18n';
import {
  isFocused,
  nextFrame,
  outboxDrained,
  recordEvents,
  recordedEvents,
  widgetControls,
} from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';
import type { Recorded } from '../helpers/recording-server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SCRIPT = '<script src="/feedback-widget.js" async data-endpoint="/api/feedback"></script>';
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'";

let pages = 0;

const { server, t } = useBrowserTest();

function html(body: string, head = SCRIPT): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Article</title>${head}</head><body><main><h1>An answer</h1><p>Some text.</p>${body}</main></body></html>`;
}

/** Serves `body` under a path no other test uses and opens it in a new tab. */
async function open(
  body: string,
  options: {
    head?: string;
    headers?: Record<string, string>;
    query?: string;
    /** Stops the page's clock (`Date`) at this epoch ms; its timers still run. */
    time?: number;
  } = {},
): Promise<{ page: Page; url: string; path: string }> {
  const path = `/page-${++pages}`;
  server.page(path, html(body, options.head), options.headers);
  const page = await t.newPage();
  if (options.time !== undefined) await page.clock.setFixedTime(options.time);
  const url = `${server.origin}${path}`;
  await page.goto(url + (options.query ?? ''));
  return { page, url, path };
}

/** The widget mounted in the element with this message id. */
function widget(page: Page, messageId: string) {
  return widgetControls(
    page.locator(`[data-message-id="${messageId}"], [message-id="${messageId}"]`),
  );
}

/** "Not helpful", a reason and a comment in the follow-up, then Send. */
async function sendDown(w: ReturnType<typeof widget>, reason: string, comment: string) {
  await w.down.click();
  await w.reason(reason).click();
  await w.textbox.fill(comment);
  await w.send.click();
}

const pressed = (locator: ReturnType<typeof widget>['up']) => locator.getAttribute('aria-pressed');

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

describe('a plain page with the script tag', () => {
  it('shows Helpful and Not helpful in each element, and one click on Helpful posts exactly one event a backend can store', async () => {
    const clicked = Date.parse('2026-05-04T10:20:30.456Z');
    const { page, url } = await open(
      '<div data-feedback data-message-id="m-1"></div><div data-feedback data-message-id="m-2"></div>',
      { query: '?token=secret#answer', time: clicked },
    );
    const first = widget(page, 'm-1');
    const second = widget(page, 'm-2');
    await expect
      .poll(() => page.getByRole('button', { name: 'Helpful', exact: true }).count())
      .toBe(2);
    expect(await page.getByRole('button', { name: 'Not helpful', exact: true }).count()).toBe(2);
    expect(await first.host.getByRole('group', { name: 'Was this helpful?' }).count()).toBe(1);
    expect(await pressed(first.up)).toBe('false');
    expect(await pressed(second.down)).toBe('false');

    await first.up.click();
    await outboxDrained(page);
    const request = only(server.requests);
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/feedback');
    expect(request.headers['content-type']).toBe('application/json');
    const body = request.body as Record<string, unknown>;
    expect(request.headers['idempotency-key']).toMatch(UUID);
    expect(body).toEqual({
      id: request.headers['idempotency-key'],
      rating: 'up',
      sentiment: 'positive',
      value: 100,
      scale: { min: -100, max: 100 },
      message_id: 'm-1',
      page_url: url,
      locale: 'en',
      created_at: new Date(clicked).toISOString(),
    });

    expect(await pressed(first.up)).toBe('true');
    expect(await pressed(second.up)).toBe('false');
    await expect.poll(() => first.status.textContent()).toBe('Thanks for your feedback!');
    expect(await second.status.textContent()).toBe('');
    expect(t.problems.pageErrors).toEqual([]);
    expect(t.problems.consoleErrors).toEqual([]);
  });
});

describe('the icons', () => {
  it("are each button's ::before, so the page can hide or redraw them through ::part()", async () => {
    const { page } = await open('<div data-feedback data-message-id="m-icons"></div>', {
      head: `<style>
        [data-feedback]::part(down)::before { display: none; }
        [data-feedback]::part(up)::before { clip-path: circle(50%); background: rgb(0, 128, 0); }
      </style>${SCRIPT}`,
    });
    const { up, down } = widget(page, 'm-icons');
    await up.waitFor();
    const icon = (button: typeof up) =>
      button.evaluate((element) => {
        const { display, clipPath, backgroundColor } = getComputedStyle(element, '::before');
        return `${display} ${clipPath} ${backgroundColor}`;
      });
    expect(await icon(up)).toBe('block circle(50%) rgb(0, 128, 0)');
    expect(await icon(down)).toMatch(/^none polygon\(/);
    expect(t.problems.consoleErrors).toEqual([]);
  });
});

describe('a page with a strict Content-Security-Policy and Trusted Types', () => {
  it('shows a styled widget, reports no violation, and delivers a vote', async () => {
    const { page } = await open('<div data-feedback data-message-id="m-csp"></div>', {
      headers: { 'Content-Security-Policy': CSP },
    });
    const { up, down } = widget(page, 'm-csp');
    await up.waitFor();
    const style = await down.evaluate((button) => {
      const computed = getComputedStyle(button);
      return { radius: computed.borderRadius, background: computed.backgroundColor };
    });
    // The widget's pill on white, not the UA's square ButtonFace button.
    expect(style).toEqual({ radius: '999px', background: 'rgb(255, 255, 255)' });
    await up.click();
    await outboxDrained(page);
    expect((only(server.requests).body as { rating: string }).rating).toBe('up');
    expect(t.problems.cspViolations).toEqual([]);
    expect(t.problems.pageErrors).toEqual([]);
    expect(t.problems.consoleErrors).toEqual([]);
  });

  it('(harness check) an inline script under the same policy is reported, so zero violations means zero', async () => {
    await open('<script>document.title = "inline";</script>', {
      headers: { 'Content-Security-Policy': CSP },
    });
    await expect.poll(() => t.problems.cspViolations.length).toBeGreaterThan(0);
  });
});

describe('the follow-up after Not helpful', () => {
  it('offers reasons and a comment box with focus inside, and Send posts one vote carrying the reason and the comment', async () => {
    const { page } = await open('<div data-feedback data-message-id="m-3"></div>');
    const w = widget(page, 'm-3');
    await w.down.click();
    await w.textbox.waitFor();
    for (const reason of ['Incorrect', 'Not relevant', 'Unclear', 'Incomplete']) {
      expect(await w.reason(reason).count()).toBe(1);
    }
    expect(await pressed(w.down)).toBe('true');
    const focusInside = await Promise.all(
      [w.reason('Incorrect'), w.reason('Not relevant'), w.reason('Unclear'), w.textbox].map(
        isFocused,
      ),
    );
    expect(focusInside).toContain(true);

    await w.reason('Unclear').click();
    await w.textbox.fill('The steps skip the login part.');
    expect(server.requests).toHaveLength(0);
    await w.send.click();
    await server.waitFor(1);
    await outboxDrained(page);
    const request = only(server.requests);
    expect(request.body).toMatchObject({
      id: request.headers['idempotency-key'],
      rating: 'down',
      sentiment: 'negative',
      value: -100,
      message_id: 'm-3',
      reason: 'Unclear',
      comment: 'The steps skip the login part.',
    });
    expect(await w.textbox.count()).toBe(0);
    expect(await isFocused(w.down)).toBe(true);
    await expect.poll(() => w.status.textContent()).toBe('Thanks for your feedback!');
  });

  it('Skip posts one vote without reason or comment, even when some were entered', async () => {
    const { page } = await open('<div data-feedback data-message-id="m-4"></div>');
    const w = widget(page, 'm-4');
    await w.down.click();
    await w.reason('Incorrect').click();
    await w.textbox.fill('half a thought');
    await w.skip.click();
    await server.waitFor(1);
    await outboxDrained(page);
    const body = only(server.requests).body as Record<string, unknown>;
    expect(body).toMatchObject({ rating: 'down', value: -100, message_id: 'm-4' });
    expect(body).not.toHaveProperty('reason');
    expect(body).not.toHaveProperty('comment');
    expect(await w.textbox.count()).toBe(0);
    expect(await isFocused(w.down)).toBe(true);
  });

  it('Escape works like Skip', async () => {
    const { page } = await open('<div data-feedback data-message-id="m-5"></div>');
    const w = widget(page, 'm-5');
    await w.down.click();
    await w.textbox.fill('never mind');
    await page.keyboard.press('Escape');
    await server.waitFor(1);
    await outboxDrained(page);
    const body = only(server.requests).body as Record<string, unknown>;
    expect(body).toMatchObject({ rating: 'down', message_id: 'm-5' });
    expect(body).not.toHaveProperty('reason');
    expect(body).not.toHaveProperty('comment');
    expect(await w.textbox.count()).toBe(0);
  });
});

describe('formats over the wire', () => {
  it('vote fills and URL-encodes the endpoint and posts only the value (and the joined reason)', async () => {
    const endpoint = 'data-endpoint="/api/conversations/{conversationId}/{vote}"';
    const { page } = await open(
      `<div data-feedback data-format="vote" ${endpoint} data-conversation-id="c 2" data-message-id="v-up"></div>` +
        `<div data-feedback data-format="vote" ${endpoint} data-conversation-id="c/3" data-message-id="v-down"></div>`,
    );
    await widget(page, 'v-up').up.click();
    await server.waitFor(1);
    await sendDown(widget(page, 'v-down'), 'Incorrect', 'wrong date');
    await server.waitFor(2);
    await outboxDrained(page);
    expect(server.requests.map(({ path, body }) => ({ path, body }))).toEqual([
      { path: '/api/conversations/c%202/upvote', body: { value: 100 } },
      {
        path: '/api/conversations/c%2F3/downvote',
        body: { value: -100, reason: 'Incorrect: wrong date' },
      },
    ]);
    for (const request of server.requests) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['idempotency-key']).toMatch(UUID);
    }
  });

  it('sentiment posts the conversation id, the sentiment and the message id in metadata', async () => {
    const { page } = await open(
      '<div data-feedback data-format="sentiment" data-endpoint="/api/sentiment" data-conversation-id="conv-1" data-message-id="m-s"></div>',
    );
    await widget(page, 'm-s').up.click();
    await server.waitFor(1);
    await outboxDrained(page);
    const request = only(server.requests);
    expect(request.path).toBe('/api/sentiment');
    expect(request.body).toEqual({
      conversation_id: 'conv-1',
      sentiment: 'positive',
      metadata: { message_id: 'm-s' },
    });
  });

  it('score maps the choice onto data-scale and joins reason and comment into text', async () => {
    const endpoint = 'data-endpoint="/api/assistants/a-1/feedbacks"';
    const { page } = await open(
      `<div data-feedback data-format="score" data-scale="0..10" ${endpoint} data-session-id="s-1" data-message-id="sc-up"></div>` +
        `<div data-feedback data-format="score" data-scale="0..10" ${endpoint} data-session-id="s-2" data-message-id="sc-down"></div>`,
    );
    await widget(page, 'sc-up').up.click();
    await server.waitFor(1);
    await sendDown(widget(page, 'sc-down'), 'Unclear', 'hard to follow');
    await server.waitFor(2);
    await outboxDrained(page);
    expect(server.requests.map(({ path, body }) => ({ path, body }))).toEqual([
      { path: '/api/assistants/a-1/feedbacks', body: { session_id: 's-1', score: 10 } },
      {
        path: '/api/assistants/a-1/feedbacks',
        body: { session_id: 's-2', score: 0, text: 'Unclear: hard to follow' },
      },
    ]);
  });

  it('quality posts the message id, its content, the score and the time since data-sent-at', async () => {
    const sentAt = Date.parse('2026-05-04T10:20:00.000Z');
    const { page } = await open(
      `<div data-feedback data-format="quality" data-endpoint="/api/messages/feedback" data-message-id="m-q" data-sent-at="${new Date(sentAt).toISOString()}" data-message-content="Restart the router."></div>`,
      { time: sentAt + 90_000 },
    );
    const w = widget(page, 'm-q');
    await w.up.waitFor();
    await w.up.click();
    await outboxDrained(page);
    const request = only(server.requests);
    expect(request.path).toBe('/api/messages/feedback');
    const body = request.body as Record<string, unknown>;
    expect(body).toEqual({
      original_message_id: 'm-q',
      sent_message_content: 'Restart the router.',
      customer_responded: true,
      quality_score: 100,
      time_to_respond_ms: 90_000,
    });
  });
});

describe('dedupe', () => {
  it('after a vote and a reload the choice shows pressed, and further clicks send nothing but feedback:duplicate', async () => {
    // Every aria-pressed change inside any shadow root, to catch a flash of the unvoted state.
    await t.context.addInitScript(() => {
      const changes: string[] = [];
      (window as unknown as { __pressed: string[] }).__pressed = changes;
      const observer = new MutationObserver((records) => {
        for (const record of records) {
          const now = (record.target as Element).getAttribute('aria-pressed');
          changes.push(`${record.target.textContent}: ${record.oldValue} -> ${now}`);
        }
      });
      const attach = Element.prototype.attachShadow;
      Element.prototype.attachShadow = function (init) {
        const root = attach.call(this, init);
        observer.observe(root, {
          subtree: true,
          attributeFilter: ['aria-pressed'],
          attributeOldValue: true,
        });
        return root;
      };
    });
    const { page } = await open('<div data-feedback data-message-id="m-dd"></div>');
    await widget(page, 'm-dd').up.click();
    await server.waitFor(1);
    // The recorder works: the click itself flipped Helpful.
    expect(
      await page.evaluate(() => (window as unknown as { __pressed: string[] }).__pressed),
    ).toContain('Helpful: false -> true');
    await page.reload();
    const w = widget(page, 'm-dd');
    await w.up.waitFor();
    expect(await pressed(w.up)).toBe('true');
    expect(await pressed(w.down)).toBe('false');
    // Rendered pressed from the start: no attribute ever flipped after the reload.
    expect(
      await page.evaluate(() => (window as unknown as { __pressed: string[] }).__pressed),
    ).toEqual([]);
    await recordEvents(page, 'feedback:duplicate');
    await w.up.click();
    // Exposed as unavailable (aria-disabled), which Playwright would wait out.
    await w.down.click({ force: true });
    await expect.poll(() => recordedEvents(page, 'feedback:duplicate')).toHaveLength(2);
    await outboxDrained(page);
    expect(server.requests).toHaveLength(1);
    expect(await pressed(w.up)).toBe('true');
    expect(await w.textbox.count()).toBe(0);
    expect(await recordedEvents(page, 'feedback:duplicate')).toHaveLength(2);
  });

  it('two mounts of the same message both show the vote after one click, and it is sent once', async () => {
    const { page } = await open(
      '<div data-feedback id="a" data-message-id="m-same"></div><div data-feedback id="b" data-message-id="m-same"></div>',
    );
    const upA = page.locator('#a').getByRole('button', { name: 'Helpful', exact: true });
    const upB = page.locator('#b').getByRole('button', { name: 'Helpful', exact: true });
    await upA.click();
    await server.waitFor(1);
    await expect.poll(() => pressed(upB)).toBe('true');
    expect(await pressed(upA)).toBe('true');
    await upB.click();
    await outboxDrained(page);
    expect(server.requests).toHaveLength(1);
  });

  it('a second tab of the same page shows the vote live', async () => {
    const first = await open('<div data-feedback data-message-id="m-tab"></div>');
    const second = await t.newPage();
    await second.goto(first.url);
    const there = widget(second, 'm-tab');
    await there.up.waitFor();
    expect(await pressed(there.up)).toBe('false');
    await widget(first.page, 'm-tab').up.click();
    await server.waitFor(1);
    await expect.poll(() => pressed(there.up)).toBe('true');
    await there.up.click();
    await outboxDrained(second);
    expect(server.requests).toHaveLength(1);
  });
});

describe('delivery', () => {
  it('retries 503 until the endpoint accepts, with the same Idempotency-Key every time', async () => {
    let answered = 0;
    server.reply = () =>
      ++answered <= 2
        ? { status: 503, headers: { 'Retry-After': '0' }, body: '{"error":"busy"}' }
        : { status: 201, body: '{"id":"r-1"}' };
    const { page } = await open('<div data-feedback data-message-id="m-retry"></div>');
    await recordEvents(page, 'feedback:sent');
    await widget(page, 'm-retry').up.click();
    await server.waitFor(3, 10_000);
    await outboxDrained(page);
    expect(server.requests).toHaveLength(3);
    const keys = server.requests.map((request) => request.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(UUID);
    expect(server.requests.map((request) => request.body)).toEqual(
      Array(3).fill(server.requests[0]?.body),
    );
    await expect.poll(() => recordedEvents(page, 'feedback:sent')).toHaveLength(1);
    expect(await recordedEvents(page, 'feedback:sent')).toMatchObject([{ status: 201 }]);
  }, 20_000);

  it('drops a vote the endpoint rejects with 400 and fires feedback:error with willRetry false', async () => {
    server.reply = () => ({ status: 400, body: '{"error":"value"}' });
    const { page } = await open('<div data-feedback data-message-id="m-400"></div>');
    await recordEvents(page, 'feedback:error');
    await widget(page, 'm-400').up.click();
    await server.waitFor(1);
    await expect.poll(() => recordedEvents(page, 'feedback:error')).toHaveLength(1);
    const [error] = await recordedEvents<{ willRetry: boolean; event: { message_id: string } }>(
      page,
      'feedback:error',
    );
    expect(error).toMatchObject({ willRetry: false, event: { message_id: 'm-400' } });
    await outboxDrained(page);
    await page.reload();
    await widget(page, 'm-400').up.waitFor();
    await outboxDrained(page);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a waiting vote as soon as the network comes back, not when its backoff ends', async () => {
    server.reply = () => ({ status: 503, headers: { 'Retry-After': '600' } });
    const { page } = await open('<div data-feedback data-message-id="m-online"></div>');
    const w = widget(page, 'm-online');
    await recordEvents(page, 'feedback:error');
    await w.up.click();
    await expect.poll(() => recordedEvents(page, 'feedback:error')).toHaveLength(1);
    server.reply = () => ({ status: 201, body: '{}' });
    await t.context.setOffline(true);
    await t.context.setOffline(false);
    const [refused, delivered] = await server.waitFor(2);
    expect(delivered?.headers['idempotency-key']).toBe(refused?.headers['idempotency-key']);
  });

  it('coming back online retries a waiting vote and leaves a follow-up being typed open', async () => {
    server.reply = () => ({ status: 503, headers: { 'Retry-After': '600' } });
    const { page } = await open(
      '<div data-feedback data-message-id="m-waiting"></div><div data-feedback data-message-id="m-typing"></div>',
    );
    const waiting = widget(page, 'm-waiting');
    const typing = widget(page, 'm-typing');
    await recordEvents(page, 'feedback:error');
    await waiting.up.click();
    await expect.poll(() => recordedEvents(page, 'feedback:error')).toHaveLength(1);
    server.reply = () => ({ status: 201, body: '{}' });
    await typing.down.click();
    await typing.textbox.fill('The second step');
    await t.context.setOffline(true);
    await t.context.setOffline(false);
    await server.waitFor(2);
    await server.quiet();
    expect(
      server.requests.map((request) => (request.body as { message_id: string }).message_id),
    ).toEqual(['m-waiting', 'm-waiting']);
    expect(await isFocused(typing.textbox)).toBe(true);
    expect(await typing.textbox.inputValue()).toBe('The second step');
    await typing.send.click();
    await server.waitFor(3);
    expect(server.requests[2]?.body).toMatchObject({
      message_id: 'm-typing',
      comment: 'The second step',
    });
  });

  it('in a sandboxed frame (an opaque origin: no Web Locks, no storage) retries a refused vote', async () => {
    server.reply = () =>
      server.requests.length === 1 ? { status: 503 } : { status: 201, body: '{}' };
    const script = `<script src="${server.origin}/feedback-widget.js" async data-endpoint="${server.origin}/api/feedback"></script>`;
    const frame = html('<div data-feedback data-message-id="m-sandboxed"></div>', script);
    const { page } = await open(
      `<iframe sandbox="allow-scripts" srcdoc="${frame.replaceAll('"', '&quot;')}"></iframe>`,
    );
    const w = widgetControls(
      page.frameLocator('iframe').locator('[data-message-id="m-sandboxed"]'),
    );
    await w.up.click();
    const [refused, delivered] = await server.waitFor(2, 10_000);
    expect(delivered?.headers['idempotency-key']).toBe(refused?.headers['idempotency-key']);
    await expect.poll(() => w.status.textContent()).toBe(messagesFor('en').thanks);
    expect(t.problems.pageErrors).toEqual([]);
  });

  it('keeps a vote the endpoint refused for the whole page life and delivers it on a later page load', async () => {
    server.reply = () => ({ status: 503 });
    const { page, url } = await open('<div data-feedback data-message-id="m-later"></div>');
    const w = widget(page, 'm-later');
    await w.up.waitFor();
    await recordEvents(page, 'feedback:error');
    await w.up.click();
    await expect.poll(() => recordedEvents(page, 'feedback:error')).toHaveLength(1);
    expect(await recordedEvents(page, 'feedback:error')).toMatchObject([{ willRetry: true }]);
    // Leaving gives the vote a last keepalive try, still refused.
    await page.goto('about:blank');
    await server.waitFor(2);
    await server.quiet();
    const refused = server.requests.length;
    server.reply = () => ({ status: 201, body: '{}' });
    await page.goto(url);
    await server.waitFor(refused + 1, 10_000);
    await outboxDrained(page);
    expect(server.requests).toHaveLength(refused + 1);
    const keys = new Set(server.requests.map((request) => request.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    const delivered = server.requests.at(-1) as Recorded;
    expect(delivered.headers.referer).toBe(url);
    expect(delivered.body).toMatchObject({
      id: delivered.headers['idempotency-key'],
      rating: 'up',
      message_id: 'm-later',
      page_url: url,
    });
  }, 20_000);
});

describe('a tab closed with the follow-up open', () => {
  it('still delivers the vote, with the comment typed so far', async () => {
    const { page } = await open('<div data-feedback data-message-id="m-close"></div>');
    const w = widget(page, 'm-close');
    await w.down.click();
    await w.reason('Incomplete').click();
    await w.textbox.fill('It stops halfway');
    await page.close({ runBeforeUnload: true });
    await server.waitFor(1);
    await server.quiet();
    const request = only(server.requests);
    expect(request.body).toMatchObject({
      id: request.headers['idempotency-key'],
      rating: 'down',
      message_id: 'm-close',
      reason: 'Incomplete',
      comment: 'It stops halfway',
    });
  });
});

describe('storage that throws', () => {
  it('still renders the widget and delivers a vote', async () => {
    await t.context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        configurable: true,
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      });
    });
    const { page } = await open('<div data-feedback data-message-id="m-nostore"></div>');
    expect(
      await page.evaluate(() => {
        try {
          return typeof localStorage;
        } catch {
          return 'throws';
        }
      }),
    ).toBe('throws');
    const w = widget(page, 'm-nostore');
    await w.up.click();
    await server.waitFor(1);
    expect(await pressed(w.up)).toBe('true');
    await expect.poll(() => w.status.textContent()).toBe('Thanks for your feedback!');
    await recordEvents(page, 'feedback:duplicate');
    await w.up.click();
    // Storage throws, so the outbox lives in memory: its answer is the sign it is done.
    await expect.poll(() => recordedEvents(page, 'feedback:duplicate')).toHaveLength(1);
    await expect.poll(() => w.status.textContent()).toBe('Thanks for your feedback!');
    expect(only(server.requests).body).toMatchObject({ rating: 'up', message_id: 'm-nostore' });
    expect(t.problems.pageErrors).toEqual([]);
  });
});

describe('a bad option', () => {
  it('gives exactly one console.error naming data-format and the element, leaves it empty, and other widgets work', async () => {
    const { page } = await open(
      '<div data-feedback data-format="bogus" data-message-id="m-bad"></div><div data-feedback data-message-id="m-good"></div>',
    );
    const good = widget(page, 'm-good');
    await good.up.waitFor();
    await expect.poll(() => t.problems.consoleErrors.length).toBeGreaterThan(0);
    const error = only(t.problems.consoleErrors);
    expect(error).toContain('data-format');
    expect(error).toContain('bogus');
    expect(error).toContain('data-message-id="m-bad"');
    const bad = page.locator('[data-message-id="m-bad"]');
    expect(
      await bad.evaluate((element) => ({
        shadow: element.shadowRoot?.childNodes.length ?? 0,
        children: element.childNodes.length,
      })),
    ).toEqual({ shadow: 0, children: 0 });
    expect(await bad.getByRole('button').count()).toBe(0);
    await good.up.click();
    await server.waitFor(1);
    expect(only(server.requests).body).toMatchObject({ message_id: 'm-good' });
    expect(t.problems.pageErrors).toEqual([]);
    expect(t.problems.consoleErrors).toHaveLength(1);
  });
});

describe('mounting', () => {
  it.each([
    ['a synchronous script in <head>, before the elements are parsed', ''],
    ['a deferred script', ' defer'],
  ])('mounts every element with %s', async (_, attribute) => {
    const script = `<script src="/feedback-widget.js"${attribute} data-endpoint="/api/feedback"></script>`;
    const { page } = await open(
      '<div data-feedback data-message-id="m-early-1"></div><div data-feedback data-message-id="m-early-2"></div>',
      { head: script },
    );
    await widget(page, 'm-early-2').up.click();
    await server.waitFor(1);
    expect(await page.getByRole('button', { name: 'Helpful', exact: true }).count()).toBe(2);
    expect(only(server.requests).body).toMatchObject({ message_id: 'm-early-2', rating: 'up' });
  });

  it('mounts an element added after load', async () => {
    const { page } = await open('<div id="chat"></div>');
    await page.waitForFunction(() => window.FeedbackWidget !== undefined);
    await page.evaluate(() => {
      const element = document.createElement('div');
      element.dataset.feedback = '';
      element.dataset.messageId = 'm-late';
      document.querySelector('#chat')?.append(element);
    });
    const w = widget(page, 'm-late');
    await w.up.click();
    await server.waitFor(1);
    expect(only(server.requests).body).toMatchObject({ message_id: 'm-late', rating: 'up' });
  });

  it('sends the vote of an element removed with its follow-up open', async () => {
    const { page } = await open('<div data-feedback data-message-id="m-gone"></div>');
    const w = widget(page, 'm-gone');
    await w.down.click();
    await w.textbox.fill('too late');
    expect(server.requests).toHaveLength(0);
    await w.host.evaluate((element) => element.remove());
    await server.waitFor(1);
    await outboxDrained(page);
    expect(only(server.requests).body).toMatchObject({
      message_id: 'm-gone',
      rating: 'down',
      comment: 'too late',
    });
  });

  it('mounts once when the script is loaded twice, and exposes window.FeedbackWidget.version', async () => {
    const { page } = await open(
      '<div data-feedback data-message-id="m-twice"></div><script src="/feedback-widget.js?again" data-endpoint="/api/feedback"></script>',
    );
    await page.waitForLoadState('load');
    const w = widget(page, 'm-twice');
    await w.up.waitFor();
    await nextFrame(page);
    expect(await w.host.getByRole('button', { name: 'Helpful', exact: true }).count()).toBe(1);
    expect(await w.host.getByRole('button').count()).toBe(2);
    expect(await page.evaluate(() => typeof window.FeedbackWidget?.version)).toBe('string');
    expect(await page.evaluate(() => window.FeedbackWidget?.version.length)).toBeGreaterThan(0);
    await w.up.click();
    await server.waitFor(1);
    await outboxDrained(page);
    expect(server.requests).toHaveLength(1);
    expect(t.problems.consoleErrors).toEqual([]);
  });

  it('<feedback-widget> shows a changed attribute at once, without a click', async () => {
    const { page } = await open(
      '<feedback-widget endpoint="/api/feedback" message-id="m-10"></feedback-widget>',
      { head: '<script src="/feedback-widget.js" async></script>' },
    );
    const w = widget(page, 'm-10');
    await w.up.waitFor();
    await page.evaluate(() => {
      const element = document.querySelector('feedback-widget') as HTMLElement;
      element.setAttribute('prompt', 'Rate this answer');
      element.setAttribute('theme', 'dark');
    });
    const host = page.locator('feedback-widget');
    await expect.poll(() => host.locator('[part="prompt"]').textContent()).toBe('Rate this answer');
    expect(await host.locator('[part="widget"]').getAttribute('data-theme')).toBe('dark');
    expect(server.requests).toEqual([]);
  });

  it('<feedback-widget endpoint message-id> works as a custom element', async () => {
    const { page } = await open(
      '<feedback-widget endpoint="/api/feedback" message-id="m-9"></feedback-widget>',
      { head: '<script src="/feedback-widget.js" async></script>' },
    );
    const w = widget(page, 'm-9');
    await w.up.click();
    await server.waitFor(1);
    const request = only(server.requests);
    expect(request.path).toBe('/api/feedback');
    expect(request.body).toMatchObject({ message_id: 'm-9', rating: 'up', value: 100 });
  });
});
