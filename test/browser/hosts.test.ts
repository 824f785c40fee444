// @vitest-environment node
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { nextFrame, widgetControls } from '../helpers/browser';
import { useBrowserTest } from '../helpers/browser-suite';
import { bundleForBrowser, bundleForNode } from '../helpers/bundle';
import type { Recorded } from '../helpers/recording-server';
import type { ChatProps } from '../hosts/react-chat';

const JS = { 'Content-Type': 'text/javascript' };
const SCRIPT = '<script src="/feedback-widget.js" data-endpoint="/api/feedback"></script>';
const CHAT: ChatProps = {
  endpoint: '/api/feedback',
  messages: [
    { id: '1', text: 'First answer.' },
    { id: '2', text: 'Second answer.' },
  ],
};

let bundles: { react: string; vue: string; server: string };

beforeAll(async () => {
  // Built at test time from test/hosts, with the frameworks' production builds, as apps ship.
  const [react, vue, node] = await Promise.all([
    bundleForBrowser('react-client.ts'),
    bundleForBrowser('vue-chat.ts'),
    bundleForNode('react-server.ts'),
  ]);
  bundles = { react, vue, server: node };
}, 120_000);

const { server, t } = useBrowserTest((recording) => {
  recording.page('/react.js', bundles.react, JS);
  recording.page('/vue.js', bundles.vue, JS);
});

function html(body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>${head}</head><body>${body}</body></html>`;
}

async function open(path: string, body: string, head = ''): Promise<Page> {
  server.page(path, html(body, head));
  const page = await t.newPage();
  await page.goto(`${server.origin}${path}`);
  return page;
}

/** The chat of test/hosts/react-chat.ts; `markup` is what the server rendered, if anything. */
function openReact(markup = ''): Promise<Page> {
  const props = JSON.stringify(CHAT).replace(/</g, '\\u003c');
  return open(
    markup ? '/react-ssr' : '/react',
    `<div id="app">${markup}</div><script id="props" type="application/json">${props}</script>` +
      '<script type="module" src="/react.js"></script>',
  );
}

/** The `<feedback-widget>` element of message `id` in the React chat. */
const element = (page: Page, id: string) =>
  widgetControls(page.locator(`feedback-widget[message-id="el-${id}"]`));

/** The `<Feedback>` component of message `id` in the React chat. */
const component = (page: Page, id: string) =>
  widgetControls(
    page
      .locator('#components article')
      .filter({ hasText: CHAT.messages.find((m) => m.id === id)?.text ?? '' })
      .locator('.feedback'),
  );

const bodies = (requests: Recorded[]) => requests.map((r) => r.body as Record<string, unknown>);

/** The theme the widget in `host` shows. */
const themeOf = (host: Locator) => host.locator('[part~="widget"]').getAttribute('data-theme');

describe('React 19 in StrictMode', () => {
  it('shows one widget per answer, and one vote is one request and one onVote', async () => {
    const page = await openReact();
    const widget = component(page, '1');
    await widget.up.click();

    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ rating: 'up', message_id: 'c-1' });
    expect(await page.evaluate(() => window.votes?.length)).toBe(1);
    await expect.poll(() => widget.group.count()).toBe(1);
    expect(await element(page, '1').group.count()).toBe(1);
  });

  it('re-ordering the keyed list keeps the open follow-up of a <feedback-widget>', async () => {
    const page = await openReact();
    const widget = element(page, '1');
    await widget.down.click();
    await widget.textbox.fill('Half a thought');

    await page.evaluate(() => window.chat?.reverse());

    await expect
      .poll(() => page.locator('#elements article').first().textContent())
      .toContain('Second');
    expect(await widget.textbox.inputValue()).toBe('Half a thought');
    await widget.send.click();
    await component(page, '2').up.click();
    const requests = await server.waitFor(2);
    expect(bodies(requests)).toEqual([
      expect.objectContaining({ message_id: 'el-1', comment: 'Half a thought' }),
      expect.objectContaining({ message_id: 'c-2', rating: 'up' }),
    ]);
  });

  it('<Feedback> keeps its open follow-up while the answer streams and props change', async () => {
    const page = await openReact();
    const widget = component(page, '1');
    await widget.down.click();
    await widget.textbox.fill('Still typing');

    await page.evaluate(() => {
      window.chat?.stream('1', ' More text.');
      window.chat?.thanks('Merci !');
    });
    await expect
      .poll(() => page.locator('#components article').first().textContent())
      .toContain('More text.');

    expect(await widget.textbox.inputValue()).toBe('Still typing');
    await widget.send.click();
    await expect.poll(() => widget.status.textContent()).toBe('Merci !');
    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ message_id: 'c-1', comment: 'Still typing' });
  });

  it('<Feedback> falls back to the default text when a prop is taken away, its follow-up left open', async () => {
    const page = await openReact();
    const widget = component(page, '2');
    await page.evaluate(() => window.chat?.thanks('Merci !'));
    await widget.down.click();
    await widget.textbox.fill('Half typed');

    await page.evaluate(() => window.chat?.thanks(''));
    await nextFrame(page);

    expect(await widget.textbox.inputValue()).toBe('Half typed');
    expect(server.requests).toEqual([]);
    await widget.send.click();
    await expect.poll(() => widget.status.textContent()).toBe('Thanks for your feedback!');
    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ message_id: 'c-2', comment: 'Half typed' });
  });

  it('a chat rendered on the server hydrates without a mismatch, and its widgets work', async () => {
    // Plain Node, no DOM: the server imports the widget's module graph.
    const markup = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { render } from ${JSON.stringify(bundles.server)};
         process.stdout.write(render(${JSON.stringify(CHAT)}));`,
      ],
      { encoding: 'utf8' },
    );
    expect(markup).toContain('<feedback-widget endpoint="/api/feedback" message-id="el-1">');

    const page = await openReact(markup);
    await element(page, '2').up.click();
    await component(page, '2').up.click();

    const requests = await server.waitFor(2);
    expect(
      bodies(requests)
        .map((body) => body.message_id)
        .sort(),
    ).toEqual(['c-2', 'el-2']);
    expect(t.problems.consoleErrors).toEqual([]);
    expect(t.problems.pageErrors).toEqual([]);
  });
});

