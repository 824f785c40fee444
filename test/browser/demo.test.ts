// @vitest-environment node
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  openContext,
  paintedPixels,
  recordEvents,
  recordedEvents,
  type TestContext,
  widgetControls,
} from '../helpers/browser';
import { type CollectorProcess, send, startCollector } from '../helpers/collector';

/** Generous: two cores are shared by several browser suites. */
const POLL = { timeout: 10_000 };
/** Longer than the inbox's refresh, with room for a loaded machine. */
const REFRESH = { timeout: 15_000 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface StoredVote {
  id: string;
  format: string;
  rating: string;
  score: number;
  conversation_id?: string;
  message_id?: string;
  session_id?: string;
  reason?: string;
  comment?: string;
  page_url?: string;
  metadata?: Record<string, unknown>;
  assistant_id?: string;
}

let browser: Browser;
let collector: CollectorProcess;
let t: TestContext;
let runs = 0;

beforeAll(async () => {
  [browser, collector] = await Promise.all([launchBrowser(), startCollector({ demo: true })]);
});
afterAll(async () => {
  await browser?.close();
  await collector?.stop();
});
beforeEach(async () => {
  t = await openContext(browser);
});
afterEach(async () => {
  await t?.close();
});

/** A name no other test (or earlier run against the same collector) uses. */
function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${++runs}-${Date.now().toString(36)}`;
}

async function open(path: string, prepare?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await t.newPage();
  await prepare?.(page);
  await page.goto(`${collector.origin}${path}`);
  return page;
}

/** Every stored vote the filters select, newest first. */
async function stored(filters: Record<string, string> = {}): Promise<StoredVote[]> {
  const query = new URLSearchParams({ limit: '100', ...filters });
  const { status, body } = await send(`${collector.origin}/api/feedback?${query}`);
  expect(status).toBe(200);
  return body.items;
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

function expectNoProblems() {
  expect(t.problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
}

/** Resolves once the widgets of `page` have had `count` votes accepted by the collector. */
async function accepted(page: Page, count: number) {
  await expect
    .poll(async () => (await recordedEvents(page, 'feedback:sent')).length, REFRESH)
    .toBe(count);
}

/** Asks the chat a suggested question and resolves with the widget under the whole answer. */
async function askChat(page: Page, question: string) {
  await page.getByRole('button', { name: question }).click();
  const answer = page.locator('.message.assistant').last();
  await answer.locator('[data-feedback]').waitFor();
  return { answer, widget: widgetControls(answer.locator('[data-feedback]')) };
}

async function conversationOf(page: Page): Promise<string> {
  const id = await page.locator('#conversation-id').textContent();
  expect(id).toMatch(UUID);
  return id as string;
}

/** Chat votes in a new conversation: Not helpful with `reason` and `comment`, then Helpful. */
async function chatVotes(reason: string, comment: string): Promise<string> {
  const page = await open('/chat');
  await recordEvents(page, 'feedback:sent');
  const conversation = await conversationOf(page);
  const first = await askChat(page, 'How do I reset my password?');
  await first.widget.down.click();
  await first.widget.reason(reason).click();
  await first.widget.textbox.fill(comment);
  await first.widget.send.click();
  const second = await askChat(page, 'Can I export my data as CSV?');
  await second.widget.up.click();
  await accepted(page, 2);
  await page.close();
  return conversation;
}

/** The figures' totals as a person reads them: each term with its value. */
function totals(page: Page): Promise<Record<string, string>> {
  return page
    .getByRole('region', { name: 'Totals' })
    .evaluate((region) =>
      Object.fromEntries(
        [...region.querySelectorAll('dt')].map((term) => [
          term.textContent,
          term.nextElementSibling?.textContent ?? '',
        ]),
      ),
    );
}

/** The inbox's rows as a person reads them: each one's leading line. */
function headlines(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Votes' }).locator('.headline').allTextContents();
}

const inConversation = (conversation: string) =>
  `/dashboard?q=${encodeURIComponent(`conversation:${conversation}`)}`;

describe('the landing page', () => {
  it('links to the chat, the article, the playground and the inbox', async () => {
    const page = await open('/');
    const main = page.getByRole('main');
    for (const [name, path] of [
      ['AI chat', '/chat'],
      ['Help-center article', '/article'],
      ['Playground', '/playground'],
      ['Inbox', '/dashboard'],
    ]) {
      expect(await main.getByRole('link', { name, exact: true }).getAttribute('href')).toBe(path);
    }
    expectNoProblems();
  });
});

describe('the chat', () => {
  it('streams the answer to a suggested question token by token, then stores its Not helpful vote with the reason and the comment once', async () => {
    const page = await open('/chat');
    await recordEvents(page, 'feedback:sent');
    const conversation = await conversationOf(page);
    await page.evaluate(() => {
      const store = window as unknown as { __streamed: number };
      store.__streamed = 0;
      new MutationObserver((records) => {
        store.__streamed += records.length;
      }).observe(document.getElementById('transcript') as Node, {
        characterData: true,
        subtree: true,
      });
    });
    const { answer, widget } = await askChat(page, 'How do I reset my password?');
    expect(await answer.locator('p').textContent()).toMatch(/^Open Settings, choose Security/);
    const updates = await page.evaluate(
      () => (window as unknown as { __streamed: number }).__streamed,
    );
    expect(updates).toBeGreaterThan(10);

    await widget.down.click();
    await widget.reason('Incorrect').click();
    await widget.textbox.fill('The link expired after five minutes, not thirty.');
    await widget.send.click();
    await accepted(page, 1);

    const vote = only(await stored({ conversation_id: conversation }));
    expect(vote).toMatchObject({
      format: 'event',
      rating: 'down',
      score: 0,
      conversation_id: conversation,
      message_id: expect.stringMatching(UUID),
      reason: 'Incorrect',
      comment: 'The link expired after five minutes, not thirty.',
      page_url: `${collector.origin}/chat`,
    });
    expectNoProblems();
  });
});

describe('the article', () => {
  it('stores a Helpful vote with a reason for up and a comment once, with the article in its metadata', async () => {
    const page = await open('/article');
    await recordEvents(page, 'feedback:sent');
    const widget = widgetControls(page.locator('[data-feedback]'));
    await widget.neutral.waitFor();
    await widget.up.click();
    await widget.reason('Solved my problem').click();
    await widget.textbox.fill('Step 3 was exactly what I needed.');
    await widget.send.click();
    await accepted(page, 1);

    const votes = (await stored()).filter((vote) => vote.page_url?.endsWith('/article'));
    expect(only(votes)).toMatchObject({
      format: 'event',
      rating: 'up',
      score: 10,
      reason: 'Solved my problem',
      comment: 'Step 3 was exactly what I needed.',
      page_url: `${collector.origin}/article`,
      metadata: { article: 'reset-password' },
    });
    expectNoProblems();
  });
});

describe('the playground', () => {
  it('sends one vote in each of the sentiment, vote, score and quality formats to its collector route, each stored once with its score', async () => {
    const page = await open('/playground');
    await recordEvents(page, 'feedback:sent');
    const conversation = unique('playground');
    await page.getByLabel('Conversation id').fill(conversation);
    const widget = widgetControls(page.locator('#preview'));
    const format = page.getByLabel('Format');
    const nextMessage = page.getByRole('button', { name: 'Next message id' });

    await format.selectOption('sentiment');
    expect(await page.getByLabel('Endpoint').inputValue()).toBe('/api/sentiment');
    await widget.up.click();
    await accepted(page, 1);
    await nextMessage.click();

    await format.selectOption('vote');
    await widget.down.click();
    await widget.reason('Incorrect').click();
    await widget.send.click();
    await accepted(page, 2);
    await nextMessage.click();

    await format.selectOption('score');
    await page.getByLabel('Scale').fill('0..10');
    expect(await page.getByLabel('Endpoint').inputValue()).toBe(
      '/api/assistants/demo-assistant/feedbacks?scale=0..10',
    );
    await widget.up.click();
    await accepted(page, 3);
    await nextMessage.click();

    await format.selectOption('quality');
    await widget.down.click();
    await widget.skip.click();
    await accepted(page, 4);
    const response = page.getByRole('region', { name: 'Last response' }).getByRole('status');
    expect(await response.textContent()).toContain('201: the collector accepted the vote.');

    const votes = (await stored()).filter((vote) => vote.page_url?.endsWith('/playground'));
    const of = (name: string, match: (vote: StoredVote) => boolean) =>
      only(votes.filter((vote) => vote.format === name && match(vote)));
    expect(of('sentiment', (vote) => vote.conversation_id === conversation)).toMatchObject({
      rating: 'up',
      score: 10,
      message_id: 'm-1',
    });
    expect(of('vote', (vote) => vote.conversation_id === conversation)).toMatchObject({
      rating: 'down',
      score: 0,
      reason: 'Incorrect',
    });
    expect(of('score', (vote) => vote.session_id === conversation)).toMatchObject({
      rating: 'up',
      score: 10,
      assistant_id: 'demo-assistant',
    });
    expect(of('quality', (vote) => vote.message_id === 'm-4')).toMatchObject({
      rating: 'down',
      score: 0,
    });
    expectNoProblems();
  });

  it("shows the widget's own message for a bad option next to the form and marks that field invalid", async () => {
    const page = await open('/playground');
    const metadata = page.getByLabel('Metadata');
    await page.locator('#preview').getByRole('button', { name: 'Helpful', exact: true }).waitFor();
    await metadata.fill('{"plan": ');
    const problem = page.getByRole('status').filter({ hasText: 'metadata' });
    await expect
      .poll(() => problem.textContent(), POLL)
      .toBe('`data-metadata` must be a JSON object, got {"plan":');
    expect(await metadata.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#preview').getByRole('button').count()).toBe(0);

    await metadata.fill('{"plan": "pro"}');
    await page.locator('#preview').getByRole('button', { name: 'Helpful', exact: true }).waitFor();
    expect(await problem.count()).toBe(0);
    expect(await metadata.getAttribute('aria-invalid')).toBeNull();
    expectNoProblems();
  });

  it('offers a snippet with the script tag and only the options that differ from the defaults, and Copy puts it on the clipboard', async () => {
    await t.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await open('/playground');
    await page.getByLabel('Conversation id').fill('conv-123');
    await page.getByLabel('Neutral choice').check();
    await page.getByLabel('Language').selectOption('fr');
    await page.getByLabel('Message content').fill('');
    const preview = page.locator('#preview');
    await preview.getByRole('button', { name: 'Neutre', exact: true }).waitFor();

    const snippet = await page
      .getByRole('region', { name: 'Paste this' })
      .locator('code')
      .textContent();
    expect(snippet).toBe(
      `<script src="${collector.origin}/feedback-widget.js" async\n` +
        `        data-endpoint="${collector.origin}/api/feedback"></script>\n\n` +
        '<div data-feedback\n' +
        '     data-conversation-id="conv-123"\n' +
        '     data-message-id="m-1"\n' +
        '     data-neutral="true"\n' +
        '     data-locale="fr"></div>',
    );
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.getByText('Copied to the clipboard.').count(), POLL).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(snippet);
    expectNoProblems();
  });
});

describe('the inbox', () => {
  it("lists a chat conversation's votes and opens one with its comment, the answer it rated, its reason and trace", async () => {
    const conversation = await chatVotes('Unclear', 'Step 3 is missing.');
    const page = await open(inConversation(conversation));
    await expect.poll(() => headlines(page), POLL).toHaveLength(2);
    expect((await headlines(page))[1]).toBe('Step 3 is missing.');
    expect(await page.getByRole('searchbox', { name: 'Search feedback' }).inputValue()).toBe(
      `conversation:${conversation}`,
    );
    await page.getByRole('link', { name: /Step 3 is missing\./ }).click();
    const vote = page.getByRole('region', { name: 'Vote' });
    await vote.getByRole('heading', { name: /Not helpful/ }).waitFor();
    expect(await vote.locator('.comment').textContent()).toBe('Step 3 is missing.');
    // The widget sent the answer's text (data-message-content) with the vote.
    expect(await vote.getByRole('region', { name: 'Rated message' }).textContent()).toMatch(
      /^Rated messageOpen Settings, choose Security/,
    );
    const field = (name: string) =>
      vote.locator('.fields > div').filter({ has: page.locator('dt', { hasText: name }) });
    expect(await field('Reason').locator('dd').textContent()).toBe('Unclear unclear');
    expect(await field('Trace').locator('dd').textContent()).toMatch(/^trace-/);
    expect(await field('Page').getByRole('link').getAttribute('href')).toBe(
      `${collector.origin}/chat`,
    );
    expectNoProblems();
  });

  it('shows a comment with markup as the text that was typed', async () => {
    const markup = '<img src="/nothing.png" data-injected><b data-injected>bold</b>';
    const conversation = await chatVotes('Incorrect', markup);
    const page = await open(inConversation(conversation));
    await expect.poll(() => headlines(page), POLL).toContain(markup);
    await page.getByRole('link', { name: markup }).click();
    await page.getByRole('region', { name: 'Vote' }).locator('.comment').waitFor();
    expect(await page.locator('[data-injected]').count()).toBe(0);
    expectNoProblems();
  });

  it("shows today's figures as the collector counts them, and uPlot draws both charts", async () => {
    await chatVotes('Unclear', 'Step 3 is missing.');
    const today = new Date().toISOString().slice(0, 10);
    const page = await open('/dashboard?view=figures');
    const { body: stats } = await send(
      `${collector.origin}/api/feedback/stats?from=${today}&to=${today}`,
    );
    await expect.poll(async () => (await totals(page)).Votes, POLL).toBe(String(stats.total));
    expect(await totals(page)).toMatchObject({
      Helpful: String(stats.by_rating.up),
      'Not helpful': String(stats.by_rating.down),
      Neutral: String(stats.by_rating.neutral),
    });
    for (const chart of ['Positive rate by day', 'Score distribution (0–10)']) {
      const region = page.getByRole('region', { name: chart });
      await expect.poll(() => paintedPixels(region), POLL).toBeGreaterThan(100);
    }
    const reasons = page.getByRole('region', { name: 'Top reasons' });
    expect(await reasons.getByRole('rowheader', { name: 'Unclear', exact: true }).count()).toBe(1);
    expectNoProblems();
  });

  it('says so when no vote matches the search', async () => {
    const page = await open(inConversation(unique('nobody')));
    await page
      .getByRole('region', { name: 'Inbox' })
      .getByText('No votes match this search.')
      .waitFor();
    expect(await page.getByRole('list', { name: 'Votes' }).count()).toBe(0);
    expectNoProblems();
  });

  it('shows a new vote by itself, without a reload', async () => {
    const conversation = unique('refresh');
    const page = await open(inConversation(conversation));
    await page
      .getByRole('region', { name: 'Inbox' })
      .getByText('No votes match this search.')
      .waitFor();
    await postVote(conversation);
    await expect.poll(() => headlines(page), REFRESH).toEqual(['Helpful']);
    expectNoProblems();
  });

  it('stops refreshing while the tab is hidden and refreshes again once it is shown', async () => {
    const conversation = unique('hidden');
    // The page's own clock, to run its refresh timer on demand, and a count of the lists it
    // fetches, taken in the page as each fetch starts.
    const page = await open(inConversation(conversation), async (tab) => {
      await tab.clock.install();
      await tab.addInitScript(() => {
        const counted = window as unknown as { listFetches: number };
        counted.listFetches = 0;
        const original = window.fetch;
        window.fetch = (input, init) => {
          if (String(input instanceof Request ? input.url : input).includes('api/feedback?')) {
            counted.listFetches += 1;
          }
          return original(input, init);
        };
      });
    });
    await page
      .getByRole('region', { name: 'Inbox' })
      .getByText('No votes match this search.')
      .waitFor();
    const listFetches = () =>
      page.evaluate(() => (window as unknown as { listFetches: number }).listFetches);
    // Headless Chromium keeps every tab visible; this is what a browser does on a tab switch.
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { value, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    const whileHidden = await listFetches();
    await postVote(conversation);
    // Past the refresh, twice over: a timer left running would have fetched by now.
    await page.clock.fastForward(11_000);
    expect(await listFetches()).toBe(whileHidden);
    expect(await page.getByRole('list', { name: 'Votes' }).count()).toBe(0);

    await setVisibility('visible');
    await expect.poll(() => headlines(page), REFRESH).toEqual(['Helpful']);
    expectNoProblems();
  });
});

/** A vote posted straight to the collector, as another visitor's widget would. */
async function postVote(conversation: string) {
  const id = crypto.randomUUID();
  const { status } = await send(`${collector.origin}/api/feedback`, {
    headers: { 'Idempotency-Key': id },
    body: {
      id,
      rating: 'up',
      sentiment: 'positive',
      value: 100,
      scale: { min: -100, max: 100 },
      conversation_id: conversation,
      page_url: `${collector.origin}/chat`,
      locale: 'en',
      created_at: new Date().toISOString(),
    },
  });
  expect(status).toBe(201);
}
