// @vitest-environment node
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seriousFindings } from '../helpers/axe';
import {
  isFocused,
  launchBrowser,
  openContext,
  paintedPixels,
  type TestContext,
} from '../helpers/browser';
import {
  type Backend,
  type Collector,
  minimalEvent,
  openStorage,
  send,
  type TestStorage,
} from '../helpers/collector';
import { type FakeVendor, startFakeVendor } from '../helpers/fake-vendor';
import { forwardFile } from '../helpers/forward';
import { detail, headlines, inboxTeam, votesList as list, rows } from '../helpers/inbox';

/** The team's token; the browser signs in as "dana" with it, the seeding calls as "kim". */
const TOKEN = 'inbox-browser-test-token-0123456789';
const basic = (user: string) => `Basic ${Buffer.from(`${user}:${TOKEN}`).toString('base64')}`;
/** Generous: two cores are shared by several browser suites. */
const POLL = { timeout: 10_000 };

let browser: Browser | undefined;
let t: TestContext;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
// Signed in as a teammate would be: HTTP Basic, which the browser then sends with every
// request of the page, its downloads included.
beforeEach(async () => {
  t = await openContext(browser as Browser, {
    httpCredentials: { username: 'dana', password: TOKEN },
  });
});
afterEach(async () => {
  await t?.close();
});

let storage: TestStorage | undefined;
let collector: Collector | undefined;
let vendor: FakeVendor | undefined;
afterEach(async () => {
  await collector?.close();
  await storage?.stop();
  await vendor?.close();
  collector = storage = vendor = undefined;
});

/** Where the tests that follow store their votes. */
let database: Backend = 'pglite';

/** A collector of its own for one test, its routes the team's (`ADMIN_TOKEN`). */
async function startInbox(options: Parameters<TestStorage['start']>[0] = {}): Promise<string> {
  storage = await openStorage(database);
  collector = await storage.start({ adminToken: TOKEN, ...options });
  return collector.url.replace(/\/$/, '');
}

const origin = () => (collector as Collector).url.replace(/\/$/, '');
const { vote, patch, stored } = inboxTeam(origin, basic, 'vote');

/** Opens the inbox at `path`, signed in as dana, at a width and in a colour scheme. */
async function openInbox(
  path = '',
  options: {
    width?: number;
    scheme?: 'light' | 'dark';
    /** The collector's `basePath`, when it has one. */
    base?: string;
    before?: (page: Page) => Promise<void>;
  } = {},
): Promise<Page> {
  const page = await t.newPage();
  // Within the test's own timeout, so a step that cannot happen names itself.
  page.setDefaultTimeout(10_000);
  await page.setViewportSize({ width: options.width ?? 1280, height: 800 });
  await page.emulateMedia({ colorScheme: options.scheme ?? 'light' });
  await options.before?.(page);
  await page.goto(`${origin()}${options.base ?? ''}/dashboard${path}`);
  return page;
}

const status = (page: Page) => page.getByRole('status');

function expectNoProblems() {
  expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
}

async function said(page: Page, text: string) {
  await expect.poll(() => status(page).textContent(), POLL).toBe(text);
}

