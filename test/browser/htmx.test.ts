// @vitest-environment node
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { nextFrame, outboxDrained, widgetControls } from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';

// htmx's own build, as a page loads it from a CDN.
const HTMX = readFileSync(
  createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'),
  'utf8',
);
const HEAD =
  '<script src="/htmx.min.js"></script>' +
  '<script src="/feedback-widget.js" data-endpoint="/api/feedback"></script>';
/** htmx keeps no snapshot: Back asks the server for the page again. */
const NO_SNAPSHOTS = `<meta name="htmx-config" content='{"historyCacheSize":0}'>`;

const { server, t } = useBrowserTest((recording) => {
  recording.page('/htmx.min.js', HTMX, { 'Content-Type': 'text/javascript' });
});

/** An answer as a server renders it, for a whole page or an htmx fragment. */
const answer = (id: string, text: string) =>
  `<article id="answer-${id}"><p>${text}</p><div data-feedback data-message-id="${id}"></div></article>`;

/** A page of an app whose links htmx boosts. */
function html(body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chat</title>${HEAD}${head}</head><body hx-boost="true">${body}</body></html>`;
}

/** A chat holding `answers`, with the buttons and links the tests use. */
function chat(answers: string): string {
  return (
    `<main id="chat">${answers}</main><aside id="sources"></aside>` +
    '<button hx-get="/answers/next" hx-target="#chat" hx-swap="beforeend">Ask</button>' +
    '<button hx-get="/answers/h-1" hx-target="#answer-h-1" hx-swap="outerHTML">Regenerate</button>' +
    '<a href="/other">Other</a>'
  );
}

async function open(path: string, body: string, head = ''): Promise<Page> {
  server.page(path, html(body, head));
  const page = await t.newPage();
  await page.goto(`${server.origin}${path}`);
  return page;
}

const widget = (page: Page, id: string) =>
  widgetControls(page.locator(`[data-message-id="${id}"]`));

/** Every widget in the page, found by its role wherever its shadow root is. */
const widgets = (page: Page) => widgetControls(page.locator('body')).group;

/** Goes Back and resolves with where htmx restored the page from: its snapshot or the server. */
async function back(page: Page): Promise<'snapshot' | 'server'> {
  await page.evaluate(() => {
    const restored = new Promise<string>((resolve) =>
      document.addEventListener(
        'htmx:historyRestore',
        (event) => resolve((event as CustomEvent).detail.cacheMiss ? 'server' : 'snapshot'),
        { once: true },
      ),
    );
    (window as unknown as { restored: Promise<string> }).restored = restored;
  });
  await page.goBack();
  return page.evaluate(
    () => (window as unknown as { restored: Promise<'snapshot' | 'server'> }).restored,
  );
}

describe('htmx 2', () => {
  it('an answer appended by hx-get gets a widget, and a vote on it is sent once', async () => {
    server.page('/answers/next', answer('h-2', 'Second answer.'));
    const page = await open('/chat', chat(answer('h-1', 'First answer.')));

    await page.getByRole('button', { name: 'Ask' }).click();
    await widget(page, 'h-2').up.click();

    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ message_id: 'h-2', rating: 'up' });
    await outboxDrained(page);
    expect(server.requests).toHaveLength(1);
    expect(await widgets(page).count()).toBe(2);
    expect(t.problems).toMatchObject({ consoleErrors: [], pageErrors: [] });
  });

  it('an answer swapped outerHTML for a new version of it keeps one widget, the vote pressed and sent once', async () => {
    server.page('/answers/h-1', answer('h-1', 'First answer, regenerated.'));
    const page = await open('/chat', chat(answer('h-1', 'First answer.')));
    await widget(page, 'h-1').up.click();
    await server.waitFor(1);
    const replaced = await widget(page, 'h-1').host.elementHandle();

    await page.getByRole('button', { name: 'Regenerate' }).click();
    await expect.poll(() => page.locator('#answer-h-1 p').textContent()).toContain('regenerated');

    await expect.poll(() => widget(page, 'h-1').up.getAttribute('aria-pressed')).toBe('true');
    expect(await widgets(page).count()).toBe(1);
    expect(
      await replaced?.evaluate((host) => [host.isConnected, host.shadowRoot?.innerHTML]),
    ).toEqual([false, '']);
    await widget(page, 'h-1').up.click();
    await nextFrame(page);
    await outboxDrained(page);
    expect(server.requests).toHaveLength(1);
    expect(t.problems).toMatchObject({ consoleErrors: [], pageErrors: [] });
  });

  it.each([
    ['its snapshot', '', 'snapshot'],
    ['the server (historyCacheSize 0)', NO_SNAPSHOTS, 'server'],
  ])(
    'after hx-boost to another page and Back, restored from %s, every answer has one working widget',
    async (_, head, from) => {
      server.page('/other', html(`<main id="other">${answer('o-1', 'Elsewhere.')}</main>`, head));
      const page = await open(
        '/chat',
        chat(answer('h-1', 'First.') + answer('h-2', 'Second.')),
        head,
      );
      await widget(page, 'h-1').up.click();
      await server.waitFor(1);

      await page.getByRole('link', { name: 'Other' }).click();
      await widget(page, 'o-1').group.waitFor();
      expect(await back(page)).toBe(from);

      await expect.poll(() => widget(page, 'h-1').up.getAttribute('aria-pressed')).toBe('true');
      expect(await widgets(page).count()).toBe(2);
      expect(await widget(page, 'h-2').group.count()).toBe(1);
      // Pressed already: nothing new to send. The other answer's vote is new.
      await widget(page, 'h-1').up.click();
      await widget(page, 'h-2').up.click();
      const requests = await server.waitFor(2);
      await outboxDrained(page);
      expect(requests.map((r) => r.body)).toEqual([
        expect.objectContaining({ message_id: 'h-1', rating: 'up' }),
        expect.objectContaining({ message_id: 'h-2', rating: 'up' }),
      ]);
      expect(t.problems).toMatchObject({ consoleErrors: [], pageErrors: [] });
    },
  );

  it('an answer that hx-swap-oob inserts elsewhere in the page gets a widget too', async () => {
    server.page(
      '/answers/next',
      answer('h-2', 'Second answer.') +
        `<div hx-swap-oob="beforeend:#sources">${answer('s-1', 'A source.')}</div>`,
    );
    const page = await open('/chat', chat(answer('h-1', 'First answer.')));

    await page.getByRole('button', { name: 'Ask' }).click();
    await widgetControls(page.locator('#sources [data-message-id="s-1"]')).up.click();

    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ message_id: 's-1', rating: 'up' });
    await outboxDrained(page);
    expect(server.requests).toHaveLength(1);
    expect(await widgets(page).count()).toBe(3);
    expect(t.problems).toMatchObject({ consoleErrors: [], pageErrors: [] });
  });
});
