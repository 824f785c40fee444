// Screenshots of the real inbox for the README: `npm run build`, then `npx tsx scripts/screenshots.ts`.
// Starts a collector on a fresh PGlite directory with forwarding to two local vendors (one
// refuses), seeds votes over HTTP as widgets and teammates would, and photographs the inbox,
// the attention ranking and the figures in Chromium into docs/; then the widget's states on
// the demo's help-center article: offered, the follow-up, thanks, kept for a retry, refused.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createCollector } from '../collector/src/collector';
import { demoHandler } from '../demo/server';
import { launchBrowser, widgetControls } from '../test/helpers/browser';
import { seedInbox, TEAM_TOKEN } from './inbox-seed';

const DOCS = new URL('../docs/', import.meta.url).pathname;

/** A vendor API that takes every delivery, or refuses each with 401 like a wrong key. */
async function vendor(refuse: boolean): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(refuse ? 401 : 201, { 'Content-Type': 'application/json' });
      response.end(refuse ? '{"error":"bad credentials: the API key was revoked"}' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function shoot(page: Page, name: string): Promise<void> {
  // The caret does not blink into the picture, and the last announcement has gone.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.locator('.toast:empty').waitFor({ state: 'attached', timeout: 10_000 });
  await page.screenshot({ path: join(DOCS, name) });
  console.log(`docs/${name}`);
}

const dir = mkdtempSync(join(tmpdir(), 'inbox-screenshots-'));
const [accepting, refusing] = await Promise.all([vendor(false), vendor(true)]);
const forwardFile = join(dir, 'forward.json');
writeFileSync(
  forwardFile,
  JSON.stringify({
    destinations: [
      { name: 'langfuse', format: 'langfuse', url: `${accepting.origin}/api/public/scores` },
      {
        name: 'crm',
        format: 'event',
        url: `${refusing.origin}/feedback`,
        when: { rating: ['down'] },
      },
    ],
  }),
);
const collector = createCollector({
  port: 0,
  dataDir: join(dir, 'data'),
  adminToken: TEAM_TOKEN,
  forwardFile,
  traceUrl: 'https://cloud.langfuse.com/project/support-bot/traces/{trace_id}',
  rateLimit: 0,
  readRateLimit: 0,
  logDestination: { write: () => {} },
  // The demo's pages in front, for the widget's pictures on its article.
  wrap: (inner) => demoHandler(inner, undefined),
});
const { url } = await collector.listen();
const origin = url.replace(/\/$/, '');
const browser = await launchBrowser();
try {
  const focus = await seedInbox(origin);
  mkdirSync(DOCS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: scheme,
      httpCredentials: { username: 'dana', password: TEAM_TOKEN },
    });
    const page = await context.newPage();
    await page.goto(`${origin}/dashboard?id=${encodeURIComponent(focus)}`);
    await page
      .getByRole('region', { name: 'Vote' })
      .getByRole('heading', { level: 3, name: 'Activity' })
      .waitFor();
    await page.getByRole('checkbox', { name: /^Select: The SSO steps/ }).check();
    await page.getByRole('checkbox', { name: /^Select: Export link/ }).check();
    await shoot(page, scheme === 'light' ? 'inbox.png' : 'inbox-dark.png');
    await context.close();
  }
  const context = await browser.newContext({
    viewport: { width: 1280, height: 720 },
    colorScheme: 'light',
    httpCredentials: { username: 'dana', password: TEAM_TOKEN },
  });
  const page = await context.newPage();
  await page.goto(`${origin}/dashboard?view=attention`);
  await page.getByRole('table').waitFor();
  await shoot(page, 'inbox-attention.png');
  await page.goto(`${origin}/dashboard?view=figures`);
  await page.getByRole('heading', { name: 'Latest failures' }).waitFor();
  await page.locator('.chart canvas').first().waitFor();
  await page.getByRole('option', { name: 'Last 7 days' }).waitFor({ state: 'attached' });
  await page.getByLabel('Period').selectOption('7d');
  await page.waitForTimeout(500);
  await shoot(page, 'inbox-figures.png');
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(`${origin}/dashboard?q=${encodeURIComponent('rating:down')}`);
  await page.getByRole('list', { name: 'Votes' }).waitFor();
  await shoot(page, 'inbox-320.png');
  await context.close();

  const article = await browser.newContext({ viewport: { width: 760, height: 900 } });
  const reader = await article.newPage();
  await reader.goto(`${origin}/article`);
  const footer = reader.locator('.article-footer');
  const widget = widgetControls(reader.locator('[data-feedback]'));
  await widget.down.waitFor();
  await footer.screenshot({ path: join(DOCS, 'widget.png') });
  await widget.down.click();
  await widget.reason('Incorrect').click();
  await widget.textbox.fill('Step 3 says 30 minutes; my link expired after five.');
  await reader.mouse.move(0, 0);
  await footer.screenshot({ path: join(DOCS, 'widget-follow-up.png') });
  await widget.send.click();
  await widget.status.filter({ hasText: 'Thanks' }).waitFor();
  await footer.screenshot({ path: join(DOCS, 'widget-thanks.png') });
  console.log('docs/widget.png, docs/widget-follow-up.png, docs/widget-thanks.png');
  await article.close();

  // What a vote says when the endpoint is down (kept for a retry) and when it refuses it.
  for (const [status, text, name] of [
    [503, 'Saved', 'widget-queued.png'],
    [400, 'Sorry', 'widget-failed.png'],
  ] as const) {
    const context = await browser.newContext({ viewport: { width: 760, height: 900 } });
    const page = await context.newPage();
    await page.route('**/api/feedback', (route) =>
      route.fulfill({ status, contentType: 'application/json', body: '{"error":"—"}' }),
    );
    await page.goto(`${origin}/article`);
    const controls = widgetControls(page.locator('[data-feedback]'));
    await controls.up.click();
    await controls.reason('Clear steps').click();
    await controls.send.click();
    await controls.status.filter({ hasText: text }).waitFor();
    await page.mouse.move(0, 0);
    await page.locator('.article-footer').screenshot({ path: join(DOCS, name) });
    console.log(`docs/${name}`);
    await context.close();
  }
} finally {
  await browser.close();
  await collector.close();
  accepting.server.close();
  refusing.server.close();
  rmSync(dir, { recursive: true, force: true });
}
