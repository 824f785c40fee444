import { cleanup, fireEvent, render } from '@testing-library/preact';
import { h } from 'preact';
import { afterEach, beforeEach, describe, expect, expectTypeOf, test, vi } from 'vitest';
import * as api from '../../widget/api';
import {
  type Ask,
  ConfigError,
  DeliveryError,
  Feedback,
  type FeedbackEvent,
  type FeedbackEventMap,
  type FeedbackEventType,
  type FeedbackHandle,
  type FeedbackOptions,
  type Format,
  flush,
  mount,
  type Rating,
  type Scale,
  scan,
  type Theme,
  type Variant,
} from '../../widget/api';
import { container, errorMessages, resetPage, shadow, widgetRoot } from '../helpers/dom';
import { bodyOf, countVotes } from '../helpers/page-events';
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server';

let server: RecordingServer;
let votes: ReturnType<typeof countVotes>;
let subjects = 0;
let messageId: string;
let handles: FeedbackHandle[];

beforeEach(async () => {
  resetPage();
  server = await startRecordingServer();
  votes = countVotes();
  handles = [];
  // One runtime for the whole file (the component must share this file's Preact): a fresh
  // subject per test keeps votes apart.
  subjects += 1;
  messageId = `m-${subjects}`;
});

afterEach(async () => {
  cleanup();
  for (const handle of handles) handle.unmount();
  await votes.settle(server);
  votes.stop();
  await server.close();
});

function endpoint() {
  return `${server.origin}/api/feedback`;
}

/** The element the component mounted the widget into. */
function hostIn(root: Element): HTMLElement {
  return root.firstElementChild as HTMLElement;
}

describe('the Feedback component', () => {
  test('renders a widget with its props as options', async () => {
    const { container: root } = render(
      <Feedback endpoint={endpoint()} messageId={messageId} labelUp="Yes" ask="never" />,
    );

    fireEvent.click(shadow(hostIn(root)).getByRole('button', { name: 'Yes' }));

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ message_id: messageId, rating: 'up' });
  });

  test('takes arrays and objects as props', async () => {
    const { container: root } = render(
      <Feedback
        endpoint={endpoint()}
        messageId={messageId}
        reasons={['Slow', 'Wrong']}
        metadata={{ plan: 'pro' }}
      />,
    );
    const ui = shadow(hostIn(root));
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    fireEvent.click(ui.getByRole('button', { name: 'Wrong' }));

    fireEvent.click(ui.getByRole('button', { name: 'Send' }));

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ reason: 'Wrong', metadata: { plan: 'pro' } });
  });

  test('shows changed props', () => {
    const { container: root, rerender } = render(
      <Feedback endpoint={endpoint()} messageId={messageId} labelUp="Yes" />,
    );

    rerender(<Feedback endpoint={endpoint()} messageId={messageId} labelUp="Agreed" />);

    const ui = shadow(hostIn(root));
    expect(ui.getByRole('button', { name: 'Agreed' })).toBeTruthy();
    expect(ui.queryByRole('button', { name: 'Yes' })).toBeNull();
  });

  test('keeps the widget and its open follow-up when re-rendered with equal props', () => {
    const { container: root, rerender } = render(
      <Feedback endpoint={endpoint()} messageId={messageId} reasons={['Slow']} />,
    );
    const ui = shadow(hostIn(root));
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(ui.getByRole('textbox'), { target: { value: 'Draft' } });

    rerender(<Feedback endpoint={endpoint()} messageId={messageId} reasons={['Slow']} />);

    expect((ui.getByRole('textbox') as HTMLTextAreaElement).value).toBe('Draft');
  });

  test('keeps the open follow-up while a streaming messageContent prop changes', () => {
    const props = { endpoint: endpoint(), messageId, format: 'quality' } as const;
    const { container: root, rerender } = render(<Feedback {...props} messageContent="Part" />);
    const ui = shadow(hostIn(root));
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(ui.getByRole('textbox'), { target: { value: 'Draft' } });

    rerender(<Feedback {...props} messageContent="Part of the answer" />);

    expect((ui.getByRole('textbox') as HTMLTextAreaElement).value).toBe('Draft');
  });

  test('a removed prop takes its default again', () => {
    const { container: root, rerender } = render(
      <Feedback endpoint={endpoint()} messageId={messageId} labelUp="Yes" />,
    );

    rerender(<Feedback endpoint={endpoint()} messageId={messageId} />);

    expect(shadow(hostIn(root)).getByRole('button', { name: 'Helpful' })).toBeTruthy();
  });

  test('a changed messageId sends the open follow-up and shows the new subject', async () => {
    const { container: root, rerender } = render(
      <Feedback endpoint={endpoint()} messageId={messageId} />,
    );
    const ui = shadow(hostIn(root));
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    rerender(<Feedback endpoint={endpoint()} messageId={`${messageId}-next`} />);

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ rating: 'down', message_id: messageId });
    expect(ui.getByRole('button', { name: 'Not helpful' }).getAttribute('aria-pressed')).toBe(
      'false',
    );
  });

  test('unmounting sends the open follow-up', async () => {
    const { container: root, unmount } = render(
      <Feedback endpoint={endpoint()} messageId={messageId} />,
    );
    const ui = shadow(hostIn(root));
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(ui.getByRole('textbox'), { target: { value: 'Stale docs' } });

    unmount();

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ rating: 'down', comment: 'Stale docs' });
  });

  test('unmounting removes the widget and reports nothing', () => {
    const error = vi.spyOn(console, 'error');
    const { container: root, unmount } = render(
      <Feedback endpoint={endpoint()} messageId={messageId} />,
    );
    const host = hostIn(root);

    unmount();

    expect(widgetRoot(host)).toBeNull();
    expect(error).not.toHaveBeenCalled();
  });

  test('bad props are reported, not thrown into the rendering app', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});

    const { container: root } = render(<Feedback endpoint="" messageId={messageId} />);

    expect(errorMessages(error)).toEqual([expect.stringContaining('`endpoint`')]);
    expect(widgetRoot(hostIn(root))).toBeNull();
  });
});