// What the database answers (lists, searches, changes, exports, attention, figures), on both;
// what only the page decides (its paths, accessibility, small screens), on PGlite.
describe.each<Backend>(['pglite', 'postgres'])('on %s', (backend) => {
  beforeAll(() => {
    database = backend;
  });
  afterAll(() => {
    database = 'pglite';
  });

  describe('the list', () => {
    it('opens on the open votes, newest first, with how many each status holds', async () => {
      await startInbox();
      await vote({ comment: 'oldest open' });
      const done = await vote({ comment: 'resolved one' });
      const junk = await vote({ comment: 'spam one' });
      await vote({ comment: 'newest open' });
      await patch(done, { status: 'resolved' });
      await patch(junk, { status: 'spam' });

      const page = await openInbox();
      await expect.poll(() => headlines(page), POLL).toEqual(['newest open', 'oldest open']);
      const tabs = page.getByRole('navigation', { name: 'Status' });
      await expect
        .poll(() => tabs.getByRole('link').allTextContents(), POLL)
        .toEqual(['Open2', 'Resolved1', 'Spam1']);
      expect(await tabs.getByRole('link', { name: 'Open 2' }).getAttribute('aria-current')).toBe(
        'page',
      );

      await tabs.getByRole('link', { name: /^Resolved/ }).click();
      await expect.poll(() => headlines(page), POLL).toEqual(['resolved one']);
      expect(await page.getByRole('searchbox', { name: 'Search feedback' }).inputValue()).toBe(
        'is:resolved',
      );
      expect(new URL(page.url()).searchParams.get('q')).toBe('is:resolved');
      expectNoProblems();
    });

    it('shows a comment with markup as the text that was typed', async () => {
      await startInbox();
      const markup = '<img src="/nothing.png" data-injected><b data-injected>bold</b>';
      const id = await vote({ comment: markup, reason: '<i data-injected>why</i>' });
      const page = await openInbox(`?id=${id}`);
      await expect.poll(() => headlines(page), POLL).toEqual([markup]);
      await detail(page).getByText(markup).waitFor();
      expect(await page.locator('[data-injected]').count()).toBe(0);
      expectNoProblems();
    });

    it('shows a vote posted while the page is open within 5 s, without a reload', async () => {
      await startInbox();
      await vote({ comment: 'already there' });
      // The page's own clock, so its refresh runs on the 5 s given, not on a loaded machine's.
      const page = await openInbox('', { before: (tab) => tab.clock.install() });
      await expect.poll(() => headlines(page), POLL).toEqual(['already there']);
      await vote({ comment: 'arrived live', created_at: new Date().toISOString() });
      await page.evaluate(() => {
        (window as unknown as { loadedOnce: boolean }).loadedOnce = true;
      });
      await page.clock.runFor(5_000);
      await expect.poll(() => headlines(page), POLL).toEqual(['arrived live', 'already there']);
      expect(
        await page.evaluate(() => (window as unknown as { loadedOnce: boolean }).loadedOnce),
      ).toBe(true);
      expectNoProblems();
    });
  });

  describe('the search', () => {
    it('lists only what the search matches, puts it in the address, and ?q= opens the same view', async () => {
      await startInbox();
      await vote({
        rating: 'down',
        value: 0,
        sentiment: 'negative',
        comment: 'SSO fails with Okta',
      });
      await vote({ rating: 'up', comment: 'SSO works great' });
      await vote({ rating: 'down', value: 0, sentiment: 'negative', comment: 'Export is broken' });
      const page = await openInbox();
      await expect.poll(() => headlines(page), POLL).toHaveLength(3);

      const box = page.getByRole('searchbox', { name: 'Search feedback' });
      await box.fill('sso rating:down');
      await box.press('Enter');
      await expect.poll(() => headlines(page), POLL).toEqual(['SSO fails with Okta']);
      expect(new URL(page.url()).searchParams.get('q')).toBe('sso rating:down');

      const shared = await openInbox(`?q=${encodeURIComponent('-rating:down')}`);
      await expect.poll(() => headlines(shared), POLL).toEqual(['SSO works great']);
      expect(await shared.getByRole('searchbox', { name: 'Search feedback' }).inputValue()).toBe(
        '-rating:down',
      );

      await page.goBack();
      await expect.poll(() => headlines(page), POLL).toHaveLength(3);
      expect(await box.inputValue()).toBe('');
      expectNoProblems();
    });

    it('names a term the collector refuses under the box, and keeps the page working', async () => {
      await startInbox();
      await vote({ comment: 'still here' });
      const page = await openInbox();
      await expect.poll(() => headlines(page), POLL).toEqual(['still here']);
      const box = page.getByRole('searchbox', { name: 'Search feedback' });
      await box.fill('rating:great');
      await box.press('Enter');
      const error = page.locator('#search-error');
      await expect.poll(() => error.textContent(), POLL).toContain('rating:great');
      expect(await box.getAttribute('aria-invalid')).toBe('true');
      expect(await box.getAttribute('aria-describedby')).toBe('search-error');

      await box.fill('still');
      await box.press('Enter');
      await expect.poll(() => headlines(page), POLL).toEqual(['still here']);
      expect(await error.count()).toBe(0);
      // The refusal is the collector's answer (400), which the browser logs; nothing else went wrong.
      expect(t.problems.pageErrors).toEqual([]);
      expect(t.problems.cspViolations).toEqual([]);
    });
  });

  describe('one record', () => {
    it('?id= opens every field, the rated text, the reason by key and label, the page and TRACE_URL links, its deliveries with Retry and its activity', async () => {
      vendor = await startFakeVendor();
      // Refused like a revoked key, until the vendor is fixed and the delivery retried.
      vendor.answer = () => ({ status: 401, body: '{"error":"bad credentials"}' });
      await startInbox({
        traceUrl: 'https://tracing.example.com/project/7/traces/{trace_id}?tab=feedback',
        forwardFile: forwardFile({
          destinations: [
            {
              name: 'events-no-key',
              format: 'event',
              url: `${vendor.origin}/api/feedback`,
              headers: { Authorization: 'Bearer event-key' },
            },
          ],
        }),
      });
      const id = await vote({
        rating: 'down',
        value: 0,
        sentiment: 'negative',
        reason: 'Falsch',
        reason_key: 'incorrect',
        comment: 'The steps are for the old admin page.',
        conversation_id: 'conv-77',
        message_id: 'msg-42',
        user_id: 'user-9',
        trace_id: 'run/42 b',
        message_content: 'Open Settings, then Security, then\nSingle sign-on.',
        page_url: 'https://help.example.com/sso/okta',
        metadata: { plan: 'team' },
      });
      await patch(id, { assignee: 'kim', note: 'Checking with the SSO team.' });
      await expect
        .poll(async () => {
          const { body } = await send(`${origin()}/api/deliveries?feedback_id=${id}`, {
            headers: { Authorization: basic('kim') },
          });
          return body.items.map((item: { status: string }) => item.status);
        }, POLL)
        .toEqual(['failed']);

      const page = await openInbox(`?id=${id}`);
      const record = detail(page);
      await record.getByRole('heading', { name: /Not helpful/ }).waitFor();
      expect(await record.getByText('Assigned to kim').count()).toBe(1);
      expect(await record.locator('.comment').textContent()).toBe(
        'The steps are for the old admin page.',
      );
      const field = (name: string) =>
        record.locator('.fields > div').filter({ has: page.locator('dt', { hasText: name }) });
      expect(await field('Reason').locator('dd').textContent()).toBe('Falsch incorrect');
      expect(await field('Page').getByRole('link').getAttribute('href')).toBe(
        'https://help.example.com/sso/okta',
      );
      expect(await field('Conversation').getByRole('link').getAttribute('href')).toBe(
        '?q=conversation%3Aconv-77',
      );
      expect(await record.getByRole('region', { name: 'Rated message' }).textContent()).toBe(
        'Rated messageOpen Settings, then Security, then\nSingle sign-on.',
      );
      expect(
        await field('Trace').getByRole('link', { name: 'Open the trace' }).getAttribute('href'),
      ).toBe('https://tracing.example.com/project/7/traces/run%2F42%20b?tab=feedback');
      expect(await field('Message').textContent()).toContain('msg-42');
      expect(await field('User').textContent()).toContain('user-9');
      expect(await field('Score').locator('dd').textContent()).toBe('0 of 10');
      expect(await field('Metadata').locator('pre').textContent()).toBe('{\n  "plan": "team"\n}');

      const activity = record.getByRole('region', { name: 'Activity' });
      expect(await activity.getByRole('listitem').allTextContents()).toEqual([
        expect.stringMatching(/^Received/),
        expect.stringMatching(/^kim assigned it to kim/),
        expect.stringMatching(/^kim added a note.*Checking with the SSO team\.$/),
      ]);

      const deliveries = record.getByRole('region', { name: 'Deliveries' });
      const failed = await deliveries.getByRole('listitem').textContent();
      expect(failed).toContain('1 attempt · HTTP 401');
      expect(failed).toContain('{"error":"bad credentials"}');
      vendor.answer = () => ({ status: 201 });
      await deliveries.getByRole('button', { name: 'Retry the delivery to events-no-key' }).click();
      await said(page, 'Delivery to events-no-key queued again.');
      // Its button left with the failure: the focus is on the list it was in, not on <body>.
      await expect
        .poll(() => isFocused(deliveries.getByRole('heading', { name: 'Deliveries' })), POLL)
        .toBe(true);
      await expect
        .poll(() => deliveries.getByRole('listitem').locator('.chip').textContent(), POLL)
        .toBe('Delivered');
      expectNoProblems();
    });

    it('Resolve, Reopen, Spam and Assign change its state, each announced and kept as activity by the signed-in name', async () => {
      await startInbox();
      const id = await vote({ comment: 'Handle me' });
      const page = await openInbox(`?id=${id}`);
      const record = detail(page);
      const button = (name: string) => record.getByRole('button', { name, exact: true });
      await button('Resolve').waitFor();
      expect(await button('Reopen').getAttribute('aria-disabled')).toBe('true');

      await button('Resolve').click();
      await said(page, 'Resolved the vote.');
      // Inert now, but still where the reader's focus is.
      expect(await button('Resolve').getAttribute('aria-disabled')).toBe('true');
      expect(await isFocused(button('Resolve'))).toBe(true);
      await expect.poll(() => button('Reopen').getAttribute('aria-disabled'), POLL).toBeNull();
      await button('Reopen').click();
      await said(page, 'Reopened the vote.');
      await expect.poll(() => button('Spam').getAttribute('aria-disabled'), POLL).toBeNull();
      await button('Spam').click();
      await said(page, 'Marked the vote as spam.');

      await button('Assign').click();
      const dialog = page.getByRole('dialog', { name: 'Assign the vote' });
      await dialog.getByRole('combobox', { name: 'Assignee' }).fill('lee');
      await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
      await said(page, 'Assigned the vote to lee.');
      expect(await dialog.count()).toBe(0);

      const saved = await stored(id);
      expect(saved).toMatchObject({ status: 'spam', assignee: 'lee' });
      expect(
        saved.activity.map((entry: { actor: string; action: string; to?: string }) => [
          entry.actor,
          entry.action,
          entry.to,
        ]),
      ).toEqual([
        ['dana', 'status', 'resolved'],
        ['dana', 'status', 'open'],
        ['dana', 'status', 'spam'],
        ['dana', 'assignee', 'lee'],
      ]);
      await expect
        .poll(() => record.getByRole('region', { name: 'Activity' }).textContent(), POLL)
        .toContain('dana assigned it to lee');
      expectNoProblems();
    });
  });

  describe('a failed refresh', () => {
    it('keeps the record shown, with what was being typed in its note, and says the refresh failed', async () => {
      await startInbox();
      const id = await vote({ comment: 'The export is empty.' });
      const page = await openInbox(`?id=${id}`);
      const record = detail(page);
      await record.getByRole('heading', { name: /Helpful/ }).waitFor();
      const note = record.getByRole('textbox', { name: 'Note' });
      await note.fill('Looking into it');
      // From now on every read of the record fails; its change still goes through.
      await page.route(`**/api/feedback/${id}`, (route) =>
        route.request().method() === 'GET'
          ? route.fulfill({ status: 503, body: '{"error":"Busy."}' })
          : route.continue(),
      );
      await record.getByRole('button', { name: 'Resolve' }).click();
      await expect
        .poll(() => record.locator('.problem-inline').textContent(), POLL)
        .toContain('Could not refresh the vote');
      expect(await record.getByRole('heading', { name: /Helpful/ }).count()).toBe(1);
      expect(await note.inputValue()).toBe('Looking into it');
    });
  });

  describe('keyboard triage', () => {
    it('j and k move, e resolves and moves on, x selects, ! marks the selection as spam, / searches, ? lists the keys', async () => {
      await startInbox();
      const [first, second, third, fourth] = [
        await vote({ comment: 'four' }),
        await vote({ comment: 'three' }),
        await vote({ comment: 'two' }),
        await vote({ comment: 'one' }),
      ];
      const page = await openInbox();
      await expect.poll(() => headlines(page), POLL).toEqual(['one', 'two', 'three', 'four']);
      const link = (index: number) => rows(page).nth(index).getByRole('link');

      await page.keyboard.press('j');
      await expect.poll(() => isFocused(link(0)), POLL).toBe(true);
      await page.keyboard.press('j');
      await expect.poll(() => isFocused(link(1)), POLL).toBe(true);
      expect(await link(1).getAttribute('aria-current')).toBe('true');
      await detail(page).locator('.comment', { hasText: 'two' }).waitFor();
      await page.keyboard.press('k');
      await page.keyboard.press('j');
      await expect.poll(() => isFocused(link(1)), POLL).toBe(true);

      await page.keyboard.press('e');
      await said(page, 'Resolved the vote.');
      await expect.poll(() => headlines(page), POLL).toEqual(['one', 'three', 'four']);
      await expect.poll(() => isFocused(link(1)), POLL).toBe(true);
      expect((await stored(third)).status).toBe('resolved');

      await page.keyboard.press('x');
      await said(page, 'Selected; 1 vote selected.');
      await page.keyboard.press('j');
      await page.keyboard.press('x');
      await said(page, 'Selected; 2 votes selected.');
      await page.keyboard.press('!');
      await said(page, 'Marked 2 votes as spam.');
      await expect.poll(() => headlines(page), POLL).toEqual(['one']);
      expect([(await stored(second)).status, (await stored(first)).status]).toEqual([
        'spam',
        'spam',
      ]);
      expect((await stored(fourth)).status).toBe('open');

      await page.keyboard.press('/');
      await expect
        .poll(() => isFocused(page.getByRole('searchbox', { name: 'Search feedback' })), POLL)
        .toBe(true);
      await page.keyboard.press('Escape');
      await page.keyboard.press('?');
      const keys = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await keys.waitFor();
      const listed = await keys.getByRole('rowheader').allTextContents();
      for (const key of ['j↓', 'k↑', 'x', 'e', '!', '/', '?']) expect(listed).toContain(key);
      await expect
        .poll(() => keys.getByRole('row').filter({ hasText: 'Esc' }).textContent(), POLL)
        .toContain('go back from the open vote to the list');
      await page.keyboard.press('Escape');
      await keys.waitFor({ state: 'hidden' });
      expectNoProblems();
    });
  });

  describe('bulk', () => {
    it('ticked rows are resolved, assigned and marked as spam together, each announced', async () => {
      await startInbox();
      const ids = [
        await vote({ comment: 'a' }),
        await vote({ comment: 'b' }),
        await vote({ comment: 'c' }),
      ];
      const page = await openInbox();
      await expect.poll(() => headlines(page), POLL).toEqual(['c', 'b', 'a']);
      await page.getByRole('checkbox', { name: 'Select: c' }).check();
      await page.getByRole('checkbox', { name: 'Select: a' }).check();
      const toolbar = page.locator('.toolbar');
      expect(await toolbar.getByText('2 votes selected').count()).toBe(1);

      await toolbar.getByRole('button', { name: 'Assign', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Assign 2 votes' });
      await dialog.getByRole('combobox', { name: 'Assignee' }).fill('dana');
      await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
      await said(page, 'Assigned 2 votes to dana.');

      await page.getByRole('checkbox', { name: 'Select: c' }).check();
      await page.getByRole('checkbox', { name: 'Select: b' }).check();
      await toolbar.getByRole('button', { name: 'Resolve', exact: true }).click();
      await said(page, 'Resolved 2 votes.');
      await expect.poll(() => headlines(page), POLL).toEqual(['a']);

      await page.getByRole('checkbox', { name: 'Select every vote on this page' }).check();
      await toolbar.getByRole('button', { name: 'Spam', exact: true }).click();
      await said(page, 'Marked 1 vote as spam.');
      const states = await Promise.all(ids.map(stored));
      expect(states.map((record) => [record.status, record.assignee])).toEqual([
        ['spam', 'dana'],
        ['resolved', undefined],
        ['resolved', 'dana'],
      ]);
      expectNoProblems();
    });

    it('"Select all N matching" resolves every vote of the search, beyond the page', async () => {
      await startInbox();
      for (let index = 0; index < 53; index++)
        await vote({ comment: `bulk ${index}`, locale: 'fr' });
      await vote({ comment: 'other language', locale: 'de' });
      const page = await openInbox(`?q=${encodeURIComponent('locale:fr')}`);
      await expect.poll(() => rows(page).count(), POLL).toBe(50);
      await page.getByRole('checkbox', { name: 'Select every vote on this page' }).check();
      await page.getByRole('button', { name: 'Select all 53 matching' }).click();
      await said(page, 'All 53 votes matching this search selected.');
      await page.locator('.toolbar').getByRole('button', { name: 'Resolve', exact: true }).click();
      await said(page, 'Resolved 53 votes.');
      await expect
        .poll(() => page.locator('.empty').textContent(), POLL)
        .toBe('No votes match this search.');
      const { body } = await send(`${origin()}/api/feedback/counts?q=locale%3Afr`, {
        headers: { Authorization: basic('kim') },
      });
      expect(body).toEqual({ open: 0, resolved: 53, spam: 0 });
      expectNoProblems();
    });
  });

  describe('pages', () => {
    it('a new page starts a new selection, and emptying the last page shows the one before', async () => {
      await startInbox();
      for (let index = 0; index < 53; index++)
        await vote({ comment: `page ${index}`, locale: 'es' });
      const page = await openInbox(`?q=${encodeURIComponent('locale:es')}`);
      await expect.poll(() => rows(page).count(), POLL).toBe(50);
      const everyRow = page.getByRole('checkbox', { name: 'Select every vote on this page' });
      const next = page.getByRole('button', { name: 'Next' });
      await next.click();
      await expect.poll(() => rows(page).count(), POLL).toBe(3);
      await everyRow.check();
      await page.getByRole('button', { name: 'Previous' }).click();
      await expect.poll(() => rows(page).count(), POLL).toBe(50);
      expect(await everyRow.isChecked()).toBe(false);
      expect(await page.getByRole('button', { name: 'Clear' }).count()).toBe(0);
      await next.click();
      await expect.poll(() => rows(page).count(), POLL).toBe(3);
      await everyRow.check();
      await page.locator('.toolbar').getByRole('button', { name: 'Resolve', exact: true }).click();
      await said(page, 'Resolved 3 votes.');
      await expect.poll(() => rows(page).count(), POLL).toBe(50);
      expect(await page.locator('.empty').count()).toBe(0);
      expectNoProblems();
    });
  });

  describe('export', () => {
    it('downloads the current search as CSV and as JSONL', async () => {
      await startInbox();
      await vote({
        comment: '=HYPERLINK("http://evil")',
        rating: 'down',
        value: 0,
        sentiment: 'negative',
      });
      await vote({
        comment: 'fine, "quoted", and\nmultiline',
        rating: 'down',
        value: 0,
        sentiment: 'negative',
      });
      await vote({ comment: 'not in the search' });
      const page = await openInbox(`?q=${encodeURIComponent('rating:down')}`);
      await expect.poll(() => headlines(page), POLL).toHaveLength(2);
      await page.getByText('Export', { exact: true }).click();

      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      await said(page, 'Downloading every vote matching this search as CSV.');
      expect(csv.suggestedFilename()).toMatch(/\.csv$/);
      const table: Record<string, string>[] = parse(
        await readFile((await csv.path()) as string, 'utf8'),
        { columns: true },
      );
      expect(table.map((row) => row.comment)).toEqual([
        'fine, "quoted", and\nmultiline',
        // The formula guard: a spreadsheet shows it as text instead of running it.
        '\'=HYPERLINK("http://evil")',
      ]);

      await page.getByText('Export', { exact: true }).click();
      const [jsonl] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export JSONL' }).click(),
      ]);
      const lines = (await readFile((await jsonl.path()) as string, 'utf8')).trim().split('\n');
      expect(lines.map((line) => JSON.parse(line).comment)).toEqual([
        'fine, "quoted", and\nmultiline',
        '=HYPERLINK("http://evil")',
      ]);
      expectNoProblems();
    });
  });

  describe('attention', () => {
    it('ranks the messages by the lower bound of their down share and links each to its votes', async () => {
      await startInbox();
      const recent = () => new Date(Date.now() - 60_000).toISOString();
      const cast = async (message: string, down: number, up: number) => {
        for (let index = 0; index < down + up; index++) {
          const rating = index < down ? 'down' : 'up';
          await vote({
            message_id: message,
            rating,
            value: rating === 'down' ? 0 : 1,
            sentiment: rating === 'down' ? 'negative' : 'positive',
            reason_key: rating === 'down' ? 'incorrect' : undefined,
            created_at: recent(),
          });
        }
      };
      // 5 of 5 is the higher share, 16 of 20 the surer one: the lower bound ranks it first.
      await cast('msg-all-down', 5, 0);
      await cast('msg-mostly-down', 16, 4);
      await cast('msg-all-up', 0, 5);
      const page = await openInbox('?view=attention');
      const table = page.getByRole('table', { name: 'Subjects by down share' });
      await expect
        .poll(() => table.getByRole('rowheader').allTextContents(), POLL)
        .toEqual(['msg-mostly-down', 'msg-all-down', 'msg-all-up']);
      const cells = (row: number) =>
        table
          .getByRole('row')
          .nth(row)
          .getByRole('cell')
          .allTextContents()
          .then((texts) => texts.map((text) => text.trim()));
      expect(await cells(1)).toEqual([
        '20',
        '80% (16)',
        '58.4%',
        'no votes',
        'incorrect',
        expect.any(String),
      ]);
      expect((await cells(2)).slice(0, 3)).toEqual(['5', '100% (5)', '56.6%']);
      // No vote on it gave a reason: said in words, never as if a reason were called "none".
      expect((await cells(3))[4]).toBe('no reason given');
      await table.getByRole('link', { name: 'msg-mostly-down' }).click();
      await expect.poll(() => rows(page).count(), POLL).toBe(20);
      expect(new URL(page.url()).searchParams.get('q')).toBe('message:msg-mostly-down -is:spam');
      expectNoProblems();
    });
  });

  describe('figures', () => {
    it("shows today's totals, both charts and the top reasons", async () => {
      await startInbox();
      const today = new Date().toISOString();
      await vote({ created_at: today });
      await vote({
        created_at: today,
        rating: 'down',
        value: 0,
        sentiment: 'negative',
        reason: 'Unclear',
        reason_key: 'unclear',
      });
      const page = await openInbox('?view=figures');
      const totals = page.getByRole('region', { name: 'Totals' });
      await expect
        .poll(
          () =>
            totals.evaluate((region) =>
              [...region.querySelectorAll('dt')].map(
                (term) => `${term.textContent}: ${term.nextElementSibling?.textContent}`,
              ),
            ),
          POLL,
        )
        .toEqual([
          'Votes: 2',
          'Helpful: 1',
          'Not helpful: 1',
          'Neutral: 0',
          'Positive rate: 50%',
          'Mean score (0–10): 5',
        ]);
      for (const chart of ['Positive rate by day', 'Score distribution (0–10)']) {
        await expect
          .poll(() => paintedPixels(page.getByRole('region', { name: chart })), POLL)
          .toBeGreaterThan(100);
      }
      const reasons = page.getByRole('region', { name: 'Top reasons' });
      expect(await reasons.getByRole('row', { name: 'Unclear 1 50%' }).count()).toBe(1);
      expectNoProblems();
    });
  });
});

