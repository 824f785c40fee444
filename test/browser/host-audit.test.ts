// @vitest-environment node
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  nextFrame,
  outboxDrained,
  recordEvents,
  recordedEvents,
  widgetControls,
} from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';
import { deferred } from '../helpers/outbox';
import type { Recorded, Reply } from '../helpers/recording-server';

const SCRIPT = '<script src="/feedback-widget.js" data-endpoint="/api/feedback"></script>';

let pages = 0;

const { server, t } = useBrowserTest();

/** Serves a page with `body` (and the script tag in <head> unless `head` says otherwise). */
async function open(body: string, head = SCRIPT): Promise<Page> {
  const path = `/audit-${++pages}`;
  server.page(
    path,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>${head}</head><body>${body}</body></html>`,
  );
  const page = await t.newPage();
  await page.goto(`${server.origin}${path}`);
  return page;
}

const bodies = (requests: Recorded[]) => requests.map((r) => r.body as Record<string, unknown>);

describe('a help-center layout whose widget stays while the app moves (history.pushState)', () => {
  it('an article reached by pushState is a new subject: unvoted, and a vote on it is sent', async () => {
    const page = await open(
      '<main>Article A</main><footer data-feedback data-ask="never"></footer>',
    );
    const w = widgetControls(page.locator('footer'));
    await w.up.click();
    await server.waitFor(1);

    await page.evaluate(() => history.pushState({}, '', '/articles/b'));
    await expect.poll(() => w.up.getAttribute('aria-pressed')).toBe('false');
    await w.down.click();

    await server.waitFor(2);
    await outboxDrained(page);
    expect(bodies(server.requests).map((b) => [b.rating, b.page_url])).toEqual([
      ['up', `${server.origin}/audit-${pages}`],
      ['down', `${server.origin}/articles/b`],
    ]);
  });

  it('going back to a voted article shows its vote pressed again, and a click sends nothing', async () => {
    const page = await open(
      '<main>Article A</main><footer data-feedback data-ask="never"></footer>',
    );
    const w = widgetControls(page.locator('footer'));
    await w.up.click();
    await server.waitFor(1);
    await page.evaluate(() => history.pushState({}, '', '/articles/b'));
    await expect.poll(() => w.up.getAttribute('aria-pressed')).toBe('false');

    await page.evaluate(() => history.back());
    await expect.poll(() => w.up.getAttribute('aria-pressed')).toBe('true');
    await w.up.click();
    await outboxDrained(page);
    expect(server.requests).toHaveLength(1);
  });
  it('a follow-up left open on the page the app leaves is sent as a vote on that page, with what was typed', async () => {
    const page = await open('<main>Article A</main><footer data-feedback></footer>');
    const w = widgetControls(page.locator('footer'));
    await w.down.click();
    await w.textbox.fill('Step 3 is missing.');

    await page.evaluate(() => history.pushState({}, '', '/articles/c'));
    await server.waitFor(1);
    await expect.poll(() => w.down.getAttribute('aria-pressed')).toBe('false');
    await outboxDrained(page);
    expect(bodies(server.requests)).toEqual([
      expect.objectContaining({
        rating: 'down',
        comment: 'Step 3 is missing.',
        page_url: `${server.origin}/audit-${pages}`,
      }),
    ]);
  });
});

describe('a streaming chat', () => {
  it('a message whose id is set after its widget mounted, voted, then swapped for a new node with that id: pressed, sent once', async () => {
    const page = await open('<div id="chat"></div>');
    await page.waitForFunction(() => window.FeedbackWidget !== undefined);
    await page.evaluate(() => {
      const message = document.createElement('div');
      message.dataset.feedback = '';
      message.dataset.conversationId = 'c-s';
      document.querySelector('#chat')?.append(message);
    });
    await widgetControls(page.locator('#chat [data-feedback]')).up.waitFor();
    await page.evaluate(() => {
      const message = document.querySelector<HTMLElement>('#chat [data-feedback]');
      if (message) {
        message.dataset.messageId = 'm-s';
        message.dataset.messageContent = 'The answer.';
      }
    });
    const w = widgetControls(page.locator('[data-message-id="m-s"]'));
    await w.up.click();
    await server.waitFor(1);
    await page.evaluate(() => {
      const old = document.querySelector('[data-message-id="m-s"]');
      old?.setAttribute('data-message-content', 'The answer, edited.');
      const next = document.createElement('div');
      next.innerHTML =
        '<div data-feedback data-conversation-id="c-s" data-message-id="m-s" data-message-content="The answer, edited."></div>';
      old?.replaceWith(next.firstChild as Node);
    });
    await expect.poll(() => w.up.getAttribute('aria-pressed')).toBe('true');
    await w.up.click();
    // Not helpful is aria-disabled after the vote, yet still a button a click reaches.
    await w.down.dispatchEvent('click');
    await outboxDrained(page);
    expect(bodies(server.requests)).toHaveLength(1);
    expect(bodies(server.requests)[0]).toMatchObject({
      message_id: 'm-s',
      message_content: 'The answer.',
    });
  });
});

describe('delivery outlives the widget', () => {
  it('a widget removed while its vote waits for a retry: the vote is still delivered, once', async () => {
    const first = deferred<Reply>();
    server.reply = (request) =>
      server.requests.indexOf(request) === 0 ? first.promise : { status: 201, body: '{"id":"1"}' };
    const page = await open('<div data-feedback data-message-id="m-r" data-ask="never"></div>');
    const w = widgetControls(page.locator('[data-message-id="m-r"]'));
    await w.up.click();
    await server.waitFor(1);
    first.resolve({ status: 503 });
    await expect.poll(() => w.status.textContent()).toContain('Saved');
    await w.host.evaluate((element) => element.remove());

    await server.waitFor(2, 15_000);
    await outboxDrained(page);
    const [a, b] = server.requests;
    expect(server.requests).toHaveLength(2);
    expect(a?.headers['idempotency-key']).toBe(b?.headers['idempotency-key']);
  });
});

describe('the JavaScript API given wrong arguments', () => {
  /** What a page passes by mistake, as the first argument of `mount` or `scan`. */
  const cases: [string, 'mount' | 'scan', string | null, RegExp][] = [
    ['mount(null, …)', 'mount', null, /not an element \(on null\)/],
    ['mount("#a", …)', 'mount', '#a', /not an element \(on #a\)/],
    ['scan("#a")', 'scan', '#a', /not an element \(on #a\)/],
  ];
  it.each(cases)(
    '%s names what was wrong, throws nothing, and leaves other widgets working',
    async (_, command, argument, pattern) => {
      const page = await open(
        '<div id="a" data-feedback data-message-id="m-ok" data-ask="never"></div>',
      );
      const w = widgetControls(page.locator('#a'));
      await w.up.waitFor();
      const thrown = await page.evaluate(
        async ([name, wrong]) => {
          const api = window.FeedbackWidget as NonNullable<typeof window.FeedbackWidget>;
          const given = wrong as unknown as Element;
          try {
            await (name === 'mount' ? api.mount(given, { endpoint: '/x' }) : api.scan(given));
            return null;
          } catch (problem) {
            return String(problem);
          }
        },
        [command, argument] as const,
      );
      expect(thrown).toBeNull();
      expect(t.problems.consoleErrors).toHaveLength(1);
      expect(t.problems.consoleErrors[0]).toMatch(pattern);
      await w.up.click();
      await server.waitFor(1);
      expect(t.problems.pageErrors).toEqual([]);
    },
  );

  it('mount on an element auto-mount already mounted leaves one widget, one request per vote', async () => {
    const page = await open(
      '<div id="a" data-feedback data-message-id="m-2x" data-ask="never"></div>',
    );
    const w = widgetControls(page.locator('#a'));
    await w.up.waitFor();
    await page.evaluate(() =>
      window.FeedbackWidget?.mount(document.querySelector('#a') as Element, { messageId: 'm-2x' }),
    );
    await nextFrame(page);
    expect(await w.host.getByRole('group').count()).toBe(1);
    await w.up.click();
    await server.waitFor(1);
    await outboxDrained(page);
    expect(server.requests).toHaveLength(1);
  });
});

describe('a host listener of the events that misbehaves', () => {
  it('one that removes the message and throws on feedback:vote: each vote is still sent once', async () => {
    const page = await open(
      '<div id="e" data-feedback data-message-id="m-e" data-ask="never"></div>' +
        '<div id="f" data-feedback data-message-id="m-f"></div>' +
        '<script>document.addEventListener("feedback:vote", (event) => {' +
        ' event.target.remove(); throw new Error("the host listener broke"); })</script>',
    );
    await widgetControls(page.locator('#e')).up.click();
    await widgetControls(page.locator('#f')).down.click();

    await server.waitFor(2);
    await outboxDrained(page);
    expect(bodies(server.requests).map((b) => [b.message_id, b.rating])).toEqual([
      ['m-e', 'up'],
      ['m-f', 'down'],
    ]);
    // The host's own errors, and nothing of the widget's.
    expect(t.problems.pageErrors).toEqual([
      expect.stringContaining('the host listener broke'),
      expect.stringContaining('the host listener broke'),
    ]);
    expect(t.problems.consoleErrors).toEqual([]);
  });
});

describe('mount() called again on the same element without unmount', () => {
  it('the later call owns the element: a vote on the earlier message elsewhere neither shows there nor blocks its own', async () => {
    const page = await open('<div id="reused"></div><div id="elsewhere"></div>');
    await page.waitForFunction(() => window.FeedbackWidget !== undefined);
    await page.evaluate(() => {
      const api = window.FeedbackWidget as NonNullable<typeof window.FeedbackWidget>;
      const reused = document.querySelector('#reused') as Element;
      api.mount(reused, { messageId: 'm-first', ask: 'never' });
      api.mount(reused, { messageId: 'm-second', ask: 'never' });
      api.mount(document.querySelector('#elsewhere') as Element, {
        messageId: 'm-first',
        ask: 'never',
      });
    });
    const reused = widgetControls(page.locator('#reused'));
    await widgetControls(page.locator('#elsewhere')).up.click();
    await server.waitFor(1);
    await nextFrame(page);

    expect(await reused.up.getAttribute('aria-pressed')).toBe('false');
    await reused.down.click();
    await server.waitFor(2);
    await outboxDrained(page);
    expect(bodies(server.requests).map((b) => [b.message_id, b.rating])).toEqual([
      ['m-first', 'up'],
      ['m-second', 'down'],
    ]);
    expect(await reused.host.getByRole('group').count()).toBe(1);
  });
});

describe('the follow-up inside a host form', () => {
  it('Enter on a reason, in the comment and on Send never submits the host form', async () => {
    const page = await open(
      '<form id="host" action="/nowhere"><div data-feedback data-message-id="m-f"></div><input name="q"></form>',
    );
    await page.evaluate(() => {
      (window as unknown as { submits: number }).submits = 0;
      document.querySelector('#host')?.addEventListener('submit', (event) => {
        event.preventDefault();
        (window as unknown as { submits: number }).submits += 1;
      });
    });
    await recordEvents(page, 'feedback:vote');
    const w = widgetControls(page.locator('[data-message-id="m-f"]'));
    await w.down.focus();
    await page.keyboard.press('Enter');
    await w.reason('Incorrect').focus();
    await page.keyboard.press('Enter');
    await w.textbox.focus();
    await page.keyboard.type('line one');
    await page.keyboard.press('Enter');
    await page.keyboard.type('line two');
    await w.send.focus();
    await page.keyboard.press('Enter');
    await server.waitFor(1);
    expect(await page.evaluate(() => (window as unknown as { submits: number }).submits)).toBe(0);
    expect(bodies(server.requests)[0]).toMatchObject({
      reason: 'Incorrect',
      comment: 'line one\nline two',
    });
    expect(await recordedEvents(page, 'feedback:vote')).toHaveLength(1);
  });
});

describe('ways to load the script', () => {
  it('a script element added after DOMContentLoaded mounts and votes with its data-endpoint', async () => {
    const page = await open(
      '<div data-feedback data-message-id="m-late-script" data-ask="never"></div>',
      '',
    );
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.src = '/feedback-widget.js';
      script.dataset.endpoint = '/api/late';
      document.head.append(script);
    });
    const w = widgetControls(page.locator('[data-message-id="m-late-script"]'));
    await w.up.click();
    const [request] = await server.waitFor(1);
    expect(request?.path).toBe('/api/late');
  });
  it('the script brought in by import() mounts elements that carry their own data-endpoint', async () => {
    const page = await open(
      '<div data-feedback data-endpoint="/api/imported" data-message-id="m-import" data-ask="never"></div>',
      '',
    );
    // A string: a function here would have its import() rewritten by the test's own bundler.
    await page.evaluate("import('/feedback-widget.js')");
    const w = widgetControls(page.locator('[data-message-id="m-import"]'));
    await w.up.click();
    const [request] = await server.waitFor(1);
    expect(request?.path).toBe('/api/imported');
    expect(t.problems.consoleErrors).toEqual([]);
  });
});
