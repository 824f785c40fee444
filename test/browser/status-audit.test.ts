// @vitest-environment node
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../widget/i18n';
import { type TestContext, widgetControls } from '../helpers/browser';
import { useBrowserAndServer } from '../helpers/browser-suite';
import type { RecordingServer } from '../helpers/recording-server';

/**
 * What the status region says beyond status.test.ts, found by an audit of issue 18 ("The widget
 * never claims more than happened"): texts a page sets in another script direction.
 */

const SCRIPT = '<script src="/feedback-widget.js" async data-endpoint="/api/feedback"></script>';

let server: RecordingServer;
let t: TestContext;
let pages = 0;

useBrowserAndServer((current) => {
  ({ server, t } = current);
});

/** Serves `body` under a path no other test uses; returns its URL. */
function serve(body: string, html: string): string {
  const path = `/status-audit-${++pages}`;
  server.page(
    path,
    `<!doctype html>${html}<head><meta charset="utf-8"><title>Answer</title>${SCRIPT}</head><body><main><p>An answer.</p>${body}</main></body></html>`,
  );
  return `${server.origin}${path}`;
}

async function open(
  body: string,
  html: string,
  messageId: string,
  messages = messagesFor('en'),
): Promise<Page> {
  const page = await t.newPage();
  await page.goto(serve(body, html));
  await widget(page, messageId, messages).up.waitFor();
  return page;
}

function widget(page: Page, messageId: string, messages = messagesFor('en')) {
  return widgetControls(page.locator(`[data-message-id="${messageId}"]`), messages);
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