describe('Vue 3', () => {
  const openVue = () =>
    open('/vue', '<div id="app"></div><script type="module" src="/vue.js"></script>');
  const answer = (page: Page) => widgetControls(page.locator('.answer'));

  it('a streaming answer keeps the open follow-up', async () => {
    const page = await openVue();
    await answer(page).down.click();
    await answer(page).textbox.fill('Wait');

    await page.evaluate(() => window.vueChat?.stream(' and more'));
    await expect.poll(() => page.locator('.answer p').textContent()).toBe('An answer and more');

    expect(await answer(page).textbox.inputValue()).toBe('Wait');
  });

  it('KeepAlive switching a tab away and back keeps its open follow-up', async () => {
    const page = await openVue();
    const kept = widgetControls(page.locator('.kept'));
    await kept.down.click();
    await kept.textbox.fill('Back later');

    await page.evaluate(() => window.vueChat?.switchTab());
    await page.locator('.other').waitFor();
    await page.evaluate(() => window.vueChat?.switchTab());

    expect(await kept.textbox.inputValue()).toBe('Back later');
    await kept.send.click();
    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ message_id: 'v-kept', comment: 'Back later' });
  });

  it('v-if taking the answer away sends its open follow-up at once', async () => {
    const page = await openVue();
    await answer(page).down.click();
    await answer(page).textbox.fill('Gone');

    await page.evaluate(() => window.vueChat?.toggle());

    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ message_id: 'v-1', rating: 'down', comment: 'Gone' });
  });
});

/** A chat panel as chat kits build it: a web component rendering into its own shadow root. */
function chatPanel(scans: boolean): string {
  return `<script type="module">
    customElements.define('chat-panel', class extends HTMLElement {
      connectedCallback() {
        // Once: the README has a component hand its root over once.
        if (this.shadowRoot) return;
        const root = this.attachShadow({ mode: 'open' });
        root.innerHTML = '<div class="answer"><p>One</p><div data-feedback data-message-id="s-1"></div></div>';
        ${scans ? 'window.FeedbackWidget.scan(root);' : ''}
      }
      add(id) {
        const answer = document.createElement('div');
        answer.className = 'answer';
        answer.innerHTML = '<p>' + id + '</p><div data-feedback data-message-id="' + id + '"></div>';
        this.shadowRoot.append(answer);
      }
    });
  </script>`;
}

