import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { launchBrowser, openContext, type TestContext } from './browser';
import { lateBound } from './hooks';
import { type RecordingServer, startRecordingServer } from './recording-server';

/**
 * The hooks of a real-browser test file: one Chromium for the file, and a fresh context (own
 * storage, watched for problems) for each test, handed to `use` before the test runs and closed
 * after it. Separate from browser.ts, which the bench imports outside Vitest.
 */
export function useBrowser(use: (t: TestContext) => void | Promise<void>): void {
  let browser: Browser | undefined;
  let t: TestContext | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    t = await openContext(browser as Browser);
    await use(t);
  });
  afterEach(async () => {
    await t?.close();
  });
}

export interface BrowserTest {
  server: RecordingServer;
  t: TestContext;
}

/**
 * `useBrowser` plus a fresh recording server for each test, which `prepare` may give pages
 * before `use` receives both.
 */
export function useBrowserAndServer(
  use: (current: BrowserTest) => void,
  prepare?: (server: RecordingServer) => void,
): void {
  let server: RecordingServer | undefined;
  beforeEach(async () => {
    server = await startRecordingServer();
    // Chromium asks for it on its own; an answer keeps "Failed to load resource" out of the console.
    server.page('/favicon.ico', '', { 'Content-Type': 'image/x-icon' });
    prepare?.(server);
  });
  afterEach(async () => {
    await server?.close();
  });
  useBrowser((t) => use({ server: server as RecordingServer, t }));
}

/**
 * `useBrowserAndServer` for a file that names the server and context once: what it returns
 * stands for the current test's.
 *
 * @example
 * const { server, t } = useBrowserTest();
 */
export function useBrowserTest(prepare?: (server: RecordingServer) => void): BrowserTest {
  let current: BrowserTest | undefined;
  useBrowserAndServer((now) => {
    current = now;
  }, prepare);
  return {
    server: lateBound('useBrowserTest()’s server', () => current?.server),
    t: lateBound('useBrowserTest()’s context', () => current?.t),
  };
}
