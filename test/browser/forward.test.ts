// @vitest-environment node
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  launchBrowser,
  openContext,
  recordEvents,
  recordedEvents,
  widgetControls,
} from '../helpers/browser';
import { type CollectorProcess, startCollector } from '../helpers/collector';
import { type FakeVendor, startFakeVendor, VENDOR_ENV } from '../helpers/fake-vendor';
import { forwardFile, secret } from '../helpers/forward';

let browser: Browser;
let collector: CollectorProcess;
let vendor: FakeVendor;

beforeAll(async () => {
  vendor = await startFakeVendor();
  const file = forwardFile({
    destinations: [
      {
        name: 'langfuse',
        format: 'langfuse',
        url: `${vendor.origin}/api/public/scores`,
        headers: { Authorization: `Basic ${secret('LANGFUSE_BASIC_AUTH')}` },
      },
    ],
  });
  [browser, collector] = await Promise.all([
    launchBrowser(),
    startCollector({ env: { ...VENDOR_ENV, FORWARD_FILE: file } }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await collector?.stop();
  await vendor?.close();
});

it('a vote in the chat reaches the fake Langfuse as a score on the answer trace', async () => {
  const t = await openContext(browser);
  try {
    const page = await t.newPage();
    await page.goto(`${collector.origin}/chat`);
    await recordEvents(page, 'feedback:sent');
    await page.getByRole('button', { name: 'How do I reset my password?' }).click();
    const host = page.locator('.message.assistant').last().locator('[data-feedback]');
    await host.waitFor();
    const traceId = await host.getAttribute('data-trace-id');
    expect(traceId).toMatch(/^trace-/);
    const widget = widgetControls(host);
    await widget.down.click();
    await widget.reason('Incomplete').click();
    await widget.textbox.fill('It skips the e-mail step.');
    await widget.send.click();
    await expect.poll(async () => (await recordedEvents(page, 'feedback:sent')).length).toBe(1);

    const [score] = await vendor.waitFor(1);
    expect(score?.headers.authorization).toBe(`Basic ${VENDOR_ENV.LANGFUSE_BASIC_AUTH}`);
    expect(score?.body).toEqual({
      id: expect.any(String),
      traceId,
      name: 'user-feedback',
      value: 0,
      dataType: 'NUMERIC',
      comment: 'Incomplete: It skips the e-mail step.',
    });
    expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  } finally {
    await t.close();
  }
});
