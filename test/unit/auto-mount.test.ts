import { fireEvent } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { RawOptions } from '../../widget/core/config';
import { errorMessages, resetPage, shadow, widgetRoot } from '../helpers/dom';
import { trackMutationObservers } from '../helpers/observers';
import { bodyOf, countVotes } from '../helpers/page-events';
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server';
import { patiently } from '../helpers/wait';

type AutoMount = typeof import('../../widget/auto-mount');

let autoMount: AutoMount;
let server: RecordingServer;
let votes: ReturnType<typeof countVotes>;
let observers: ReturnType<typeof trackMutationObservers>;

/**
 * One macrotask: every MutationObserver callback queued before it has run. Removals and
 * attribute changes take effect in that callback; an element added is mounted there only while
 * the slice lasts, so tests wait for additions with `vi.waitFor` instead.
 */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(async () => {
  resetPage();
  observers = trackMutationObservers();
  // auto-mount and the runtime keep module state: fresh copies are a fresh page.
  vi.resetModules();
  autoMount = await import('../../widget/auto-mount');
  server = await startRecordingServer();
  votes = countVotes();
});

afterEach(async () => {
  // Removing the page's widgets sends their open follow-ups while the server listens.
  document.body.replaceChildren();
  await tick();
  observers.disconnectAll();
  observers.restore();
  await votes.settle(server);
  votes.stop();
  await server.close();
});

/** Starts auto-mounting; resolves when the elements already in the page are mounted. */
function start(defaults: RawOptions = {}, selector?: string): Promise<void> {
  return autoMount.startAutoMount({
    defaults: { endpoint: `${server.origin}/api/feedback`, ...defaults },
    selector,
  });
}

/** Adds markup to the page and returns its first element. */
function add(html: string, parent: Element = document.body): HTMLElement {
  const template = document.createElement('template');
  template.innerHTML = html.trim();
  const element = template.content.firstElementChild as HTMLElement;
  parent.append(element);
  return element;
}

function isMounted(element: Element): boolean {
  return widgetRoot(element) !== null;
}