describe('a web component with its own shadow root', () => {
  const inPanel = (page: Page, id: string) =>
    widgetControls(page.locator(`chat-panel [data-message-id="${id}"]`));

  it('an answer removed from a scanned shadow root sends its open follow-up at once', async () => {
    const page = await open('/panel', '<chat-panel></chat-panel>', SCRIPT + chatPanel(true));
    await inPanel(page, 's-1').down.click();
    await inPanel(page, 's-1').textbox.fill('Deleted answer');

    await page.evaluate(() =>
      document.querySelector('chat-panel')?.shadowRoot?.firstElementChild?.remove(),
    );

    const [request] = await server.waitFor(1, 3_000);
    expect(request?.body).toMatchObject({ message_id: 's-1', comment: 'Deleted answer' });
  });

  it('an answer added later to a scanned shadow root gets a widget', async () => {
    const page = await open('/panel', '<chat-panel></chat-panel>', SCRIPT + chatPanel(true));
    await inPanel(page, 's-1').group.waitFor();

    await page.evaluate(() =>
      (document.querySelector('chat-panel') as HTMLElement & { add(id: string): void }).add('s-2'),
    );

    await inPanel(page, 's-2').up.click();
    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ message_id: 's-2', rating: 'up' });
  });

  it('a scanned panel detached and attached again shows its widgets again, the vote still pressed', async () => {
    const page = await open('/panel', '<chat-panel></chat-panel>', SCRIPT + chatPanel(true));
    await inPanel(page, 's-1').up.click();
    await server.waitFor(1);

    // A tab panel or drawer taken out of the page, then put back in a later task.
    await page.evaluate(() => {
      const panel = document.querySelector('chat-panel') as HTMLElement;
      panel.remove();
      (window as unknown as { parked: HTMLElement }).parked = panel;
    });
    await nextFrame(page);
    await page.evaluate(() =>
      document.body.append((window as unknown as { parked: HTMLElement }).parked),
    );

    await expect.poll(() => inPanel(page, 's-1').up.getAttribute('aria-pressed')).toBe('true');
    await inPanel(page, 's-1').up.click();
    await nextFrame(page);
    expect(server.requests).toHaveLength(1);
  });

  it('auto-mount leaves a shadow root alone until the component scans it', async () => {
    const page = await open(
      '/panel',
      '<chat-panel></chat-panel><div data-feedback data-message-id="light"></div>',
      SCRIPT + chatPanel(false),
    );
    await widgetControls(page.locator('[data-message-id="light"]')).group.waitFor();

    expect(await inPanel(page, 's-1').group.count()).toBe(0);
    await page.evaluate(() =>
      window.FeedbackWidget?.scan(document.querySelector('chat-panel')?.shadowRoot as ShadowRoot),
    );
    await inPanel(page, 's-1').group.waitFor();
  });
});

describe('the versioned CDN snippet', () => {
  /** `npm run sri`'s snippet, pointed at this server instead of the CDN. */
  function snippet(): string {
    const printed = execFileSync(process.execPath, ['scripts/sri.mjs'], { encoding: 'utf8' });
    return printed
      .replace(/src="[^"]+"/, 'src="/feedback-widget.js"')
      .replace('https://api.example.com/feedback', '/api/feedback');
  }

  it('loads with its integrity hash checked and mounts the widgets', async () => {
    const page = await open('/cdn', '<div data-feedback data-message-id="cdn-1"></div>', snippet());

    await widgetControls(page.locator('[data-feedback]')).up.click();

    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ message_id: 'cdn-1' });
  });

  it('is the snippet the README prints, hash included', () => {
    const readme = readFileSync('README.md', 'utf8');
    const printed = execFileSync(process.execPath, ['scripts/sri.mjs'], { encoding: 'utf8' });
    expect(readme).toContain(printed.trim());
  });

  it('is refused by the browser when the file does not match its hash', async () => {
    const tampered = snippet().replace(
      /integrity="sha384-(.)/,
      (_, first: string) => `integrity="sha384-${first === 'A' ? 'B' : 'A'}`,
    );
    const page = await open('/cdn', '<div data-feedback data-message-id="cdn-2"></div>', tampered);
    await expect.poll(() => t.problems.consoleErrors.join('\n')).toContain('integrity');

    expect(await page.evaluate(() => 'FeedbackWidget' in window)).toBe(false);
  });
});

describe('pages that change under the widget', () => {
  it('page_url is where the vote was made, after the app moved with pushState', async () => {
    const page = await open(
      '/',
      '<div data-feedback data-message-id="p-1" data-ask="never"></div>',
      SCRIPT,
    );
    const widget = widgetControls(page.locator('[data-feedback]'));
    await widget.group.waitFor();

    await page.evaluate(() => history.pushState({}, '', '/c/42?draft=1#end'));
    await widget.up.click();

    const [request] = await server.waitFor(1);
    expect(request?.body).toMatchObject({ page_url: `${server.origin}/c/42` });
  });

  it('after Turbo Drive swaps in a new <body>, the theme follows that body', async () => {
    const page = await open('/turbo', '<div data-feedback data-message-id="b-1"></div>', SCRIPT);
    await page.locator('[data-message-id="b-1"] [part~="widget"]').waitFor();

    await page.evaluate(() => {
      const body = document.createElement('body');
      body.innerHTML = '<div data-feedback data-message-id="b-2"></div>';
      document.body.replaceWith(body);
    });
    const host = page.locator('[data-message-id="b-2"]');
    await expect.poll(() => themeOf(host)).toBe('light');
    await page.evaluate(() => document.body.classList.add('dark'));

    await expect.poll(() => themeOf(host)).toBe('dark');
  });
});