describe('mount', () => {
  test('update with an option given as undefined or null takes it back to its default, keeping the open follow-up', () => {
    const host = container();
    const handle = mount(host, {
      endpoint: endpoint(),
      messageId,
      labelUp: 'Yes',
      prompt: 'Useful?',
    });
    handles.push(handle);
    const ui = shadow(host);
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(ui.getByRole('textbox'), { target: { value: 'Draft' } });

    handle.update({ labelUp: undefined, prompt: null as never });

    expect(ui.getByRole('button', { name: 'Helpful' })).toBeTruthy();
    expect(ui.getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
    expect((ui.getByRole('textbox') as HTMLTextAreaElement).value).toBe('Draft');
  });

  test('update leaves the options it is not given as they were', () => {
    const host = container();
    const handle = mount(host, { endpoint: endpoint(), messageId, labelUp: 'Yes' });
    handles.push(handle);

    handle.update({ prompt: 'Useful?' });

    const ui = shadow(host);
    expect(ui.getByRole('button', { name: 'Yes' })).toBeTruthy();
    expect(ui.getByRole('group', { name: 'Useful?' })).toBeTruthy();
  });
});

describe('flush', () => {
  function openFollowUp(comment: string) {
    const host = container();
    handles.push(mount(host, { endpoint: endpoint(), messageId }));
    const ui = shadow(host);
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(ui.getByRole('textbox'), { target: { value: comment } });
    return ui;
  }

  test('sends an open follow-up as it stands', async () => {
    const ui = openFollowUp('Half done');

    await flush();

    expect(ui.queryByRole('textbox')).toBeNull();
    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ rating: 'down', comment: 'Half done' });
  });

  test('resolves once the pending votes have reached the endpoint', async () => {
    openFollowUp('Half done');

    await flush();

    expect(server.requests).toHaveLength(1);
  });

  test('resolves when nothing is pending', async () => {
    await expect(flush()).resolves.toBeUndefined();
  });
});

describe('scan', () => {
  test('mounts the [data-feedback] elements under a root, each once', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const root = container();
    root.innerHTML = `<div data-feedback data-endpoint="${endpoint()}" data-message-id="${messageId}"></div>
      <div data-feedback data-format="bogus"></div>`;
    const [good] = root.querySelectorAll('[data-feedback]');

    // Mounting yields after ~8 ms: on a busy machine the second element waits for a later task,
    // and only the promise says when both were handled. A scan while one runs, and one after.
    await Promise.all([scan(root), scan(root)]);
    await scan(root);

    expect(shadow(good as Element).getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
    expect(error).toHaveBeenCalledTimes(1);
  });
});