describe('under BASE_PATH', () => {
  it('reaches its files and the API below the base path', async () => {
    await startInbox({ basePath: '/feedback' });
    const id = 'vote-under-base';
    const { status } = await send(`${origin()}/feedback/api/feedback`, {
      body: minimalEvent(id, { comment: 'under a base path' }),
    });
    expect(status).toBe(201);
    const page = await openInbox('', { base: '/feedback' });
    await expect.poll(() => headlines(page), POLL).toEqual(['under a base path']);
    await rows(page).first().getByRole('link').click();
    await detail(page).locator('.comment', { hasText: 'under a base path' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/feedback/dashboard');
    expectNoProblems();
  });
});

/** How far the page scrolls sideways: 0 when everything fits the width. */
const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Whether the focus is inside an open dialog (not fallen to <body> behind it). */
const focusInDialog = (page: Page) =>
  page.evaluate(() => document.activeElement?.closest('dialog[open]') != null);

describe('focus, dialogs and recovery', () => {
  it('a failed Assign keeps the focus in the dialog, and Escape closes it leaving the selection as it was', async () => {
    await startInbox();
    await vote({ comment: 'Assign me' });
    const page = await openInbox();
    await expect.poll(() => headlines(page), POLL).toEqual(['Assign me']);
    await page.keyboard.press('j');
    await expect.poll(() => isFocused(rows(page).first().getByRole('link')), POLL).toBe(true);
    await page.keyboard.press('x');
    await said(page, 'Selected; 1 vote selected.');
    await page.keyboard.press('a');
    const dialog = page.getByRole('dialog', { name: 'Assign 1 vote' });
    await dialog.waitFor();
    // A blank name passes `required`: it is refused in the reader's words, not the collector's.
    await page.keyboard.type('   ');
    await page.keyboard.press('Tab');
    expect(await isFocused(dialog.getByRole('button', { name: 'Assign', exact: true }))).toBe(true);
    await page.keyboard.press('Enter');
    expect(await dialog.getByRole('alert').textContent()).toBe(
      'Write a name to assign, or choose Unassign.',
    );
    expect(await focusInDialog(page)).toBe(true);

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByRole('checkbox', { name: 'Select: Assign me' }).isChecked()).toBe(true);
    expect(await page.locator('.toolbar').getByText('1 vote selected').count()).toBe(1);
    // The refusal was the dialog's: not left behind on the page, once the dialog's close
    // event (a task after it is hidden) has run.
    await expect.poll(() => page.locator('p.problem[role="alert"]').textContent(), POLL).toBe('');
    expectNoProblems();
  });

  it('no shortcut acts behind an open dialog, wherever the focus is', async () => {
    await startInbox();
    const id = await vote({ comment: 'Behind the dialog' });
    const page = await openInbox();
    await expect.poll(() => headlines(page), POLL).toEqual(['Behind the dialog']);
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await said(page, 'Selected; 1 vote selected.');
    await page.keyboard.press('a');
    const dialog = page.getByRole('dialog', { name: 'Assign 1 vote' });
    await dialog.waitFor();
    // Focus fallen out of the dialog, as a disabled button once dropped it.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (const key of ['j', 'x', 'e', '?']) await page.keyboard.press(key);
    expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(
      await page.getByRole('checkbox', { name: 'Select: Behind the dialog' }).isChecked(),
    ).toBe(true);
    expect((await stored(id)).status).toBe('open');
    expectNoProblems();
  });
});

describe('a quality vote', () => {
  it('shows the message it rates as the rated message, not again in its metadata', async () => {
    await startInbox();
    const { status, body } = await send(`${origin()}/api/messages/feedback`, {
      body: {
        original_message_id: 'm-quality',
        sent_message_content: 'Open Settings, then Security.',
        customer_responded: true,
        quality_score: 0,
        time_to_respond_ms: 8400,
      },
    });
    expect(status).toBe(201);
    const page = await openInbox(`?id=${body.feedback_id}`);
    const record = detail(page);
    await record.getByRole('heading', { name: /Not helpful/ }).waitFor();
    expect(await record.getByRole('region', { name: 'Rated message' }).textContent()).toBe(
      'Rated messageOpen Settings, then Security.',
    );
    const metadata = record
      .locator('.fields > div')
      .filter({ has: page.locator('dt', { hasText: 'Metadata' }) });
    expect(JSON.parse((await metadata.locator('pre').textContent()) as string)).toEqual({
      customer_responded: true,
      time_to_respond_ms: 8400,
    });
    expect(await record.getByText('Open Settings, then Security.').count()).toBe(1);
    expectNoProblems();
  });
});

describe('a changed vote', () => {
  it('links to the vote it replaces within the search it was opened from', async () => {
    await startInbox();
    const first = await vote({ rating: 'up', comment: 'Clear steps, thanks' });
    const changed = await vote({
      rating: 'down',
      value: 0,
      sentiment: 'negative',
      comment: 'The steps are wrong',
      replaces: first,
    });
    const page = await openInbox(`?q=steps&id=${changed}`);
    const link = detail(page).getByRole('link', { name: first });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`?q=steps&id=${first}`);
    await link.click();
    await detail(page).getByText('Clear steps, thanks').waitFor();
    expect(new URL(page.url()).search).toBe(`?q=steps&id=${first}`);
    expectNoProblems();
  });
});

