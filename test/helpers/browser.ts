import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { type Messages, messagesFor } from '../../widget/i18n';

/** Debian's Chromium: browser downloads are not possible on the machines the tests run on. */
export const CHROMIUM = '/usr/bin/chromium';

/** One headless Chromium per test file; each test gets its own context (clean storage). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** What went wrong in any page of a context, as a person with the devtools open would see. */
export interface Problems {
  /** `console.error` texts, including the browser's own ("Refused to …", "Failed to load …"). */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections. */
  pageErrors: string[];
  /** `securitypolicyviolation` events: `directive blocked-uri`. */
  cspViolations: string[];
}

export interface TestContext {
  context: BrowserContext;
  problems: Problems;
  /** A new tab in this context, watched for problems. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

const CSP_BINDING = '__feedbackTestCsp';

/**
 * A fresh browser context (own storage and cache) that records every problem of its pages;
 * `options` as Playwright takes them (e.g. `httpCredentials` for the inbox's Basic sign-in).
 */
export async function openContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<TestContext> {
  const context = await browser.newContext(options);
  const problems: Problems = { consoleErrors: [], pageErrors: [], cspViolations: [] };
  // A binding, not page state: a report survives the page closing, and CSP cannot block it.
  await context.exposeBinding(CSP_BINDING, (_source, text: string) => {
    problems.cspViolations.push(text);
  });
  await context.addInitScript((name: string) => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as Record<string, (text: string) => void>)[name];
      report?.(`${event.effectiveDirective} ${event.blockedURI} ${event.sample}`.trim());
    });
  }, CSP_BINDING);
  context.on('page', (page) => {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      problems.consoleErrors.push(text);
      if (/Content Security Policy|Trusted Type/i.test(text)) problems.cspViolations.push(text);
    });
    page.on('pageerror', (error) => problems.pageErrors.push(String(error)));
  });
  return {
    context,
    problems,
    newPage: () => context.newPage(),
    close: () => context.close(),
  };
}

/** Whether `locator`'s element is the focused one of its (shadow) root. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const root = element.getRootNode() as Document | ShadowRoot;
    return root.activeElement === element;
  });
}

/** Starts recording `type` events that reach `document` (they bubble and are composed). */
export async function recordEvents(page: Page, type: string): Promise<void> {
  await page.evaluate((name) => {
    const store = window as unknown as Record<string, unknown[]>;
    const list: unknown[] = [];
    store[`__events:${name}`] = list;
    document.addEventListener(name, (event) => {
      const detail = (event as CustomEvent).detail as Record<string, unknown> | undefined;
      // Errors do not survive structured cloning to the test; keep what they say.
      const error = detail?.error;
      list.push(
        error instanceof Error
          ? { ...detail, error: { name: error.name, message: error.message } }
          : detail,
      );
    });
  }, type);
}

/** The details of the `type` events recorded so far. */
export function recordedEvents<T = Record<string, unknown>>(
  page: Page,
  type: string,
): Promise<T[]> {
  return page.evaluate(
    (name) => ((window as unknown as Record<string, unknown[]>)[`__events:${name}`] ?? []) as T[],
    type,
  );
}

/** Where the widget keeps each vote until it is answered (shared by every tab of an origin). */
const OUTBOX_PREFIX = 'feedback-widget:outbox:';

/**
 * Resolves once the page's origin has no vote left to send: each was answered (accepted or
 * dropped) and removed, none waits for a retry or for its open follow-up. No request about
 * them can come later, so a test may count requests then; unlike a pause, a retry however
 * late keeps this waiting. Not for pages whose storage fails (the outbox is in memory then).
 */
export async function outboxDrained(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (prefix) => !Object.keys(localStorage).some((key) => key.startsWith(prefix)),
    OUTBOX_PREFIX,
    { polling: 20, timeout },
  );
}

/** Resolves after the page rendered a frame: mutation observers and their mounts have run. */
export function nextFrame(page: Page): Promise<void> {
  return page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve))),
  );
}

/** A widget's controls inside `host` (the mount element), found by role and accessible name. */
export function widgetControls(host: Locator, messages: Messages = messagesFor('en')) {
  const button = (name: string) => host.getByRole('button', { name, exact: true });
  return {
    host,
    group: host.getByRole('group', { name: messages.prompt }),
    up: button(messages.up),
    down: button(messages.down),
    neutral: button(messages.neutral),
    status: host.getByRole('status'),
    textbox: host.getByRole('textbox', { name: messages.more }),
    send: button(messages.send),
    skip: button(messages.skip),
    /** A reason choice, whether offered as a toggle button or a radio. */
    reason: (name: string) => button(name).or(host.getByRole('radio', { name, exact: true })),
  };
}

/** How many pixels of the canvases in `container` uPlot painted. */
export function paintedPixels(container: Locator): Promise<number> {
  return container.evaluate((element) => {
    let painted = 0;
    for (const canvas of element.querySelectorAll('canvas')) {
      const context = canvas.getContext('2d');
      if (!context || !canvas.width || !canvas.height) continue;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      for (let alpha = 3; alpha < data.length; alpha += 4) if (data[alpha]) painted += 1;
    }
    return painted;
  });
}
