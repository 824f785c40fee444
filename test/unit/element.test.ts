import { fireEvent } from '@testing-library/preact';
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { defineElement, FeedbackWidgetElement } from '../../widget/api';
import { errorMessages, resetPage, shadow, widgetRoot } from '../helpers/dom';
import { bodyOf, countVotes } from '../helpers/page-events';
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server';

let server: RecordingServer;
let votes: ReturnType<typeof countVotes>;
let subjects = 0;
let messageId: string;

/** One macrotask: queued microtasks (batched attribute changes) have run. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeAll(() => {
  defineElement();
});

beforeEach(async () => {
  resetPage();
  server = await startRecordingServer();
  votes = countVotes();
  // Custom elements cannot be redefined, so the runtime is shared: a fresh subject per test.
  subjects += 1;
  messageId = `m-${subjects}`;
});

afterEach(async () => {
  // Disconnecting sends open follow-ups while the server listens.
  document.body.replaceChildren();
  await votes.settle(server);
  votes.stop();
  await server.close();
});

/** `<feedback-widget endpoint=… message-id=…>` with more attributes, added to the page. */
/** Added to the page; it mounts in a microtask, once the task's attribute changes are in. */
async function addElement(attributes: Record<string, string> = {}): Promise<FeedbackWidgetElement> {
  const element = document.createElement('feedback-widget') as FeedbackWidgetElement;
  element.setAttribute('endpoint', `${server.origin}/api/feedback`);
  element.setAttribute('message-id', messageId);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
  await tick();
  return element;
}

/** Counts the widget roots taken out of a shadow root: one per re-mount. */
function countRemounts(element: Element): { readonly count: number } {
  let count = 0;
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.removedNodes) {
        if (node instanceof Element && node.matches('[part~="widget"]')) count += 1;
      }
    }
  }).observe(element.shadowRoot as ShadowRoot, { childList: true });
  return {
    get count() {
      return count;
    },
  };
}

describe('rendering', () => {
  test('renders a widget into its shadow root', async () => {
    const element = await addElement();

    expect(shadow(element).getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
  });

  test('renders from markup in the page', async () => {
    document.body.innerHTML = `<feedback-widget endpoint="${server.origin}/api/feedback"
      message-id="${messageId}" label-down="Nope"></feedback-widget>`;
    const element = document.querySelector('feedback-widget') as Element;
    await tick();

    expect(shadow(element).getByRole('button', { name: 'Nope' })).toBeTruthy();
  });

  test('takes the options as attributes without the data- prefix', async () => {
    const element = await addElement({ 'label-up': 'Yes', ask: 'never', 'conversation-id': 'c-9' });

    fireEvent.click(shadow(element).getByRole('button', { name: 'Yes' }));

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ message_id: messageId, conversation_id: 'c-9' });
  });

  test('a bare neutral attribute adds the Neutral choice', async () => {
    const element = await addElement({ neutral: '' });

    expect(shadow(element).getByRole('button', { name: 'Neutral' })).toBeTruthy();
  });

  test('defining the element twice is harmless', async () => {
    expect(() => defineElement()).not.toThrow();
    expect(customElements.get('feedback-widget')).toBe(FeedbackWidgetElement);
  });
});

describe('attribute changes', () => {
  test('applies several attribute changes made in one task together', async () => {
    const element = await addElement();

    element.setAttribute('label-up', 'Yes');
    element.setAttribute('label-down', 'No');
    await tick();

    expect(shadow(element).getByRole('button', { name: 'Yes' })).toBeTruthy();
    expect(shadow(element).getByRole('button', { name: 'No' })).toBeTruthy();
  });

  test('attribute changes that keep the subject re-render the widget in place', async () => {
    const element = await addElement();
    const remounts = countRemounts(element);

    element.setAttribute('label-up', 'Yes');
    element.setAttribute('label-down', 'No');
    element.setAttribute('prompt', 'Useful?');
    await tick();

    expect(remounts.count).toBe(0);
    expect(shadow(element).getByRole('group', { name: 'Useful?' })).toBeTruthy();
  });

  test('a changed message-id mounts the widget afresh, once', async () => {
    const element = await addElement();
    const remounts = countRemounts(element);

    element.setAttribute('message-id', `${messageId}-next`);
    element.setAttribute('prompt', 'Useful?');
    await tick();

    expect(remounts.count).toBe(1);
  });

  test('a changed text keeps the open follow-up and what was typed in it', async () => {
    const element = await addElement();
    fireEvent.click(shadow(element).getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(shadow(element).getByRole('textbox'), { target: { value: 'Half' } });

    element.setAttribute('thanks', 'Merci');
    await tick();

    expect((shadow(element).getByRole('textbox') as HTMLTextAreaElement).value).toBe('Half');
    expect(server.requests).toEqual([]);
  });

  test('a bad value corrected in the same task is never reported', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const element = await addElement();

    element.setAttribute('format', 'bogus');
    element.setAttribute('format', 'event');
    await tick();

    expect(error).not.toHaveBeenCalled();
    expect(widgetRoot(element)).not.toBeNull();
  });

  test('an element configured right after it is added reports nothing', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const element = document.createElement('feedback-widget');

    document.body.append(element);
    element.setAttribute('endpoint', `${server.origin}/api/feedback`);
    element.setAttribute('message-id', messageId);
    await tick();

    expect(error).not.toHaveBeenCalled();
    expect(widgetRoot(element)).not.toBeNull();
  });
});

describe('configuration errors', () => {
  test('a bad attribute logs one console.error naming it without the data- prefix', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});

    const element = await addElement({ format: 'bogus' });

    expect(error).toHaveBeenCalledTimes(1);
    const [message] = errorMessages(error);
    expect(message).toContain('`format`');
    expect(message).not.toContain('data-format');
    expect(message).toContain('<feedback-widget');
    expect(widgetRoot(element)).toBeNull();
  });

  test('correcting the bad attribute mounts the widget', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const element = await addElement({ format: 'bogus' });

    element.setAttribute('format', 'event');
    await tick();

    expect(shadow(element).getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
  });
});

describe('disconnection', () => {
  test('a disconnected element is unmounted once the task ends', async () => {
    const element = await addElement();

    element.remove();
    await tick();

    expect(widgetRoot(element)).toBeNull();
  });

  test('a disconnected element sends its open follow-up', async () => {
    const element = await addElement();
    fireEvent.click(shadow(element).getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(shadow(element).getByRole('textbox'), { target: { value: 'Too short' } });

    element.remove();

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ rating: 'down', comment: 'Too short' });
  });

  test('a reconnected element is mounted again', async () => {
    const element = await addElement();
    element.remove();

    document.body.append(element);
    await tick();

    expect(shadow(element).getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
  });

  test('an element moved within one task keeps its open follow-up', async () => {
    const element = await addElement();
    const remounts = countRemounts(element);
    fireEvent.click(shadow(element).getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(shadow(element).getByRole('textbox'), { target: { value: 'Half' } });

    const before = document.createElement('p');
    document.body.append(before);
    document.body.insertBefore(element, before);
    await tick();

    expect((shadow(element).getByRole('textbox') as HTMLTextAreaElement).value).toBe('Half');
    expect(remounts.count).toBe(0);
    expect(server.requests).toEqual([]);
  });

  test('attribute changes while disconnected apply when it is added again', async () => {
    const element = await addElement();
    element.remove();

    element.setAttribute('label-up', 'Yes');
    document.body.append(element);
    await tick();

    expect(shadow(element).getByRole('button', { name: 'Yes' })).toBeTruthy();
  });
});
