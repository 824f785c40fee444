// @vitest-environment node
// The inbox as a support lead uses it all day (audit, SPEC §12): the keyboard never loses its
// place, a failing collector is said and forgotten once it answers, hostile texts read as
// written, and every state passes axe.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seriousFindings } from '../helpers/axe';
import { isFocused, launchBrowser, openContext, type TestContext } from '../helpers/browser';
import { type Collector, openStorage, send, type TestStorage } from '../helpers/collector';
import { detail, headlines, inboxTeam, rows } from '../helpers/inbox';

const TOKEN = 'inbox-audit-test-token-0123456789';
const basic = (user: string, password = TOKEN) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
/** Generous: two cores are shared by several browser suites. */
const POLL = { timeout: 10_000 };

let browser: Browser | undefined;
let t: TestContext;
let storage: TestStorage | undefined;
let collector: Collector | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  t = await openContext(browser as Browser, {
    httpCredentials: { username: 'dana', password: TOKEN },
  });
  storage = await openStorage('pglite');
  collector = await storage.start({ adminToken: TOKEN });
});
afterEach(async () => {
  await t?.close();
  await collector?.close();
  await storage?.stop();
  collector = storage = undefined;
});

const origin = () => (collector as Collector).url.replace(/\/$/, '');
const { vote, patch, stored } = inboxTeam(origin, basic, 'audit');

async function openInbox(
  path = '',
  width = 1280,
  before?: (page: Page) => Promise<void>,
): Promise<Page> {
  const page = await t.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewportSize({ width, height: 800 });
  await before?.(page);
  await page.goto(`${origin()}/dashboard${path}`);
  return page;
}

const banner = (page: Page) => page.locator('p.problem[role="alert"]');

async function said(page: Page, text: string) {
  await expect.poll(() => page.getByRole('status').textContent(), POLL).toBe(text);
}

/** The page's refresh, now: what it does every 4 s and when the tab is seen again. */
function refresh(page: Page) {
  return page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
}

/**
 * The page's refresh, and its list's answer read: every announcement it could cause is made
 * by the next frame after that.
 */
async function refreshed(page: Page) {
  const answered = page.waitForResponse(
    (response) => new URL(response.url()).pathname === '/api/feedback',
  );
  await refresh(page);
  await (await answered).finished();
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
}