describe('public surface', () => {
  test('exports exactly mount, scan, flush, Feedback, the element and the error classes', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ConfigError',
      'DeliveryError',
      'Feedback',
      'FeedbackWidgetElement',
      'defineElement',
      'flush',
      'mount',
      'scan',
    ]);
    expect(typeof api.mount).toBe('function');
    expect(typeof api.scan).toBe('function');
    expect(typeof api.flush).toBe('function');
    expect(typeof api.defineElement).toBe('function');
    expect(api.FeedbackWidgetElement.prototype).toBeInstanceOf(HTMLElement);
  });

  test('ConfigError is an Error naming the option', () => {
    const error = new ConfigError('format', 'must be one of event, vote');

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.option).toBe('format');
    expect(error.message).toContain('`format`');
  });

  test('DeliveryError is an Error carrying the URL and status', () => {
    const error = new DeliveryError('https://api.example.com/feedback', 503);

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DeliveryError');
    expect(error).toMatchObject({ url: 'https://api.example.com/feedback', status: 503 });
    expect(error.message).toContain('503');
  });

  test('the public types describe options, handles and events', () => {
    expectTypeOf<Rating>().toEqualTypeOf<'up' | 'down' | 'neutral'>();
    expectTypeOf<Format>().toEqualTypeOf<'event' | 'sentiment' | 'vote' | 'score' | 'quality'>();
    expectTypeOf<Ask>().toEqualTypeOf<'down' | 'always' | 'never'>();
    expectTypeOf<Theme>().toEqualTypeOf<'auto' | 'light' | 'dark'>();
    expectTypeOf<Variant>().toEqualTypeOf<'inline' | 'compact'>();
    expectTypeOf<Scale>().toEqualTypeOf<{ min: number; max: number }>();
    expectTypeOf<FeedbackEventType>().toEqualTypeOf<keyof FeedbackEventMap>();
    expectTypeOf<FeedbackEventMap['feedback:vote']>().toEqualTypeOf<FeedbackEvent>();
    expectTypeOf<FeedbackEventMap['feedback:sent']['status']>().toEqualTypeOf<number>();
    expectTypeOf<FeedbackEventMap['feedback:error']['willRetry']>().toEqualTypeOf<boolean>();
    expectTypeOf(mount).returns.toEqualTypeOf<FeedbackHandle>();
    expectTypeOf(flush).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<{
      endpoint: string;
      messageId: string;
      reasons: string[];
      neutral: boolean;
      commentMax: number;
      metadata: Record<string, unknown>;
      sentAt: Date;
    }>().toExtend<FeedbackOptions>();
  });

  test('each option has its own type, and takes its attribute text where that reads well', () => {
    expectTypeOf<{ format: 'bogus' }>().not.toExtend<FeedbackOptions>();
    expectTypeOf<{ endpoint: 42 }>().not.toExtend<FeedbackOptions>();
    expectTypeOf<{ neutral: 'yes' }>().not.toExtend<FeedbackOptions>();
    expectTypeOf<{ credentials: 'always' }>().not.toExtend<FeedbackOptions>();
    expectTypeOf<{ sentAt: number }>().not.toExtend<FeedbackOptions>();
    expectTypeOf<{
      format: 'vote';
      ask: 'always';
      theme: 'dark';
      variant: 'compact';
      credentials: 'include';
      messageId: 42;
      neutral: 'true';
      upValue: '80';
      scale: '1..5';
      reasons: 'Wrong|Slow';
      dedupe: '7d';
      metadata: '{"plan":"pro"}';
      sentAt: '2026-11-21T10:00:00Z';
    }>().toExtend<FeedbackOptions>();
  });

  test('window.FeedbackWidget, which the script tag defines, is typed', () => {
    expectTypeOf(window.FeedbackWidget).toEqualTypeOf<api.FeedbackWidgetGlobal | undefined>();
    expectTypeOf<api.FeedbackWidgetGlobal['mount']>().toEqualTypeOf<typeof mount>();
  });
});