describe('a failed delivery', () => {
  it('links from the latest failures to its vote, which opens in the inbox, and Back returns onto the figures', async () => {
    vendor = await startFakeVendor();
    vendor.answer = () => ({ status: 400, body: '{"error":"bad payload"}' });
    await startInbox({
      forwardFile: forwardFile({
        destinations: [{ name: 'events', format: 'event', url: `${vendor.origin}/api/feedback` }],
      }),
    });
    const id = await vote({ comment: 'Forward me' });
    await expect
      .poll(async () => {
        const { body } = await send(`${origin()}/api/deliveries?status=failed`, {
          headers: { Authorization: basic('kim') },
        });
        return body.total;
      }, POLL)
      .toBe(1);
    const page = await openInbox('?view=figures');
    const failures = page.getByRole('region', { name: 'Latest failures' });
    await failures.getByRole('link', { name: id }).click();
    await detail(page).getByText('Forward me').waitFor();
    expect(new URL(page.url()).search).toBe(`?id=${id}`);
    // The vote covered the list: Back leaves it for a view with no row to return to.
    await page.goBack();
    const heading = page.getByRole('heading', { name: 'Figures', level: 1 });
    await expect.poll(() => isFocused(heading), POLL).toBe(true);
    expectNoProblems();
  });
});