/** Keeps every text the polite region takes from the page's start on: one said twice is there twice. */
async function recordSayings(page: Page) {
  await page.addInitScript(() => {
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    let last = '';
    new MutationObserver(() => {
      const text = document.querySelector('[role="status"]')?.textContent ?? '';
      if (text !== last && text !== '') said.push(text);
      last = text;
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

const sayings = (page: Page) => page.evaluate(() => (window as unknown as { said: string[] }).said);

/** Whether the focus fell to <body>, where the next Tab and screen reader start over. */
const focusLost = (page: Page) => page.evaluate(() => document.activeElement === document.body);

function expectNoProblems() {
  expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
}

/** The browser logs each refused request; what matters is that nothing else went wrong. */
function expectOnlyRefusals() {
  expect(t.problems.pageErrors).toEqual([]);
  expect(t.problems.cspViolations).toEqual([]);
  for (const text of t.problems.consoleErrors) expect(text).toMatch(/^Failed to load resource/);
}

describe('the focus', () => {
  it('stays on Next when it reaches the last page', async () => {
    for (let index = 0; index < 53; index++) await vote({ comment: `page ${index}` });
    const page = await openInbox();
    await expect.poll(() => rows(page).count(), POLL).toBe(50);
    const next = page.getByRole('button', { name: 'Next' });
    await next.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => rows(page).count(), POLL).toBe(3);
    expect(await next.getAttribute('aria-disabled')).toBe('true');
    expect(await isFocused(next)).toBe(true);
    await page.keyboard.press('Enter');
    expect(await rows(page).count()).toBe(3);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => rows(page).count(), POLL).toBe(50);
    expect(await isFocused(page.getByRole('button', { name: 'Previous' }))).toBe(true);
    expectNoProblems();
  });

  it('goes on to Resolve from "Select all N matching", and to the list from Clear', async () => {
    for (let index = 0; index < 52; index++) await vote({ comment: `match ${index}` });
    const page = await openInbox();
    await expect.poll(() => rows(page).count(), POLL).toBe(50);
    await page.getByRole('checkbox', { name: 'Select every vote on this page' }).check();
    await page.getByRole('button', { name: 'Select all 52 matching' }).press('Enter');
    await said(page, 'All 52 votes matching this search selected.');
    const toolbar = page.locator('.toolbar');
    expect(await isFocused(toolbar.getByRole('button', { name: 'Resolve', exact: true }))).toBe(
      true,
    );
    await toolbar.getByRole('button', { name: 'Clear' }).press('Enter');
    await said(page, 'Selection cleared.');
    await expect.poll(() => isFocused(rows(page).first().getByRole('link')), POLL).toBe(true);
    expect(await focusLost(page)).toBe(false);
    expectNoProblems();
  });

  it('goes on to the next row when a teammate resolves the focused one', async () => {
    await vote({ comment: 'three' });
    const taken = await vote({ comment: 'two' });
    await vote({ comment: 'one' });
    const page = await openInbox();
    await expect.poll(() => headlines(page), POLL).toEqual(['one', 'two', 'three']);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    const second = rows(page).nth(1).getByRole('link');
    await expect.poll(() => isFocused(second), POLL).toBe(true);

    await patch(taken, { status: 'resolved' });
    await refresh(page);
    await expect.poll(() => headlines(page), POLL).toEqual(['one', 'three']);
    await expect.poll(() => isFocused(second), POLL).toBe(true);
    expect(await second.getAttribute('aria-current')).toBe('true');
    await detail(page).locator('.comment', { hasText: 'three' }).waitFor();
    await page.keyboard.press('k');
    await expect.poll(() => isFocused(rows(page).first().getByRole('link')), POLL).toBe(true);
    expectNoProblems();
  });
});

describe('the empty list', () => {
  it('on a new collector says no vote came yet, and after a triage that every open one was looked at', async () => {
    const page = await openInbox();
    await page.getByText('No votes yet. They show up here by themselves as people vote.').waitFor();
    const id = await vote({ comment: 'the first one' });
    await refresh(page);
    await expect.poll(() => headlines(page), POLL).toEqual(['the first one']);
    await patch(id, { status: 'spam' });
    await refresh(page);
    await page
      .getByText(
        'No open votes: everything has been looked at. New votes show up here by themselves.',
      )
      .waitFor();
    expect(await page.getByText('No votes yet').count()).toBe(0);
  });
});

describe('the focus, when the list empties', () => {
  it('goes to the vote just resolved with e, which can be reopened', async () => {
    await vote({ comment: 'the last open one' });
    const page = await openInbox();
    await expect.poll(() => headlines(page), POLL).toEqual(['the last open one']);
    await page.keyboard.press('j');
    await expect.poll(() => isFocused(rows(page).first().getByRole('link')), POLL).toBe(true);
    await page.keyboard.press('e');
    await said(page, 'Resolved the vote.');
    await page.getByText('No open votes', { exact: false }).waitFor();
    await expect.poll(() => isFocused(page.locator('#detail-title')), POLL).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await isFocused(detail(page).getByRole('button', { name: 'Reopen' }))).toBe(true);
    expectNoProblems();
  });

  it('goes to the search when a teammate resolves the focused last row and no vote is shown', async () => {
    const id = await vote({ comment: 'taken by kim' });
    const page = await openInbox('', 320);
    await expect.poll(() => headlines(page), POLL).toEqual(['taken by kim']);
    await page.keyboard.press('j');
    await expect.poll(() => isFocused(rows(page).first().getByRole('link')), POLL).toBe(true);
    await patch(id, { status: 'resolved' });
    await refresh(page);
    await page.getByText('No open votes', { exact: false }).waitFor();
    await expect
      .poll(() => isFocused(page.getByRole('searchbox', { name: 'Search feedback' })), POLL)
      .toBe(true);
    expectNoProblems();
  });
});

describe('a failing collector', () => {
  it('says an action it answered 503 until it answers again, without a reload', async () => {
    const id = await vote({ comment: 'Try me during the outage' });
    const page = await openInbox(`?id=${id}`);
    const resolve = detail(page).getByRole('button', { name: 'Resolve', exact: true });
    await resolve.waitFor();
    await page.route('**/api/feedback/*', (route) =>
      route.request().method() !== 'GET'
        ? route.fulfill({
            status: 503,
            headers: { 'Retry-After': '5' },
            contentType: 'application/json',
            body: JSON.stringify({ error: 'The database is not available: retry shortly.' }),
          })
        : route.continue(),
    );
    await resolve.click();
    await expect
      .poll(() => banner(page).textContent(), POLL)
      .toBe('The database is not available: retry shortly.');

    await page.unroute('**/api/feedback/*');
    await refresh(page);
    await expect.poll(() => banner(page).textContent(), POLL).toBe('');
    expect((await stored(id)).status).toBe('open');
    expectOnlyRefusals();
  });

  it('asks to sign in again once the collector no longer takes the password, not for a header', async () => {
    const id = await vote({ comment: 'After the token changed' });
    const page = await openInbox(`?id=${id}`);
    const spam = detail(page).getByRole('button', { name: 'Spam', exact: true });
    await spam.waitFor();
    // What the browser sends once ADMIN_TOKEN has changed under an open tab.
    await page.setExtraHTTPHeaders({ Authorization: basic('dana', 'the-old-token') });
    await spam.click();
    await expect
      .poll(() => banner(page).textContent(), POLL)
      .toBe(
        'The collector no longer accepts your sign-in (was ADMIN_TOKEN changed?): reload the page to sign in again.',
      );
    await expect.poll(() => page.getByRole('list', { name: 'Votes' }).count(), POLL).toBe(1);
    expect((await stored(id)).status).toBe('open');
    expectOnlyRefusals();
  });
});

describe('a search the collector refuses', () => {
  it('is said in an alert, and Export offers no download of it', async () => {
    await vote({ comment: 'still here' });
    const page = await openInbox(`?q=${encodeURIComponent('rating:great')}`);
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'rating:great' }).count(), POLL)
      .toBe(1);
    await page.locator('.export summary').click();
    const menu = page.locator('.export .menu');
    await menu.getByText('The collector refuses this search: correct it to export.').waitFor();
    expect(await menu.getByRole('link').count()).toBe(0);
    expect(await seriousFindings(page)).toEqual([]);

    const box = page.getByRole('searchbox', { name: 'Search feedback' });
    await box.fill('still');
    await box.press('Enter');
    await expect.poll(() => headlines(page), POLL).toEqual(['still here']);
    expect(
      new URL(
        (await menu.getByRole('link').first().getAttribute('href')) as string,
        origin(),
      ).searchParams.get('q'),
    ).toBe('is:open still');
    expectOnlyRefusals();
  });

  it('is not sent again on each refresh, only once the search changes', async () => {
    const id = await vote({ comment: 'still here' });
    const sent: string[] = [];
    const page = await openInbox(
      `?q=${encodeURIComponent('rating:great')}&id=${id}`,
      1280,
      async (tab) => {
        tab.on('request', (request) => {
          const q = new URL(request.url()).searchParams.get('q');
          if (q !== null) sent.push(q);
        });
      },
    );
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'rating:great' }).count(), POLL)
      .toBe(1);
    await detail(page).locator('.comment', { hasText: 'still here' }).waitFor();
    const refused = sent.length;
    expect(sent).toContain('is:open rating:great');
    // The vote beside it is read on every refresh: once its deliveries answer, the list
    // would have been asked too.
    for (let round = 0; round < 3; round++) {
      const answered = page.waitForResponse((response) =>
        response.url().includes('/api/deliveries?'),
      );
      await refresh(page);
      await answered;
    }
    expect(sent.length).toBe(refused);

    const box = page.getByRole('searchbox', { name: 'Search feedback' });
    await box.fill('still');
    await box.press('Enter');
    await expect.poll(() => headlines(page), POLL).toEqual(['still here']);
    const asked = page.waitForRequest(
      (request) => new URL(request.url()).searchParams.get('q') === 'is:open still',
    );
    await refresh(page);
    await asked;
    expectOnlyRefusals();
  });
});

describe('a search', () => {
  it('says how many votes match once, from a ?q= link and after Enter, and not on each refresh', async () => {
    for (const comment of ['apple pie', 'apple tart', 'pear']) await vote({ comment });
    const page = await openInbox('?q=apple', 1280, recordSayings);
    await said(page, '2 votes match this search.');
    await refreshed(page);
    await refreshed(page);
    expect(await sayings(page)).toEqual(['2 votes match this search.']);

    const box = page.getByRole('searchbox', { name: 'Search feedback' });
    await box.fill('pear');
    await box.press('Enter');
    await said(page, '1 vote matches this search.');
    await box.fill('plum');
    await box.press('Enter');
    await said(page, 'No votes match this search.');
    // Enter again asks again: the reader is answered again.
    await box.press('Enter');
    await expect.poll(() => sayings(page), POLL).toHaveLength(4);
    await refreshed(page);
    expect(await sayings(page)).toEqual([
      '2 votes match this search.',
      '1 vote matches this search.',
      'No votes match this search.',
      'No votes match this search.',
    ]);
    expectNoProblems();
  });
});

