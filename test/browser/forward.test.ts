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
import { type CollectorProcess, send, startCollector } from '../helpers/collector';
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
      // Refused by the fake vendor (401), so the inbox has a failure to show.
      { name: 'events-no-key', format: 'event', url: `${vendor.origin}/api/feedback` },
    ],
  });
  [browser, collector] = await Promise.all([
    launchBrowser(),
    startCollector({ demo: true, env: { ...VENDOR_ENV, FORWARD_FILE: file } }),
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

    await vendor.waitFor(2);
    const score = vendor.requests.find((request) => request.path === '/api/public/scores');
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

it("the inbox's figures show each destination's counts and the latest failure with its answer", async () => {
  const vote = {
    id: 'dashboard-vote',
    rating: 'up',
    sentiment: 'positive',
    value: 100,
    scale: { min: -100, max: 100 },
    trace_id: 'trace-dashboard',
    page_url: `${collector.origin}/chat`,
    locale: 'en',
    created_at: new Date().toISOString(),
  };
  expect((await send(`${collector.origin}/api/feedback`, { body: vote })).status).toBe(201);
  await expect
    .poll(async () => {
      const { body } = await send(`${collector.origin}/api/deliveries?feedback_id=dashboard-vote`);
      return body.items.map((item: { status: string }) => item.status).sort();
    })
    .toEqual(['delivered', 'failed']);
  const { body: stats } = await send(`${collector.origin}/api/deliveries/stats`);
  const t = await openContext(browser);
  try {
    const page = await t.newPage();
    await page.goto(`${collector.origin}/dashboard?view=figures`);
    const section = page.getByRole('region', { name: 'Forwarding' });
    for (const entry of stats.destinations) {
      const cells = section.getByRole('row', { name: entry.destination }).getByRole('cell');
      await expect
        .poll(async () => (await cells.allTextContents()).slice(0, 3))
        .toEqual([entry.delivered, entry.pending, entry.failed].map(String));
    }
    const failure = section.getByRole('listitem').first();
    expect(await failure.textContent()).toContain('bad credentials');
    expect(await failure.textContent()).toContain('events-no-key · HTTP 401');
    expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  } finally {
    await t.close();
  }
});