describe('a collector out of reach', () => {
  it('says it could not be reached until a later request goes through, the refresh included', async () => {
    await startInbox();
    const id = await vote({ comment: 'Resolve me later' });
    const page = await openInbox(`?id=${id}`);
    const resolve = detail(page).getByRole('button', { name: 'Resolve', exact: true });
    await resolve.waitFor();
    const banner = page.locator('p.problem[role="alert"]');
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await resolve.click();
    await expect
      .poll(() => banner.textContent(), POLL)
      .toMatch(/^The collector could not be reached \(.+\)\.$/);

    // Back: the page's own refresh (every 4 s) finds it, with nothing pressed.
    await page.unroute('**/api/**');
    await expect.poll(() => banner.textContent(), POLL).toBe('');
    expect(await headlines(page)).toEqual(['Resolve me later']);
    expect((await stored(id)).status).toBe('open');
    // The failed requests are logged by the browser; nothing else went wrong.
    expect(t.problems.pageErrors).toEqual([]);
    expect(t.problems.cspViolations).toEqual([]);
  });
});

describe('a record over the list (a narrow screen)', () => {
  it('at 320 px, opening a vote with Enter focuses its heading, j and e keep the focus on the vote, Escape returns to its row', async () => {
    await startInbox();
    const [, second] = [
      await vote({ comment: 'third' }),
      await vote({ comment: 'second' }),
      await vote({ comment: 'first' }),
    ];
    const page = await openInbox('', { width: 320 });
    await expect.poll(() => headlines(page), POLL).toEqual(['first', 'second', 'third']);
    const heading = detail(page).getByRole('heading', { level: 2 });
    await page.keyboard.press('j');
    await expect.poll(() => isFocused(rows(page).first().getByRole('link')), POLL).toBe(true);
    await page.keyboard.press('Enter');
    await detail(page).locator('.comment', { hasText: 'first' }).waitFor();
    expect(await list(page).isVisible()).toBe(false);
    await expect.poll(() => isFocused(heading), POLL).toBe(true);

    await page.keyboard.press('j');
    await detail(page).locator('.comment', { hasText: 'second' }).waitFor();
    await expect.poll(() => isFocused(heading), POLL).toBe(true);
    await page.keyboard.press('e');
    await said(page, 'Resolved the vote.');
    expect((await stored(second)).status).toBe('resolved');
    // The vote that took its place in the list, still over the list.
    await detail(page).locator('.comment', { hasText: 'third' }).waitFor();
    await expect.poll(() => isFocused(heading), POLL).toBe(true);

    await page.keyboard.press('Escape');
    await list(page).waitFor();
    await expect.poll(() => headlines(page), POLL).toEqual(['first', 'third']);
    await expect.poll(() => isFocused(rows(page).nth(1).getByRole('link')), POLL).toBe(true);
    expectNoProblems();
  });

  it('at 320 px, Back from a vote opened over the list returns to the list with its search, onto its row', async () => {
    await startInbox();
    await vote({ comment: 'filler one' });
    await vote({ comment: 'filler two' });
    await vote({ comment: 'other' });
    const page = await openInbox('', { width: 320 });
    await expect.poll(() => headlines(page), POLL).toHaveLength(3);
    const box = page.getByRole('searchbox', { name: 'Search feedback' });
    await box.fill('filler');
    await box.press('Enter');
    await expect.poll(() => headlines(page), POLL).toEqual(['filler two', 'filler one']);

    await rows(page).nth(1).getByRole('link').click();
    await detail(page).locator('.comment', { hasText: 'filler one' }).waitFor();
    expect(await list(page).isVisible()).toBe(false);
    // Moving on to the next vote while it covers the list is no new entry.
    await page.keyboard.press('k');
    await detail(page).locator('.comment', { hasText: 'filler two' }).waitFor();

    await page.goBack();
    await list(page).waitFor();
    expect(await box.inputValue()).toBe('filler');
    expect(new URL(page.url()).searchParams.get('q')).toBe('filler');
    await expect.poll(() => headlines(page), POLL).toEqual(['filler two', 'filler one']);
    await expect.poll(() => isFocused(rows(page).nth(1).getByRole('link')), POLL).toBe(true);

    await page.goBack();
    await expect.poll(() => headlines(page), POLL).toHaveLength(3);
    expect(await box.inputValue()).toBe('');
    expectNoProblems();
  });

  it('at 320 px a 64-character assignee fits: the row, the detail, its activity and what is said', async () => {
    await startInbox();
    // The longest name allowed, with nowhere to break it.
    const long = 'W'.repeat(64);
    const id = await vote({ comment: 'Who has this one?' });
    await patch(id, { assignee: long });
    const page = await openInbox(`?q=${encodeURIComponent('-is:spam')}`, { width: 320 });
    await expect.poll(() => headlines(page), POLL).toEqual(['Who has this one?']);
    await rows(page).locator('.assignee', { hasText: long }).waitFor();
    expect(await sideways(page)).toBe(0);

    await rows(page).first().getByRole('link').click();
    const record = detail(page);
    await record.getByText(`Assigned to ${long}`).waitFor();
    await record.getByRole('region', { name: 'Activity' }).getByText(long).waitFor();
    expect(await sideways(page)).toBe(0);

    await record.getByRole('button', { name: 'Assign', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Assign the vote' });
    await dialog.getByRole('combobox', { name: 'Assignee' }).fill(`${long.slice(1)}V`);
    await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
    await said(page, `Assigned the vote to ${long.slice(1)}V.`);
    await record.getByText(`Assigned to ${long.slice(1)}V`).waitFor();
    expect(await sideways(page)).toBe(0);
    expectNoProblems();
  });
});

describe('accessibility and small screens', () => {
  it('has no serious axe finding: the list with a record, the dialogs, attention and figures, light and dark', async () => {
    await startInbox();
    const id = await vote({
      comment: 'Read me',
      reason: 'Unclear',
      reason_key: 'unclear',
      message_id: 'm-1',
    });
    for (const scheme of ['light', 'dark'] as const) {
      const page = await openInbox(`?id=${id}`, { scheme });
      await detail(page)
        .getByRole('heading', { name: /Helpful/ })
        .waitFor();
      await page.getByRole('checkbox', { name: 'Select: Read me' }).check();
      expect(await seriousFindings(page)).toEqual([]);
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      expect(await seriousFindings(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.locator('.toolbar').getByRole('button', { name: 'Assign', exact: true }).click();
      await page.getByRole('dialog', { name: 'Assign 1 vote' }).waitFor();
      expect(await seriousFindings(page)).toEqual([]);
      await page.keyboard.press('Escape');
      for (const view of ['Attention', 'Figures']) {
        await page
          .getByRole('navigation', { name: 'Views' })
          .getByRole('link', { name: view })
          .click();
        await page.getByRole('heading', { level: 1, name: view }).waitFor();
        await page.waitForLoadState('networkidle');
        expect(await seriousFindings(page)).toEqual([]);
      }
      await page.close();
    }
    expectNoProblems();
  });

  it('works at 320 px: nothing scrolls sideways, a record opens over the list and Back returns', async () => {
    await startInbox();
    await vote({
      comment:
        'A long comment that has to wrap or be cut on a phone held upright, not push the page sideways.',
      page_url: 'https://help.example.com/a/very/long/path/that/goes/on/and/on',
    });
    const page = await openInbox('', { width: 320 });
    await expect.poll(() => headlines(page), POLL).toHaveLength(1);
    const sideways = () =>
      page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
    expect(await sideways()).toBe(0);
    await rows(page).first().getByRole('link').click();
    await detail(page)
      .getByRole('heading', { name: /Helpful/ })
      .waitFor();
    expect(await list(page).isVisible()).toBe(false);
    expect(await sideways()).toBe(0);
    await detail(page).getByRole('button', { name: 'Back to the list' }).click();
    await list(page).waitFor();
    // Back on the row it left, with the cursor still there.
    await expect.poll(() => isFocused(rows(page).first().getByRole('link')), POLL).toBe(true);
    for (const view of ['Attention', 'Figures']) {
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('link', { name: view })
        .click();
      await page.getByRole('heading', { level: 1, name: view }).waitFor();
      expect(await sideways()).toBe(0);
    }
    expectNoProblems();
  });
});