describe('mounting', () => {
  test('mounts every [data-feedback] element in the page', async () => {
    const first = add('<div data-feedback data-message-id="m-1"></div>');
    const second = add('<section><p data-feedback data-message-id="m-2"></p></section>');

    await start();

    expect(shadow(first).getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
    expect(isMounted(second.querySelector('p') as Element)).toBe(true);
  });

  test('leaves elements without the attribute alone', async () => {
    const other = add('<div data-message-id="m-1"></div>');

    await start();

    expect(other.shadowRoot).toBeNull();
  });

  test('mounts an element added later', async () => {
    await start();

    const late = add('<div data-feedback data-message-id="m-1"></div>');

    await vi.waitFor(() => expect(isMounted(late)).toBe(true), patiently);
  });

  test('mounts elements nested deep in a subtree added later', async () => {
    const chat = add('<main></main>');
    await start();

    const message = add(
      `<article><div class="body"><div data-feedback data-message-id="m-1"></div></div>
        <footer><span data-feedback data-message-id="m-2"></span></footer></article>`,
      chat,
    );

    const targets = [...message.querySelectorAll('[data-feedback]')];
    expect(targets).toHaveLength(2);
    await vi.waitFor(() => expect(targets.map(isMounted)).toEqual([true, true]), patiently);
  });

  test('uses the script defaults, such as the endpoint, for every element', async () => {
    const element = add('<div data-feedback data-message-id="m-1"></div>');

    await start({ endpoint: `${server.origin}/api/default`, ask: 'never', labelUp: 'Yes' });
    fireEvent.click(shadow(element).getByRole('button', { name: 'Yes' }));

    const [request] = await server.waitFor(1);
    expect(request?.path).toBe('/api/default');
    expect(bodyOf(request).message_id).toBe('m-1');
  });

  test("lets an element's data attributes override the script defaults", async () => {
    const element = add(
      `<div data-feedback data-message-id="m-1" data-endpoint="${server.origin}/api/element"
        data-label-up="Agreed"></div>`,
    );

    await start({ endpoint: `${server.origin}/api/default`, ask: 'never', labelUp: 'Yes' });
    fireEvent.click(shadow(element).getByRole('button', { name: 'Agreed' }));

    const [request] = await server.waitFor(1);
    expect(request?.path).toBe('/api/element');
  });
});

describe('mounting in slices', () => {
  /** Enough answers that mounting them takes longer than one slice, even on a fast machine. */
  function addAnswers(count: number): HTMLElement[] {
    return Array.from({ length: count }, (_, index) =>
      add(`<div data-feedback data-message-id="m-${index}"></div>`),
    );
  }

  test('the first answers mount before start returns, the rest in later tasks', async () => {
    const answers = addAnswers(300);

    const mounted = start();

    expect([isMounted(answers[0] as Element), isMounted(answers[299] as Element)]).toEqual([
      true,
      false,
    ]);
    await mounted;
    expect(answers.every(isMounted)).toBe(true);
  });

  test('scan resolves once every element it found is mounted', async () => {
    await start();
    const list = add('<ul></ul>');
    const answers = Array.from({ length: 300 }, (_, index) =>
      add(`<li data-feedback data-message-id="m-${index}"></li>`, list),
    );

    await autoMount.scan(list);

    expect(answers.every(isMounted)).toBe(true);
  });

  test('an element removed before its turn is never mounted', async () => {
    const answers = addAnswers(300);
    const last = answers[299] as HTMLElement;

    const mounted = start();
    last.remove();
    await mounted;

    expect(last.shadowRoot).toBeNull();
  });

  test('scan mounts the elements of a subtree not in the document', async () => {
    await start();
    const fragment = document.createElement('div');
    fragment.innerHTML = '<p data-feedback data-message-id="m-1"></p>';

    await autoMount.scan(fragment);

    expect(isMounted(fragment.firstElementChild as Element)).toBe(true);
  });
});

describe('never twice', () => {
  test('scanning the page again does not mount an element a second time', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    add('<div data-feedback data-format="bogus"></div>');
    await start();

    await autoMount.scan();
    await autoMount.scan(document.body);

    expect(error).toHaveBeenCalledTimes(1);
  });

  test('scanning again leaves an open follow-up open', async () => {
    const element = add('<div data-feedback data-message-id="m-1"></div>');
    await start();
    fireEvent.click(shadow(element).getByRole('button', { name: 'Not helpful' }));

    await autoMount.scan();

    expect(shadow(element).queryByRole('textbox')).not.toBeNull();
  });

  test('moving a mounted element keeps its widget and its open follow-up', async () => {
    const from = add('<div></div>');
    const to = add('<div></div>');
    const element = add('<div data-feedback data-message-id="m-1"></div>', from);
    await start();
    fireEvent.click(shadow(element).getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(shadow(element).getByRole('textbox'), { target: { value: 'Still typing' } });

    to.append(element);
    await tick();

    expect((shadow(element).getByRole('textbox') as HTMLTextAreaElement).value).toBe(
      'Still typing',
    );
  });
});

describe('removal', () => {
  test('a removed element is unmounted', async () => {
    const element = add('<div data-feedback data-message-id="m-1"></div>');
    await start();

    element.remove();
    await tick();

    expect(isMounted(element)).toBe(false);
  });

  test("a removed element's open follow-up is sent with what was entered", async () => {
    const element = add('<div data-feedback data-message-id="m-1"></div>');
    await start();
    fireEvent.click(shadow(element).getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(shadow(element).getByRole('textbox'), { target: { value: 'Wrong API' } });

    element.remove();

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({
      message_id: 'm-1',
      rating: 'down',
      comment: 'Wrong API',
    });
  });

  test('an element removed with its ancestor is unmounted', async () => {
    const message = add('<article><div data-feedback data-message-id="m-1"></div></article>');
    const element = message.firstElementChild as HTMLElement;
    await start();

    message.remove();
    await tick();

    expect(isMounted(element)).toBe(false);
  });

  test('an element removed and added back later is mounted again', async () => {
    const element = add('<div data-feedback data-message-id="m-1"></div>');
    await start();
    element.remove();
    await tick();
    expect(isMounted(element)).toBe(false);

    document.body.append(element);

    await vi.waitFor(() => expect(isMounted(element)).toBe(true), patiently);
  });
});

describe('selector', () => {
  test('an element reused for another message shows that message and votes for it', async () => {
    const element = add('<div data-feedback data-message-id="m-1" data-ask="never"></div>');
    await start();
    fireEvent.click(shadow(element).getByRole('button', { name: 'Helpful' }));
    await server.waitFor(1);

    element.dataset.messageId = 'm-2';
    await tick();

    expect(
      shadow(element).getByRole('button', { name: 'Helpful' }).getAttribute('aria-pressed'),
    ).toBe('false');
    fireEvent.click(shadow(element).getByRole('button', { name: 'Not helpful' }));
    const requests = await server.waitFor(2);
    expect(requests.map((request) => bodyOf(request).message_id)).toEqual(['m-1', 'm-2']);
  });

  test('several attributes changed at once remount the widget once', async () => {
    const element = add('<div data-feedback data-message-id="m-1"></div>');
    await start();
    const before = widgetRoot(element);

    element.dataset.messageId = 'm-2';
    element.dataset.labelUp = 'Yes';
    element.dataset.prompt = 'Any good?';
    await tick();

    expect(shadow(element).getByRole('group', { name: 'Any good?' })).toBeTruthy();
    expect(widgetRoot(element)).not.toBe(before);
    expect(shadow(element).getAllByRole('button', { name: 'Yes' })).toHaveLength(1);
  });

  test('an attribute that is not an option, such as class, leaves the widget as it is', async () => {
    const element = add('<div data-feedback data-message-id="m-1"></div>');
    await start();
    const before = widgetRoot(element);

    element.className = 'highlighted';
    await tick();

    expect(widgetRoot(element)).toBe(before);
  });

  test('an element given data-feedback after load is mounted, and unmounted when it is taken away', async () => {
    const element = add('<div data-message-id="m-1"></div>');
    await start();

    element.dataset.feedback = '';
    await vi.waitFor(() => expect(isMounted(element)).toBe(true), patiently);

    delete element.dataset.feedback;
    await tick();
    expect(isMounted(element)).toBe(false);
  });

  test('a custom selector mounts its matches instead of [data-feedback]', async () => {
    const custom = add('<div class="rate-me" data-message-id="m-1"></div>');
    const plain = add('<div data-feedback data-message-id="m-2"></div>');

    await start({}, '.rate-me');

    expect(isMounted(custom)).toBe(true);
    expect(plain.shadowRoot).toBeNull();
  });

  test('a custom selector also applies to elements added later', async () => {
    await start({}, '.rate-me');

    const late = add('<div class="rate-me" data-message-id="m-1"></div>');

    await vi.waitFor(() => expect(isMounted(late)).toBe(true), patiently);
  });

  test('an invalid selector is reported naming data-selector and the default is used', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const plain = add('<div data-feedback data-message-id="m-1"></div>');

    await start({}, 'div[[oops');

    expect(errorMessages(error)).toEqual([expect.stringContaining('`data-selector`')]);
    expect(isMounted(plain)).toBe(true);
  });
});
