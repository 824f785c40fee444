// @vitest-environment node
import type { ElementHandle, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  isFocused,
  nextFrame,
  outboxDrained,
  recordEvents,
  recordedEvents,
  widgetControls,
} from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';

const SCRIPT = '<script src="/feedback-widget.js" async data-endpoint="/api/feedback"></script>';
/** Long enough for a thousand widgets on a slow, shared machine; polls end as soon as they pass. */
const SLOW = { timeout: 20_000, interval: 200 };

let pages = 0;

const { server, t } = useBrowserTest();

/** One assistant message of a chat, with its widget under the answer. */
function message(n: number, conversation = 'c1', prefix = 'm'): string {
  return (
    `<article class="message assistant"><p class="answer">Answer number ${n}.</p>` +
    `<div data-feedback data-conversation-id="${conversation}" data-message-id="${prefix}-${n}"></div>` +
    '</article>'
  );
}

function messages(from: number, to: number, conversation = 'c1', prefix = 'm'): string {
  let markup = '';
  for (let n = from; n <= to; n++) markup += message(n, conversation, prefix);
  return markup;
}

/** Serves a chat app with `chat` as its message list and opens it in a new tab. */
async function openChat(chat: string): Promise<Page> {
  const path = `/chat-${++pages}`;
  server.page(
    path,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chat</title>${SCRIPT}</head>` +
      `<body><div id="app"><aside id="pinned"></aside><section id="chat">${chat}</section></div>` +
      '<form id="composer"><textarea aria-label="Message"></textarea></form></body></html>',
  );
  const page = await t.newPage();
  await page.goto(`${server.origin}${path}`);
  return page;
}

/** The widget mounted in the element with this message id. */
function widget(page: Page, messageId: string) {
  return widgetControls(page.locator(`[data-message-id="${messageId}"]`));
}

type Widget = ReturnType<typeof widget>;

const pressed = (w: Widget) =>
  Promise.all([w.up.getAttribute('aria-pressed'), w.down.getAttribute('aria-pressed')]);

/**
 * Every [data-feedback] element of the page in one pass: how many there are, and the message
 * ids of those that do not show exactly one group holding an unpressed "Helpful" and
 * "Not helpful" (the buttons' text is their accessible name: the icon is aria-hidden).
 */
function census(page: Page): Promise<{ hosts: number; wrong: string[] }> {
  return page.evaluate(() => {
    const hosts = [...document.querySelectorAll<HTMLElement>('[data-feedback]')];
    const wrong = hosts.filter((host) => {
      const root = host.shadowRoot;
      const groups = root?.querySelectorAll('[role="group"]') ?? [];
      const buttons = [...(groups[0]?.querySelectorAll('button') ?? [])];
      const seen = buttons.map((b) => `${b.textContent?.trim()}:${b.getAttribute('aria-pressed')}`);
      return groups.length !== 1 || seen.join('|') !== 'Helpful:false|Not helpful:false';
    });
    return { hosts: hosts.length, wrong: wrong.map((host) => host.dataset.messageId ?? '?') };
  });
}

/** What the widgets of these (possibly removed) elements render: the shadow roots' nodes. */
function renderedIn(page: Page, name: string): Promise<number[]> {
  return page.evaluate(
    (key) =>
      ((window as unknown as Record<string, HTMLElement[]>)[key] ?? []).map(
        (host) => host.shadowRoot?.childNodes.length ?? 0,
      ),
    name,
  );
}

/** Keeps the current [data-feedback] elements under `name`, to look at them once removed. */
function keepHosts(page: Page, name: string): Promise<number> {
  return page.evaluate((key) => {
    const hosts = [...document.querySelectorAll('[data-feedback]')];
    (window as unknown as Record<string, Element[]>)[key] = hosts;
    return hosts.length;
  }, name);
}

/**
 * Streams `tokens` words into the answer next to the widget of `messageId`, each in its own
 * task, the way a markdown renderer does it: the paragraph's HTML is rebuilt every token.
 */
function stream(page: Page, messageId: string, tokens: number): Promise<void> {
  return page.evaluate(
    async ({ id, count }) => {
      const host = document.querySelector(`[data-message-id="${id}"]`);
      const answer = host?.previousElementSibling as HTMLElement;
      const words = (answer.dataset.words ?? '').split(' ').filter(Boolean);
      for (let i = 0; i < count; i++) {
        words.push(`token${words.length}`);
        answer.dataset.words = words.join(' ');
        answer.innerHTML = words
          .map((word, index) => (index % 5 === 4 ? `<strong>${word}</strong>` : word))
          .join(' ');
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    },
    { id: messageId, count: tokens },
  );
}

/** Rebuilds the message list the way a framework re-render does, with brand-new elements. */
const rerenders = {
  'the list innerHTML is rebuilt': (page: Page, markup: string) =>
    page.evaluate((html) => {
      (document.getElementById('chat') as HTMLElement).innerHTML = html;
    }, markup),
  'new elements with the same message ids replace the old ones': (page: Page, markup: string) =>
    page.evaluate((html) => {
      const template = document.createElement('template');
      template.innerHTML = html;
      const fresh = [...template.content.children].map((article) => {
        const copy = document.createElement('article');
        copy.className = article.className;
        for (const child of article.children) {
          const node = document.createElement(child.tagName);
          for (const { name, value } of child.attributes) node.setAttribute(name, value);
          node.textContent = child.textContent;
          copy.append(node);
        }
        return copy;
      });
      (document.getElementById('chat') as HTMLElement).replaceChildren(...fresh);
    }, markup),
};

function bodies(): Record<string, unknown>[] {
  return server.requests.map((request) => request.body as Record<string, unknown>);
}

/** Waits until the page has delivered its vote, and answers its body: it sent exactly one. */
async function theOneVote(page: Page): Promise<Record<string, unknown>> {
  await server.waitFor(1);
  await outboxDrained(page);
  expect(bodies()).toHaveLength(1);
  return bodies()[0] as Record<string, unknown>;
}

function expectNoProblems() {
  expect(t.problems.pageErrors).toEqual([]);
  expect(t.problems.consoleErrors).toEqual([]);
}

describe('a chat page with a thousand answers', () => {
  it('mounts a widget with Helpful and Not helpful in every one of the 1,000 messages', async () => {
    const page = await openChat(messages(1, 1000));
    await expect.poll(() => census(page), SLOW).toEqual({ hosts: 1000, wrong: [] });
    expect(await page.getByRole('button', { name: 'Helpful', exact: true }).count()).toBe(1000);
    expect(await page.getByRole('button', { name: 'Not helpful', exact: true }).count()).toBe(1000);
    expectNoProblems();
  });

  it('sends exactly one request each for votes on the first, the 500th and the last message', async () => {
    const page = await openChat(messages(1, 1000));
    await expect.poll(() => census(page), SLOW).toEqual({ hosts: 1000, wrong: [] });
    await widget(page, 'm-1').up.click();
    const middle = widget(page, 'm-500');
    await middle.down.click();
    await middle.skip.click();
    await widget(page, 'm-1000').up.click();
    await server.waitFor(3, 10_000);
    await outboxDrained(page);
    const sent = bodies()
      .map((body) => `${body.message_id} ${body.rating} ${body.conversation_id}`)
      .sort();
    expect(sent).toEqual(['m-1 up c1', 'm-1000 up c1', 'm-500 down c1']);
    expect(await pressed(widget(page, 'm-500'))).toEqual(['false', 'true']);
    expect(await pressed(widget(page, 'm-999'))).toEqual(['false', 'false']);
    expectNoProblems();
  });

  it('mounts all of 1,000 older messages loaded after the page in batches of 50', async () => {
    const page = await openChat(messages(1001, 1001));
    await widget(page, 'm-1001').up.waitFor();
    await page.evaluate(
      async (batches) => {
        const chat = document.getElementById('chat') as HTMLElement;
        for (const batch of batches) {
          chat.insertAdjacentHTML('afterbegin', batch);
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      },
      Array.from({ length: 20 }, (_, i) => messages(1000 - 50 * i - 49, 1000 - 50 * i)),
    );
    await expect.poll(() => census(page), SLOW).toEqual({ hosts: 1001, wrong: [] });
    await widget(page, 'm-1').up.click();
    await server.waitFor(1);
    expect(bodies()[0]).toMatchObject({ message_id: 'm-1', rating: 'up' });
    expectNoProblems();
  });
});

describe('an answer streamed token by token next to its widget', () => {
  async function openStreaming() {
    const page = await openChat(
      `${messages(1, 2)}<article class="message assistant"><p class="answer"></p>` +
        '<div data-feedback data-conversation-id="c1" data-message-id="m-3"></div></article>',
    );
    const w = widget(page, 'm-3');
    await w.up.waitFor();
    return { page, w };
  }

  it('keeps a vote made mid-stream pressed, on the same mounted button, with one request', async () => {
    const { page, w } = await openStreaming();
    await recordEvents(page, 'feedback:vote');
    await stream(page, 'm-3', 60);
    const button = (await w.up.elementHandle()) as ElementHandle;
    await w.up.click();
    await stream(page, 'm-3', 120);
    // The stream did rebuild the answer around the widget: 180 words, every fifth in <strong>.
    expect(
      await page
        .locator('[data-message-id="m-3"]')
        .evaluate((host) => host.previousElementSibling?.querySelectorAll('strong').length),
    ).toBe(36);
    expect(await button.evaluate((node) => node.isConnected)).toBe(true);
    expect(await isFocused(w.up)).toBe(true);
    expect(await pressed(w)).toEqual(['true', 'false']);
    await expect.poll(() => w.status.textContent()).toBe('Thanks for your feedback!');
    expect(await theOneVote(page)).toMatchObject({ message_id: 'm-3', rating: 'up' });
    expect(await recordedEvents(page, 'feedback:vote')).toHaveLength(1);
    expectNoProblems();
  });

  it('leaves a follow-up opened mid-stream open, with its reason and text, until Send', async () => {
    const { page, w } = await openStreaming();
    await stream(page, 'm-3', 30);
    await w.down.click();
    await w.reason('Incomplete').click();
    await w.textbox.fill('It stops halfway');
    await stream(page, 'm-3', 120);
    expect(await w.textbox.inputValue()).toBe('It stops halfway');
    expect(await isFocused(w.textbox)).toBe(true);
    expect(await w.reason('Incomplete').getAttribute('aria-pressed')).toBe('true');
    expect(server.requests).toHaveLength(0);
    await w.send.click();
    expect(await theOneVote(page)).toMatchObject({
      message_id: 'm-3',
      rating: 'down',
      reason: 'Incomplete',
      comment: 'It stops halfway',
    });
    expectNoProblems();
  });
});

describe('a re-render that replaces the message list', () => {
  for (const [style, rerender] of Object.entries(rerenders)) {
    it(`shows the recorded vote pressed again when ${style}, and a click only fires feedback:duplicate`, async () => {
      const page = await openChat(messages(1, 3));
      await widget(page, 'm-2').up.click();
      await server.waitFor(1);
      await keepHosts(page, 'before');
      await recordEvents(page, 'feedback:duplicate');
      await rerender(page, messages(1, 3));
      const w = widget(page, 'm-2');
      await expect.poll(() => renderedIn(page, 'before')).toEqual([0, 0, 0]);
      await expect.poll(() => pressed(w)).toEqual(['true', 'false']);
      await expect.poll(() => w.status.textContent()).toBe('Thanks for your feedback!');
      expect(await pressed(widget(page, 'm-1'))).toEqual(['false', 'false']);
      await w.up.click();
      await expect
        .poll(() => recordedEvents<{ event: { message_id: string } }>(page, 'feedback:duplicate'))
        .toHaveLength(1);
      const [duplicate] = await recordedEvents<{ event: Record<string, unknown> }>(
        page,
        'feedback:duplicate',
      );
      expect(duplicate?.event).toMatchObject({ message_id: 'm-2', rating: 'up' });
      await outboxDrained(page);
      expect(server.requests).toHaveLength(1);
      expectNoProblems();
    });

    it(`sends a follow-up left open once, with what was typed, when ${style}`, async () => {
      const page = await openChat(messages(1, 3));
      const before = widget(page, 'm-2');
      await before.down.click();
      await before.reason('Unclear').click();
      await before.textbox.fill('Which settings page?');
      expect(server.requests).toHaveLength(0);
      await rerender(page, messages(1, 3));
      expect(await theOneVote(page)).toMatchObject({
        message_id: 'm-2',
        rating: 'down',
        reason: 'Unclear',
        comment: 'Which settings page?',
      });
      const after = widget(page, 'm-2');
      expect(await pressed(after)).toEqual(['false', 'true']);
      expect(await after.textbox.count()).toBe(0);
      expectNoProblems();
    });
  }
});

describe('a re-render that moves the same elements', () => {
  it('keeps one widget in a message appended to another container, and it still votes', async () => {
    const page = await openChat(messages(1, 3));
    const w = widget(page, 'm-2');
    const button = (await w.up.elementHandle()) as ElementHandle;
    await page.evaluate(() => {
      const host = document.querySelector('[data-message-id="m-2"]');
      document.getElementById('pinned')?.append(host?.closest('article') as Element);
    });
    expect(await page.locator('#pinned [data-message-id="m-2"]').count()).toBe(1);
    await nextFrame(page);
    expect(await w.group.count()).toBe(1);
    expect(await w.up.count()).toBe(1);
    expect(await w.down.count()).toBe(1);
    expect(await button.evaluate((node) => node.isConnected)).toBe(true);
    await w.up.click();
    expect(await theOneVote(page)).toMatchObject({ message_id: 'm-2', rating: 'up' });
    expectNoProblems();
  });

  it('keeps one widget per message when the list is reordered, each voting for its own message', async () => {
    const page = await openChat(messages(1, 5));
    await widget(page, 'm-5').up.waitFor();
    await page.evaluate(() => {
      const chat = document.getElementById('chat') as HTMLElement;
      for (const article of [...chat.children].reverse()) chat.append(article);
    });
    await nextFrame(page);
    expect(
      await page
        .locator('[data-message-id]')
        .evaluateAll((hosts) => hosts.map((host) => host.getAttribute('data-message-id'))),
    ).toEqual(['m-5', 'm-4', 'm-3', 'm-2', 'm-1']);
    expect(await census(page)).toEqual({ hosts: 5, wrong: [] });
    await widget(page, 'm-1').up.click();
    await widget(page, 'm-5').up.click();
    await server.waitFor(2);
    await outboxDrained(page);
    expect(bodies().map((body) => body.message_id)).toEqual(['m-1', 'm-5']);
    expectNoProblems();
  });

  it('keeps a follow-up open, with what was typed, in a message moved in the same task', async () => {
    const page = await openChat(messages(1, 3));
    const w = widget(page, 'm-2');
    await w.down.click();
    await w.textbox.fill('Too vague');
    await page.evaluate(() => {
      const chat = document.getElementById('chat') as HTMLElement;
      chat.append(...[...chat.children].reverse());
    });
    await nextFrame(page);
    expect(await w.textbox.inputValue()).toBe('Too vague');
    expect(server.requests).toHaveLength(0);
    await w.send.click();
    expect(await theOneVote(page)).toMatchObject({
      message_id: 'm-2',
      rating: 'down',
      comment: 'Too vague',
    });
    expectNoProblems();
  });
});

describe('options changed on a mounted element (data-* attributes)', () => {
  it('show at once, without a click: texts and theme', async () => {
    const page = await openChat(messages(1, 1));
    const w = widget(page, 'm-1');
    await w.up.waitFor();
    await page.evaluate(() => {
      const host = document.querySelector('[data-message-id="m-1"]') as HTMLElement;
      Object.assign(host.dataset, { prompt: 'Did this answer it?', labelUp: 'Yes', theme: 'dark' });
    });
    const shown = page.locator('[data-message-id="m-1"]');
    await expect
      .poll(() => shown.locator('[part="prompt"]').textContent())
      .toBe('Did this answer it?');
    expect(await shown.getByRole('button', { name: 'Yes', exact: true }).count()).toBe(1);
    expect(await shown.locator('[part="widget"]').getAttribute('data-theme')).toBe('dark');
    expect(server.requests).toEqual([]);
    expectNoProblems();
  });

  it('leave an open follow-up open with what was typed, and send the content as it stands at Send', async () => {
    const page = await openChat(messages(1, 1));
    const w = widget(page, 'm-1');
    await page.evaluate(() => {
      const host = document.querySelector('[data-message-id="m-1"]') as HTMLElement;
      host.dataset.messageContent = 'Hel';
    });
    await w.down.click();
    await w.textbox.fill('Half an');
    // A chat streaming the rated answer into the attribute while the person types.
    await page.evaluate(() => {
      const host = document.querySelector('[data-message-id="m-1"]') as HTMLElement;
      host.dataset.messageContent = 'Hello, the full answer.';
      host.dataset.theme = 'dark';
    });
    await nextFrame(page);
    expect(await w.textbox.inputValue()).toBe('Half an');
    expect(server.requests).toEqual([]);
    await w.textbox.fill('Half an answer');
    await w.send.click();
    expect(await theOneVote(page)).toMatchObject({
      message_id: 'm-1',
      rating: 'down',
      comment: 'Half an answer',
      message_content: 'Hello, the full answer.',
    });
    expectNoProblems();
  });

  it('removing data-feedback unmounts the widget and sends its open follow-up', async () => {
    const page = await openChat(messages(1, 1));
    const w = widget(page, 'm-1');
    await w.down.click();
    await w.textbox.fill('Gone');
    await page.evaluate(() => {
      document.querySelector('[data-message-id="m-1"]')?.removeAttribute('data-feedback');
    });
    await server.waitFor(1);
    await outboxDrained(page);
    expect(bodies()[0]).toMatchObject({ message_id: 'm-1', comment: 'Gone' });
    expect(await page.locator('[data-message-id="m-1"]').getByRole('button').count()).toBe(0);
    expectNoProblems();
  });
});

describe('an element reused in place for another message (data-message-id changed)', () => {
  it('shows the new message unvoted instead of the vote recorded on the old one', async () => {
    const page = await openChat(messages(1, 2));
    await widget(page, 'm-1').up.click();
    await server.waitFor(1);
    await page.evaluate(() => {
      document.querySelector('[data-message-id="m-1"]')?.setAttribute('data-message-id', 'm-7');
    });
    const reused = widget(page, 'm-7');
    await expect.poll(() => pressed(reused), { timeout: 5000 }).toEqual(['false', 'false']);
    expect(await reused.status.textContent()).toBe('');
    expectNoProblems();
  });

  it('sends a vote made after the change with the new message id', async () => {
    const page = await openChat(messages(1, 2));
    await widget(page, 'm-1').up.waitFor();
    await page.evaluate(() => {
      document.querySelector('[data-message-id="m-1"]')?.setAttribute('data-message-id', 'm-8');
    });
    await widget(page, 'm-8').up.click();
    expect(await theOneVote(page)).toMatchObject({ message_id: 'm-8', rating: 'up' });
    expectNoProblems();
  });

  it('sends a follow-up left open on the old message once, with what was typed', async () => {
    const page = await openChat(messages(1, 2));
    const w = widget(page, 'm-1');
    await w.down.click();
    await w.textbox.fill('Outdated pricing');
    await page.evaluate(() => {
      document.querySelector('[data-message-id="m-1"]')?.setAttribute('data-message-id', 'm-9');
    });
    expect(await theOneVote(page)).toMatchObject({
      message_id: 'm-1',
      rating: 'down',
      comment: 'Outdated pricing',
    });
    expect(await pressed(widget(page, 'm-9'))).toEqual(['false', 'false']);
    expectNoProblems();
  });
});

describe('a single-page-app route change to another conversation', () => {
  /** Replaces the whole chat with conversation c2, as a router does after pushState. */
  function routeToC2(page: Page) {
    return page.evaluate(
      (markup) => {
        history.pushState({}, '', '/conversations/c2');
        const chat = document.createElement('section');
        chat.id = 'chat';
        chat.innerHTML = markup;
        (document.getElementById('app') as HTMLElement).replaceChildren(chat);
      },
      messages(1, 3, 'c2', 'n'),
    );
  }

  it('unmounts the widgets of the old conversation and mounts those of the new one', async () => {
    const page = await openChat(messages(1, 3));
    await widget(page, 'm-3').up.waitFor();
    expect(await keepHosts(page, 'old')).toBe(3);
    await routeToC2(page);
    await expect.poll(() => renderedIn(page, 'old')).toEqual([0, 0, 0]);
    await expect.poll(() => census(page)).toEqual({ hosts: 3, wrong: [] });
    await widget(page, 'n-2').up.click();
    expect(await theOneVote(page)).toMatchObject({
      conversation_id: 'c2',
      message_id: 'n-2',
      rating: 'up',
    });
    expectNoProblems();
  });

  it('leaves the old widgets dead: a theme change and a flush afterwards render and send nothing', async () => {
    const page = await openChat(messages(1, 3));
    await widget(page, 'm-1').up.click();
    await server.waitFor(1);
    await keepHosts(page, 'old');
    await routeToC2(page);
    await expect.poll(() => census(page)).toEqual({ hosts: 3, wrong: [] });
    const background = () =>
      widget(page, 'n-1').up.evaluate((button) => getComputedStyle(button).backgroundColor);
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.evaluate(() => document.documentElement.classList.add('dark'));
    // The live widgets follow the theme, so a leaked old one would have rendered too by now.
    await expect.poll(background).toBe('rgb(22, 27, 34)');
    await page.evaluate(() => window.FeedbackWidget?.flush());
    await outboxDrained(page);
    expect(await renderedIn(page, 'old')).toEqual([0, 0, 0]);
    expect(server.requests).toHaveLength(1);
    expectNoProblems();
  });

  it('sends a follow-up left open in the old conversation once, with what was typed', async () => {
    const page = await openChat(messages(1, 3));
    const w = widget(page, 'm-2');
    await w.down.click();
    await w.reason('Incorrect').click();
    await w.textbox.fill('Wrong plan name');
    await routeToC2(page);
    expect(await theOneVote(page)).toMatchObject({
      conversation_id: 'c1',
      message_id: 'm-2',
      rating: 'down',
      reason: 'Incorrect',
      comment: 'Wrong plan name',
    });
    expectNoProblems();
  });
});