describe('accessibility', () => {
  it('has no serious axe finding with the export menu open, at full width and at 320 px', async () => {
    await vote({ comment: 'Export me' });
    for (const width of [1280, 320]) {
      const page = await openInbox('', width);
      await expect.poll(() => headlines(page), POLL).toEqual(['Export me']);
      await page.locator('.export summary').click();
      await page.getByRole('link', { name: 'Export CSV' }).waitFor();
      expect(await seriousFindings(page)).toEqual([]);
      await page.close();
    }
    expectNoProblems();
  });
});

describe('the announcement', () => {
  it('leaves the lowest row in sight at 320 px, without a horizontal scroll', async () => {
    for (let index = 0; index < 12; index++) await vote({ comment: `row ${index}` });
    const page = await openInbox('', 320);
    await expect.poll(() => rows(page).count(), POLL).toBe(12);
    const bottom = () =>
      page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await bottom();
    const lowest = rows(page).last();
    await lowest.getByRole('checkbox').check();
    await said(page, 'Selected; 1 vote selected.');
    await bottom();
    const toast = await page.getByRole('status').boundingBox();
    const row = await lowest.boundingBox();
    if (!toast || !row) throw new Error('The announcement or the lowest row is not shown.');
    expect(row.y + row.height).toBeLessThanOrEqual(toast.y);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(320);
    expectNoProblems();
  });
});

describe('the open vote', () => {
  it('stops saying it could not be refreshed at the first refresh the collector answers', async () => {
    const id = await vote({ comment: 'read me again' });
    const page = await openInbox(`?id=${id}`, 1280, (tab) => tab.clock.install());
    await detail(page).locator('.comment', { hasText: 'read me again' }).waitFor();
    // Time stands still: only the refreshes run here happen.
    await page.clock.pauseAt(Date.now() + 1000);
    const failing = `**/api/feedback/${id}`;
    await page.route(failing, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'The database is not available: retry shortly.' }),
      }),
    );
    const stale = detail(page).getByText('Could not refresh the vote', { exact: false });
    // The vote is read again within three refreshes.
    await page.clock.runFor(12_000);
    await stale.waitFor();

    await page.unroute(failing);
    await page.clock.runFor(4_000);
    await stale.waitFor({ state: 'detached' });
    await detail(page).locator('.comment', { hasText: 'read me again' }).waitFor();
    expectOnlyRefusals();
  });
});

describe('hostile texts', () => {
  it('reads a right-to-left comment and note right to left, in the row and the vote', async () => {
    const id = await vote({
      comment: 'الجواب غير مفيد!',
      rating: 'down',
      value: 0,
      sentiment: 'negative',
    });
    await patch(id, { note: 'اتصلت بالعميل.' });
    const page = await openInbox(`?id=${id}`);
    await expect.poll(() => headlines(page), POLL).toEqual(['الجواب غير مفيد!']);
    const rtl = (selector: string) =>
      page.locator(selector).evaluate((element) => element.matches(':dir(rtl)'));
    expect(await rtl('.row .headline')).toBe(true);
    await detail(page).locator('.comment').waitFor();
    expect(await rtl('#detail .comment')).toBe(true);
    expect(await rtl('.activity blockquote')).toBe(true);
    // The page around them stays left to right.
    expect(await rtl('#detail-title')).toBe(false);
    expectNoProblems();
  });

  it('names each row briefly, as a screen reader reads it on each move: its rating once, a 4,900-character comment cut on a whole character', async () => {
    const comment = `${'😡'.repeat(39)}${'long '.repeat(980)}end`;
    const long = await vote({ comment, rating: 'down', value: 0, sentiment: 'negative' });
    await vote({ rating: 'up' });
    const page = await openInbox();
    await expect.poll(() => rows(page).count(), POLL).toBe(2);
    const named = (index: number, name: RegExp) =>
      rows(page).nth(index).getByRole('link', { name }).count();
    // A vote without a comment or a reason leads with its rating, which is not said twice.
    expect(await named(0, /^Helpful help\.example\.com\/a .+ ago$/)).toBe(1);
    expect(
      await named(1, /^Not helpful (?:😡){39}(?:long ){32}l… help\.example\.com\/a .+ ago$/),
    ).toBe(1);
    const select = (await rows(page).nth(1).getByRole('checkbox').getAttribute('aria-label')) ?? '';
    // Cut after 80 characters, the 39 emoji whole.
    expect(select).toBe(`Select: ${'😡'.repeat(39)}${'long '.repeat(8)}l…`);
    await rows(page).nth(1).getByRole('link').click();
    await expect.poll(() => detail(page).locator('.comment').textContent(), POLL).toBe(comment);
    expect((await stored(long)).comment).toBe(comment);
    expectNoProblems();
  });
});

describe('a vote erased while it is open', () => {
  it('is said to be gone once, politely, is read no more, leaves the list and keeps the focus', async () => {
    await vote({ comment: 'kept' });
    const erased = await vote({ comment: 'erase me', user_id: 'user-to-erase' });
    const reads: string[] = [];
    const page = await openInbox(`?id=${erased}`, 1280, async (tab) => {
      await recordSayings(tab);
      await tab.clock.install();
      tab.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname === `/api/feedback/${erased}`) reads.push(url.pathname);
        if (url.searchParams.get('feedback_id') === erased) reads.push(url.href);
      });
    });
    await detail(page).locator('.comment', { hasText: 'erase me' }).waitFor();
    await expect.poll(() => headlines(page), POLL).toEqual(['erase me', 'kept']);
    // Time stands still: only the refreshes run here happen.
    await page.clock.pauseAt(Date.now() + 1000);
    const resolve = detail(page).getByRole('button', { name: 'Resolve', exact: true });
    await resolve.focus();

    const { status, body } = await send(`${origin()}/api/feedback?user_id=user-to-erase`, {
      method: 'DELETE',
      headers: { Authorization: basic('kim') },
    });
    expect([status, body]).toEqual([200, { deleted: 1 }]);
    // The vote is read again within three refreshes.
    await page.clock.runFor(12_000);
    await detail(page).getByText('This vote no longer exists', { exact: false }).waitFor();
    await expect.poll(() => headlines(page), POLL).toEqual(['kept']);
    // The frames the page draws in a second, which the paused clock holds back.
    await page.clock.runFor(1_000);
    expect(await focusLost(page)).toBe(false);

    const readsBefore = reads.length;
    // Six refreshes, each answered: the vote would have been read at two of them.
    for (let round = 0; round < 6; round++) {
      const answered = page.waitForResponse(
        (response) => new URL(response.url()).pathname === '/api/feedback',
      );
      await page.clock.runFor(4_000);
      await answered;
    }
    expect(reads.length).toBe(readsBefore);
    const gone = (await sayings(page)).filter((text) => text.includes('no longer exists'));
    expect(gone).toEqual(['This vote no longer exists: it was erased.']);
    expect(await focusLost(page)).toBe(false);
    expectOnlyRefusals();
  });
});

/** The rows whose checkbox or link the announcement covers, where they are in sight. */
function coveredRows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const toast = document.querySelector('[role="status"]')?.getBoundingClientRect();
    if (!toast || toast.height === 0) throw new Error('The announcement is not shown.');
    const covered = new Set<string>();
    for (const control of document.querySelectorAll('[data-rows] li :is(input, a)')) {
      const box = control.getBoundingClientRect();
      const pane = control.closest('.list-pane')?.getBoundingClientRect();
      // Only what is in sight: inside the list's own scrolled area and the window.
      const top = Math.max(box.top, pane?.top ?? 0, 0);
      const bottom = Math.min(box.bottom, pane?.bottom ?? innerHeight, innerHeight);
      if (bottom <= top) continue;
      const across = box.left < toast.right && box.right > toast.left;
      if (across && top < toast.bottom && bottom > toast.top) {
        covered.add(control.closest('li')?.querySelector('.headline')?.textContent ?? '');
      }
    }
    return [...covered];
  });
}

describe('a long announcement', () => {
  // 64 characters, the longest name an assignee may have.
  const name = 'Maximiliana Wolfeschlegelsteinhausen-Featherstonehaugh Oyelaran';

  for (const width of [1280, 320]) {
    it(`covers no row's controls at ${width} px, and is read whole`, async () => {
      for (let index = 0; index < 30; index++) await vote({ comment: `row ${index}` });
      const page = await openInbox('', width);
      await expect.poll(() => rows(page).count(), POLL).toBe(30);
      await rows(page).last().getByRole('checkbox').check();
      await rows(page).nth(28).getByRole('checkbox').check();
      await page.locator('.toolbar').getByRole('button', { name: 'Assign', exact: true }).click();
      await page.getByLabel('Assignee').fill(name);
      await page.getByRole('dialog').getByRole('button', { name: 'Assign', exact: true }).click();
      const text = `Assigned 2 votes to ${name}.`;
      // The whole text is in the live region, whatever is shown of it.
      await said(page, text);
      // The list as the change left it (its rows show the assignee), before it is scrolled:
      // a refresh still re-drawing it would move the rows after the scroll.
      await expect.poll(() => rows(page).filter({ hasText: name }).count(), POLL).toBe(2);

      await page.evaluate(() => {
        window.scrollTo(0, document.documentElement.scrollHeight);
        const pane = document.querySelector('.list-pane');
        pane?.scrollTo(0, pane.scrollHeight);
      });
      expect(await coveredRows(page)).toEqual([]);
      await page.evaluate(() => {
        window.scrollTo(0, 0);
        document.querySelector('.list-pane')?.scrollTo(0, 0);
      });
      // Beside the list on a wide screen, the announcement covers none of it, wherever it is scrolled.
      if (width === 1280) expect(await coveredRows(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(width);
      expectNoProblems();
    });
  }
});

describe('the page at full width', () => {
  it('scrolls the list in its pane, never the window past it', async () => {
    for (let index = 0; index < 30; index++) await vote({ comment: `row ${index}` });
    const page = await openInbox();
    await expect.poll(() => rows(page).count(), POLL).toBe(30);
    // The bar, the search and the vote stay where they are however long the list.
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBe(800);
    expectNoProblems();
  });
});

describe('a ?q= link with a hostile search', () => {
  it('shows each as text, answered or refused, at 320 px without a horizontal scroll', async () => {
    await vote({ comment: 'a plain vote' });
    const hostile = [
      '<img src=x onerror=alert(1)>',
      '"unclosed <script>alert(1)</script>',
      `nosuchfield:${'x'.repeat(3000)}`,
      '\u202egnp.exe \u0000 is:open\nis:spam',
      `-is:open ${'é'.repeat(500)}`,
    ];
    const page = await openInbox('', 320);
    page.on('dialog', (dialog) => {
      throw new Error(`A dialog opened: ${dialog.message()}`);
    });
    for (const q of hostile) {
      await page.goto(`${origin()}/dashboard?q=${encodeURIComponent(q)}`);
      // Either answered (no vote matches) or refused, the term named under the box.
      await expect
        .poll(
          async () =>
            (await page.locator('#search-error').count()) +
            (await page.getByText('No votes match this search.').count()),
          POLL,
        )
        .toBe(1);
      const box = page.getByRole('searchbox', { name: 'Search feedback' });
      expect(await box.inputValue()).toBe(q.replace(/\n/g, ''));
      expect(await page.locator('img, script:not([src])').count()).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(320);
      expect(await seriousFindings(page)).toEqual([]);
    }
    expectOnlyRefusals();
  });
});

describe('the keys of triage', () => {
  it('type into the search box and a note instead of acting', async () => {
    await vote({ comment: 'older' });
    const id = await vote({ comment: 'typed at' });
    const writes: string[] = [];
    const page = await openInbox(`?id=${id}`, 1280, async (tab) => {
      tab.on('request', (request) => {
        if (request.method() !== 'GET') writes.push(`${request.method()} ${request.url()}`);
      });
    });
    await detail(page).locator('.comment', { hasText: 'typed at' }).waitFor();
    const keys = 'jkxea!/?';
    for (const field of [
      page.getByRole('searchbox', { name: 'Search feedback' }),
      detail(page).getByRole('textbox', { name: 'Note' }),
    ]) {
      await field.focus();
      await page.keyboard.type(keys);
      expect(await field.inputValue()).toBe(keys);
      expect(await isFocused(field)).toBe(true);
      await field.fill('');
    }
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByRole('checkbox', { checked: true }).count()).toBe(0);
    expect(await headlines(page)).toEqual(['typed at', 'older']);
    expect(writes).toEqual([]);
    expect((await stored(id)).status).toBe('open');
    expectNoProblems();
  });
});

describe('accessibility of each state', () => {
  it('has no serious axe finding empty, failing, with a vote open and with the keys open, at 1280 and 320 px', async () => {
    const found: Record<string, string[]> = {};
    for (const width of [1280, 320]) {
      const empty = await openInbox('', width);
      await empty.getByText('No votes yet', { exact: false }).waitFor();
      found[`empty ${width}`] = await seriousFindings(empty);
      await empty.keyboard.press('?');
      await empty.getByRole('dialog').waitFor();
      found[`keys ${width}`] = await seriousFindings(empty);
      await empty.close();

      const failing = await openInbox('', width, async (tab) => {
        await tab.route('**/api/feedback?*', (route) =>
          route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: JSON.stringify({ error: 'The database is not available: retry shortly.' }),
          }),
        );
      });
      await failing.getByText('Could not load the votes', { exact: false }).waitFor();
      found[`failing ${width}`] = await seriousFindings(failing);
      await failing.close();
    }
    const id = await vote({ comment: 'Read me', reason: 'Too long', message_id: 'm-1' });
    await patch(id, { note: 'Called back.', assignee: 'kim' });
    for (const width of [1280, 320]) {
      const open = await openInbox(`?id=${id}`, width);
      await detail(open).locator('.comment', { hasText: 'Read me' }).waitFor();
      await detail(open).getByText('Called back.').waitFor();
      found[`vote ${width}`] = await seriousFindings(open);
      await open.close();
    }
    expect(found).toEqual({
      'empty 1280': [],
      'keys 1280': [],
      'failing 1280': [],
      'empty 320': [],
      'keys 320': [],
      'failing 320': [],
      'vote 1280': [],
      'vote 320': [],
    });
    expectOnlyRefusals();
  });
});

describe('a bulk change to every match of a search', () => {
  it('changes no vote that came to match after they were selected, and says so', async () => {
    const first = await vote({ comment: 'match 0' });
    for (let index = 1; index < 52; index++) await vote({ comment: `match ${index}` });
    const page = await openInbox();
    await expect.poll(() => rows(page).count(), POLL).toBe(50);
    const toolbar = page.locator('.toolbar');
    const everyRow = page.getByRole('checkbox', { name: 'Select every vote on this page' });
    await everyRow.check();
    await toolbar.getByRole('button', { name: 'Select all 52 matching' }).click();
    await said(page, 'All 52 votes matching this search selected.');

    const late = await vote({ comment: 'arrived meanwhile' });
    await refreshed(page);
    await expect
      .poll(() => headlines(page).then((shown) => shown[0]), POLL)
      .toBe('arrived meanwhile');
    expect(await toolbar.locator('.selected').textContent()).toBe('52 votes selected');
    await toolbar.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect
      .poll(() => banner(page).textContent(), POLL)
      .toBe(
        'The search now matches 53 votes, not the 52 selected: nothing was changed. Select all again to act on them.',
      );
    expect((await stored(late)).status).toBe('open');
    expect((await stored(first)).status).toBe('open');

    await everyRow.check();
    await toolbar.getByRole('button', { name: 'Select all 53 matching' }).click();
    await toolbar.getByRole('button', { name: 'Resolve', exact: true }).click();
    await said(page, 'Resolved 53 votes.');
    expect((await stored(late)).status).toBe('resolved');
    expect(await banner(page).textContent()).toBe('');
    expectNoProblems();
  });
});

describe('the counts per status', () => {
  it('follow each change made with the keys, and a search', async () => {
    for (const comment of ['apple one', 'apple two', 'pear three', 'apple four']) {
      await vote({ comment });
    }
    const page = await openInbox();
    const counts = () => page.locator('.tabs .count').allTextContents();
    await expect.poll(counts, POLL).toEqual(['4', '0', '0']);
    await page.keyboard.press('j');
    await page.keyboard.press('e');
    await said(page, 'Resolved the vote.');
    await expect.poll(counts, POLL).toEqual(['3', '1', '0']);
    await expect
      .poll(() => headlines(page), POLL)
      .toEqual(['pear three', 'apple two', 'apple one']);
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.keyboard.press('!');
    await said(page, 'Marked 2 votes as spam.');
    await expect.poll(counts, POLL).toEqual(['1', '1', '2']);

    const box = page.getByRole('searchbox', { name: 'Search feedback' });
    await box.fill('apple');
    await box.press('Enter');
    await expect.poll(counts, POLL).toEqual(['1', '1', '1']);
    await page.getByRole('link', { name: /^Spam/ }).click();
    await expect.poll(() => headlines(page), POLL).toEqual(['apple two']);
    expect(await counts()).toEqual(['1', '1', '1']);
    expectNoProblems();
  });
});

describe('the focus under an announcement', () => {
  it('is scrolled above it at 320 px as j moves down the list', async () => {
    for (let index = 0; index < 30; index++) await vote({ comment: `row ${index}` });
    const page = await openInbox('', 320);
    await expect.poll(() => rows(page).count(), POLL).toBe(30);
    for (let step = 0; step < 9; step++) await page.keyboard.press('j');
    await expect.poll(() => isFocused(rows(page).nth(8).getByRole('link')), POLL).toBe(true);
    await page.keyboard.press('x');
    await said(page, 'Selected; 1 vote selected.');
    // The rows from the lowest in sight on: each comes into sight as the cursor reaches it.
    const hidden: string[] = [];
    for (let step = 9; step < 15; step++) {
      await page.keyboard.press('j');
      const link = rows(page).nth(step).getByRole('link');
      await expect.poll(() => isFocused(link), POLL).toBe(true);
      const toast = await page.getByRole('status').boundingBox();
      const row = await rows(page).nth(step).boundingBox();
      if (!toast || !row) throw new Error('The announcement or the row is not shown.');
      if (row.y + row.height > toast.y) hidden.push(`row ${29 - step}`);
    }
    // Still said (it stays 6 s): what was measured is the focus beside it.
    expect(await page.getByRole('status').textContent()).toBe('Selected; 1 vote selected.');
    expect(hidden).toEqual([]);
    expectNoProblems();
  });
});

describe('long unbroken values at 320 px', () => {
  it('wrap in the row, the vote and the keys, without a horizontal scroll', async () => {
    const long = (prefix: string, length: number) => `${prefix}${'x'.repeat(length)}`;
    const id = await vote({
      comment: long('comment-', 1500),
      reason: long('reason-', 200),
      message_id: long('message-', 100),
      conversation_id: long('conversation-', 100),
      session_id: long('session-', 100),
      user_id: long('user-', 100),
      trace_id: long('trace-', 100),
      page_url: `https://help.example.com/${long('page-', 800)}?${long('q=', 300)}`,
      message_content: long('answer-', 3000),
      metadata: { [long('key-', 60)]: long('value-', 400) },
    });
    await patch(id, { note: long('note-', 1900), assignee: long('name-', 59) });
    const page = await openInbox('', 320);
    await expect.poll(() => rows(page).count(), POLL).toBe(1);
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await width()).toBe(320);
    await rows(page).first().getByRole('link').click();
    await detail(page).locator('.activity blockquote').waitFor();
    expect(await width()).toBe(320);
    await page.keyboard.press('?');
    await page.getByRole('dialog').waitFor();
    expect(await width()).toBe(320);
    expectNoProblems();
  });
});

describe('a change to a vote erased meanwhile', () => {
  it('says the vote is gone in the words of a refresh, once, and takes it out of the list', async () => {
    await vote({ comment: 'kept' });
    const erased = await vote({ comment: 'erase me', user_id: 'user-to-erase' });
    const page = await openInbox(`?id=${erased}`, 1280, async (tab) => {
      await recordSayings(tab);
      await tab.clock.install();
    });
    await detail(page).locator('.comment', { hasText: 'erase me' }).waitFor();
    await expect.poll(() => headlines(page), POLL).toEqual(['erase me', 'kept']);
    // Time stands still: no refresh finds out before the reader acts.
    await page.clock.pauseAt(Date.now() + 1000);
    const { status } = await send(`${origin()}/api/feedback?user_id=user-to-erase`, {
      method: 'DELETE',
      headers: { Authorization: basic('kim') },
    });
    expect(status).toBe(200);

    await detail(page).getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect
      .poll(() => banner(page).textContent(), POLL)
      .toBe('This vote no longer exists: it was erased.');
    await detail(page).getByText('This vote no longer exists: it was erased.').waitFor();
    await expect.poll(() => headlines(page), POLL).toEqual(['kept']);
    // The frames the page draws in a second, which the paused clock holds back.
    await page.clock.runFor(1_000);
    expect(await focusLost(page)).toBe(false);
    expect((await sayings(page)).filter((text) => text.includes('no longer exists'))).toEqual([]);
    expectOnlyRefusals();
  });
});

describe('a refresh that crosses a bulk change', () => {
  it('never shows what it read before the change, and the change is said once the list and counts show it', async () => {
    for (const comment of ['one', 'two', 'three', 'four']) await vote({ comment });
    const page = await openInbox('', 1280, async (tab) => {
      // Every (counts | rows | announcement) the page shows, in order.
      await tab.addInitScript(() => {
        const shown: string[] = [];
        (window as unknown as { shown: string[] }).shown = shown;
        new MutationObserver(() => {
          const counts = [...document.querySelectorAll('.tabs .count')].map((n) => n.textContent);
          const rows = document.querySelectorAll('[data-rows] li').length;
          const said = document.querySelector('[role="status"]')?.textContent ?? '';
          const line = `${counts.join(',')} | ${rows} | ${said}`;
          if (counts.join('') !== '' && rows > 0 && shown.at(-1) !== line) shown.push(line);
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
    });
    const counts = () => page.locator('.tabs .count').allTextContents();
    await expect.poll(counts, POLL).toEqual(['4', '0', '0']);
    await expect.poll(() => rows(page).count(), POLL).toBe(4);

    // The next refresh's list and counts are read now, before the change, and answered after it.
    let release = () => {};
    const released = new Promise<void>((done) => {
      release = done;
    });
    let read = 0;
    let bothRead = () => {};
    const polled = new Promise<void>((done) => {
      bothRead = done;
    });
    await page.route(
      /\/api\/feedback(\/counts)?\?/,
      async (route) => {
        const response = await route.fetch();
        if (++read === 2) bothRead();
        await released;
        await route.fulfill({ response });
      },
      { times: 2 },
    );
    await vote({ comment: 'five, new' });
    await refresh(page);
    await polled;

    await rows(page).nth(0).getByRole('checkbox').check();
    await rows(page).nth(1).getByRole('checkbox').check();
    const answered = page.waitForResponse((response) => response.url().endsWith('/bulk'));
    await page.locator('.toolbar').getByRole('button', { name: 'Resolve', exact: true }).click();
    await (await answered).finished();
    release();
    await said(page, 'Resolved 2 votes.');
    await expect.poll(counts, POLL).toEqual(['3', '2', '0']);

    const shown = await page.evaluate(() => (window as unknown as { shown: string[] }).shown);
    const each = (part: number) => [...new Set(shown.map((line) => line.split(' | ')[part]))];
    // Straight from before the change to after it: never the 5 open votes read before it.
    expect(each(0)).toEqual(['4,0,0', '3,2,0']);
    expect(each(1)).toEqual(['4', '3']);
    expect(shown.filter((line) => line.endsWith('Resolved 2 votes.'))).toEqual([
      '3,2,0 | 3 | Resolved 2 votes.',
    ]);
    expectNoProblems();
  });
});

describe('Export', () => {
  it('names no count the download may not hold: a vote posted since the last refresh is in it', async () => {
    await vote({ comment: 'first' });
    await vote({ comment: 'second' });
    const page = await openInbox('', 1280, (tab) => tab.clock.install());
    await expect.poll(() => headlines(page), POLL).toEqual(['second', 'first']);
    // Time stands still: no refresh shows the vote posted next before the download.
    await page.clock.pauseAt(Date.now() + 1000);
    await vote({ comment: 'third, since the refresh' });

    await page.getByText('Export', { exact: true }).click();
    const menu = page.locator('details.export .menu');
    expect(await menu.locator('p').textContent()).toBe(
      'Every vote the search matches when the download starts',
    );
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const text = await readFile((await csv.path()) as string, 'utf8');
    const table: Record<string, string>[] = parse(text, { columns: true });
    expect(table.map((row) => row.comment)).toEqual([
      'third, since the refresh',
      'second',
      'first',
    ]);
    // The frame the announcement waits for, which the paused clock holds back.
    await page.clock.runFor(100);
    await said(page, 'Downloading every vote matching this search as CSV.');
    expect(await headlines(page)).toEqual(['second', 'first']);
    expectNoProblems();
  });
});

describe('a key that asks for the state a vote already has', () => {
  it('says nothing changed, and changes nothing', async () => {
    await vote({ comment: 'still open' });
    const done = await vote({ comment: 'done already' });
    await patch(done, { status: 'resolved' });
    const before = (await stored(done)).activity;
    const page = await openInbox('?q=is:resolved');
    await expect.poll(() => headlines(page), POLL).toEqual(['done already']);
    await page.keyboard.press('j');
    await detail(page).locator('.comment', { hasText: 'done already' }).waitFor();
    await page.keyboard.press('e');
    await said(page, 'The vote already was resolved: nothing changed.');
    expect((await stored(done)).activity).toEqual(before);
    expectNoProblems();
  });
});

describe('a change to a vote a teammate changed since the page last read it', () => {
  /** What is said, while time stands still: the frames the page waits for are run as it polls. */
  async function saidWhilePaused(page: Page, text: string) {
    await expect
      .poll(async () => {
        await page.clock.runFor(50);
        return page.getByRole('status').textContent();
      }, POLL)
      .toBe(text);
  }

  /** Opens the inbox at `path` with the vote under the cursor, then stops its clock. */
  async function openOn(path: string, comment: string) {
    const page = await openInbox(path, 1280, (tab) => tab.clock.install());
    await expect.poll(() => headlines(page), POLL).toContain(comment);
    await page.keyboard.press('j');
    await detail(page).locator('.comment', { hasText: comment }).waitFor();
    // Time stands still: no refresh shows the teammate's change before the reader acts.
    await page.clock.pauseAt(Date.now() + 1000);
    return page;
  }

  it('says the vote already was resolved when the teammate resolved it, and keeps their activity only', async () => {
    const id = await vote({ comment: 'resolved by kim meanwhile' });
    const page = await openOn('', 'resolved by kim meanwhile');
    await patch(id, { status: 'resolved' });
    const before = (await stored(id)).activity;
    await page.keyboard.press('e');
    await saidWhilePaused(page, 'The vote already was resolved: nothing changed.');
    expect((await stored(id)).activity).toEqual(before);
    expectNoProblems();
  });

  it('resolves a vote the list shows resolved when the teammate reopened it, and says so', async () => {
    const id = await vote({ comment: 'reopened by kim meanwhile' });
    await patch(id, { status: 'resolved' });
    const page = await openOn('?q=is:resolved', 'reopened by kim meanwhile');
    await patch(id, { status: 'open' });
    await page.keyboard.press('e');
    await saidWhilePaused(page, 'Resolved the vote.');
    const { status, activity } = await stored(id);
    expect(status).toBe('resolved');
    expect(activity.at(-1)).toMatchObject({ actor: 'dana', action: 'status', to: 'resolved' });
    expectNoProblems();
  });

  it('says the vote already was assigned when the teammate assigned it to the same name', async () => {
    const id = await vote({ comment: 'assigned by kim meanwhile' });
    const page = await openOn('', 'assigned by kim meanwhile');
    await patch(id, { assignee: 'lee' });
    await page.keyboard.press('a');
    // The frame after which the dialog opens, which the paused clock holds back.
    await page.clock.runFor(50);
    const dialog = page.getByRole('dialog', { name: 'Assign the vote' });
    await dialog.getByLabel('Assignee').fill('lee');
    await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
    await saidWhilePaused(page, 'The vote already was assigned to lee: nothing changed.');
    expect((await stored(id)).activity).toHaveLength(1);
    expectNoProblems();
  });
});

describe('a ticked row a refresh takes out of the list', () => {
  it('is deselected, which is said: the count and Spam are for the ticked rows still shown', async () => {
    const kept = await vote({ comment: 'ticked, still open' });
    const gone = await vote({ comment: 'ticked, resolved by kim' });
    const page = await openInbox();
    await expect
      .poll(() => headlines(page), POLL)
      .toEqual(['ticked, resolved by kim', 'ticked, still open']);
    await rows(page).nth(0).getByRole('checkbox').check();
    await rows(page).nth(1).getByRole('checkbox').check();
    await said(page, 'Selected; 2 votes selected.');
    await patch(gone, { status: 'resolved' });
    await refreshed(page);
    await expect.poll(() => headlines(page), POLL).toEqual(['ticked, still open']);
    await said(page, 'A selected vote left this page and was deselected; 1 vote selected.');
    expect(await page.locator('.toolbar .selected').textContent()).toBe('1 vote selected');
    await page.locator('.toolbar').getByRole('button', { name: 'Spam', exact: true }).click();
    await said(page, 'Marked 1 vote as spam.');
    expect((await stored(gone)).status).toBe('resolved');
    expect((await stored(kept)).status).toBe('spam');
    expectNoProblems();
  });
});

describe('another page', () => {
  it('says the selection it drops is cleared', async () => {
    for (let index = 0; index < 53; index++) await vote({ comment: `page ${index}` });
    const page = await openInbox();
    await expect.poll(() => rows(page).count(), POLL).toBe(50);
    await rows(page).nth(0).getByRole('checkbox').check();
    await rows(page).nth(1).getByRole('checkbox').check();
    await said(page, 'Selected; 2 votes selected.');
    await page.getByRole('button', { name: 'Next' }).click();
    await said(page, 'Selection cleared: each page starts its own.');
    await expect.poll(() => rows(page).count(), POLL).toBe(3);
    expect(await page.locator('.toolbar .selected').count()).toBe(0);
    expectNoProblems();
  });
});

describe('the page of the list', () => {
  /** Posts `count` votes, `page 0` oldest: pages hold 50, newest first. */
  async function votesFor(count: number) {
    for (let index = 0; index < count; index++) await vote({ comment: `page ${index}` });
  }
  const pageParam = (page: Page) => new URL(page.url()).searchParams.get('page');
  const firstHeadline = async (page: Page) => (await headlines(page))[0];
  const range = (page: Page) => page.getByRole('navigation', { name: 'Pages' }).locator('span');

  it('is in the address: a reload, a shared link, Back and Forward show it, a new search starts at the first', async () => {
    await votesFor(120);
    const page = await openInbox();
    await expect.poll(() => firstHeadline(page), POLL).toBe('page 119');
    const next = page.getByRole('button', { name: 'Next' });
    await next.click();
    await expect.poll(() => firstHeadline(page), POLL).toBe('page 69');
    expect(pageParam(page)).toBe('2');
    await next.click();
    await expect.poll(() => firstHeadline(page), POLL).toBe('page 19');
    expect(pageParam(page)).toBe('3');

    await page.reload();
    await expect.poll(() => firstHeadline(page), POLL).toBe('page 19');
    expect(await rows(page).count()).toBe(20);
    expect(await range(page).textContent()).toBe('101–120 of 120');
    // The keys work on the page shown, as on the first.
    await page.keyboard.press('j');
    await detail(page).locator('.comment', { hasText: 'page 19' }).waitFor();
    await page.keyboard.press('x');
    await said(page, 'Selected; 1 vote selected.');
    // The row's own link reopens this page with the vote.
    const href = await rows(page).nth(0).getByRole('link').getAttribute('href');
    expect(new URLSearchParams(href ?? '').get('page')).toBe('3');

    await page.goBack();
    await expect.poll(() => firstHeadline(page), POLL).toBe('page 69');
    expect(pageParam(page)).toBe('2');
    expect(await page.locator('.toolbar .selected').count()).toBe(0);
    await page.goBack();
    await expect.poll(() => firstHeadline(page), POLL).toBe('page 119');
    expect(pageParam(page)).toBe(null);
    await page.goForward();
    await expect.poll(() => firstHeadline(page), POLL).toBe('page 69');

    const shared = await t.newPage();
    await shared.goto(`${origin()}/dashboard?page=3`);
    await expect.poll(() => firstHeadline(shared), POLL).toBe('page 19');

    const box = page.getByRole('searchbox', { name: 'Search feedback' });
    await box.fill('page');
    await box.press('Enter');
    await expect.poll(() => firstHeadline(page), POLL).toBe('page 119');
    expect(pageParam(page)).toBe(null);
    expect(new URL(page.url()).searchParams.get('q')).toBe('page');
    expectNoProblems();
  });

  it.each([
    // A value that reads as a page is left as it is; one past the end is corrected to the last.
    ['abc', 'page 119', 'abc'],
    ['-1', 'page 119', '-1'],
    ['0', 'page 119', '0'],
    ['2.5', 'page 69', '2.5'],
    ['999999', 'page 19', '3'],
    ['1e400', 'page 19', '3'],
  ])(
    'page=%s opens the nearest page that holds votes, %j first (page=%s)',
    async (asked, first, after) => {
      await votesFor(120);
      const page = await openInbox(`?page=${asked}`);
      await expect.poll(() => firstHeadline(page), POLL).toBe(first);
      await expect.poll(() => pageParam(page), POLL).toBe(after);
      expect(await banner(page).textContent()).toBe('');
      expect(await page.locator('.problem-inline').count()).toBe(0);
      expectNoProblems();
    },
  );

  it('past the end of a search that matches nothing is the first, and its address says so', async () => {
    await votesFor(1);
    const page = await openInbox(`?q=nothing-matches&page=4`);
    await page.locator('.empty', { hasText: 'No votes match this search.' }).waitFor();
    await expect.poll(() => pageParam(page), POLL).toBe(null);
    expectNoProblems();
  });
});

describe('the focus, when what held it leaves', () => {
  it('goes back to Export from a download, and to the list from a bulk Assign', async () => {
    await vote({ comment: 'first' });
    await vote({ comment: 'second' });
    const page = await openInbox();
    await expect.poll(() => headlines(page), POLL).toEqual(['second', 'first']);
    await page.getByText('Export', { exact: true }).click();
    await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(await isFocused(page.getByText('Export', { exact: true }))).toBe(true);

    await page.getByRole('checkbox', { name: 'Select every vote on this page' }).check();
    await page.locator('.toolbar').getByRole('button', { name: 'Assign', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Assign 2 votes' });
    await dialog.getByRole('combobox', { name: 'Assignee' }).fill('sam');
    await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
    await said(page, 'Assigned 2 votes to sam.');
    await expect.poll(() => isFocused(page.locator('[data-row-link]').first()), POLL).toBe(true);
    expectNoProblems();
  });

  it('goes to the rows of the page Back returns to, and to the votes of a subject from Attention', async () => {
    for (let index = 0; index < 55; index++) {
      await vote({
        comment: `vote ${index}`,
        message_id: 'm-7',
        rating: 'down',
        sentiment: 'negative',
        value: 0,
      });
    }
    const page = await openInbox('?q=message%3Am-7');
    await expect.poll(() => rows(page).count(), POLL).toBe(50);
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => headlines(page), POLL).toHaveLength(5);
    await page.keyboard.press('j');
    await page.goBack();
    await expect.poll(() => rows(page).count(), POLL).toBe(50);
    await expect.poll(() => isFocused(page.locator('[data-row-link]').first()), POLL).toBe(true);

    await page.getByRole('link', { name: 'Attention' }).click();
    await page.getByRole('link', { name: 'm-7' }).click();
    await expect.poll(() => rows(page).count(), POLL).toBe(50);
    await expect.poll(() => isFocused(page.locator('[data-row-link]').first()), POLL).toBe(true);
    // One entry in the history for the step: Back shows the ranking, and Back again the list.
    await page.goBack();
    expect(new URL(page.url()).searchParams.get('view')).toBe('attention');
    await page.goBack();
    expect(new URL(page.url()).searchParams.get('view')).toBe(null);
    expectNoProblems();
  });
});

describe('Attention and Figures', () => {
  it('take the focus on their heading when entered by their tab, Back or Forward, never leaving it on <body>', async () => {
    await vote({ comment: 'first' });
    const page = await openInbox();
    await expect.poll(() => headlines(page), POLL).toEqual(['first']);
    const heading = (name: string) => page.getByRole('heading', { name, exact: true, level: 1 });
    const focusedOn = (name: string) =>
      expect.poll(() => isFocused(heading(name)), POLL).toBe(true);
    await page.getByRole('link', { name: 'Attention' }).click();
    await focusedOn('Attention');
    await page.getByRole('link', { name: 'Figures' }).click();
    await focusedOn('Figures');
    await page.goBack();
    await focusedOn('Attention');
    await page.goBack();
    await expect.poll(() => isFocused(page.locator('[data-row-link]').first()), POLL).toBe(true);
    await page.goForward();
    await focusedOn('Attention');
    await page.goForward();
    await focusedOn('Figures');
    // Focused by the page only: Tab does not stop on it.
    expect(await heading('Figures').getAttribute('tabindex')).toBe('-1');
    expectNoProblems();
  });

  it('name their days UTC days, as they count them, for a reader whose own day is another', async () => {
    // 10:00 on 2 March for a reader in Kiritimati (UTC+14), still 1 March in UTC.
    const now = '2026-03-01T20:00:00.000Z';
    // 22:00 on 1 March there, the reader's yesterday: a vote of 1 March in UTC all the same.
    await vote({ created_at: '2026-03-01T08:00:00.000Z' });
    // The days of each figures' request, each once: the refresh asks for them again.
    const asked = new Set<string>();
    const page = await openInbox('?view=figures', 1280, async (tab) => {
      const cdp = await tab.context().newCDPSession(tab);
      await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Pacific/Kiritimati' });
      await tab.clock.setFixedTime(now);
      tab.on('request', (request) => {
        const url = new URL(request.url());
        const { pathname, searchParams: days } = url;
        if (pathname === '/api/feedback/stats') asked.add(`${days.get('from')} ${days.get('to')}`);
      });
    });
    expect(await page.evaluate(() => new Date().toString())).toMatch(/^Mon Mar 02 2026 10:00/);
    const totals = page.getByRole('region', { name: 'Totals' });
    await expect.poll(() => totals.locator('dd').first().textContent(), POLL).toBe('1');
    const period = page.getByRole('combobox', { name: 'Period' });
    const chosen = () =>
      period.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.text);
    expect(await period.getByRole('option').allTextContents()).toEqual([
      'Today (UTC)',
      'Last 7 days (UTC)',
      'Last 30 days (UTC)',
      'All time',
    ]);
    expect(await chosen()).toBe('Today (UTC)');
    expect([...asked]).toEqual(['2026-03-01 2026-03-01']);
    await page.getByRole('region', { name: 'Positive rate by day (UTC)', exact: true }).waitFor();

    await period.selectOption({ label: 'Last 7 days (UTC)' });
    expect(await chosen()).toBe('Last 7 days (UTC)');
    await expect
      .poll(() => [...asked], POLL)
      .toEqual(['2026-03-01 2026-03-01', '2026-02-23 2026-03-01']);
    expectNoProblems();
  });
});

describe('a note', () => {
  it('is added with the focus kept on Add note, and an empty one is refused where it is written', async () => {
    const id = await vote({ comment: 'Needs a note' });
    const page = await openInbox(`?id=${id}`);
    const activity = detail(page).getByRole('region', { name: 'Activity' });
    const note = activity.getByRole('textbox', { name: 'Note' });
    const add = activity.getByRole('button', { name: 'Add note' });
    await note.fill('   ');
    await add.click();
    expect(await isFocused(note)).toBe(true);
    expect(await note.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#note-error').textContent()).toBe('Write the note first.');

    await note.fill('Called the customer back.');
    await add.click();
    await said(page, 'Added a note to the vote.');
    expect(await isFocused(add)).toBe(true);
    expect(await note.inputValue()).toBe('');
    await expect
      .poll(() => activity.locator('blockquote').allTextContents(), POLL)
      .toEqual(['Called the customer back.']);
    expect((await stored(id)).activity).toEqual([
      expect.objectContaining({ actor: 'dana', action: 'note', note: 'Called the customer back.' }),
    ]);
    expectNoProblems();
  });
});
