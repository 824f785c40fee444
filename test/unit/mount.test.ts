import { fireEvent } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { FeedbackEvent, FeedbackHandle, FeedbackOptions } from '../../widget/api';
import { container, errorMessages, resetPage, shadow, widgetRoot } from '../helpers/dom';
import { deferred, OUTBOX_PREFIX, outboxItem } from '../helpers/outbox';
import { bodyOf, collect, countVotes } from '../helpers/page-events';
import {
  type RecordingServer,
  type Reply,
  startRecordingServer,
} from '../helpers/recording-server';
import { FullStorage } from '../helpers/storage';
import { patiently } from '../helpers/wait';

type Api = typeof import('../../widget/api');

let api: Api;
let server: RecordingServer;
let votes: ReturnType<typeof countVotes>;
let listeners: AbortController;
let handles: FeedbackHandle[];
let fences = 0;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeEach(async () => {
  resetPage();
  // The runtime is page-wide: fresh modules are a fresh page with its own vote memory.
  vi.resetModules();
  api = await import('../../widget/api');
  server = await startRecordingServer();
  votes = countVotes();
  listeners = new AbortController();
  handles = [];
});

afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  for (const handle of handles) handle.unmount();
  listeners.abort();
  await votes.settle(server);
  votes.stop();
  await server.close();
});

function endpoint(path = '/api/feedback') {
  return `${server.origin}${path}`;
}

/** Mounts a widget with the public ESM `mount` into a fresh container. */
function mountWidget(options: FeedbackOptions, host: HTMLElement = container()) {
  const handle = api.mount(host, { endpoint: endpoint(), ...options });
  handles.push(handle);
  return { host, handle, ui: () => shadow(host) };
}

/**
 * Casts an unrelated vote and waits for it to arrive: a request an earlier click had
 * started would have arrived by then, so "nothing more was sent" can be asserted.
 */
async function fence() {
  fences += 1;
  const id = `fence-${fences}`;
  const { ui } = mountWidget({ messageId: id, ask: 'never' });
  fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
  await vi.waitFor(
    () => expect(server.requests.some((request) => bodyOf(request).message_id === id)).toBe(true),
    patiently,
  );
}

function requestsFor(messageId: string) {
  return server.requests.filter((request) => bodyOf(request).message_id === messageId);
}

function pressed(host: Element, name: string): string | null {
  return shadow(host).getByRole('button', { name }).getAttribute('aria-pressed');
}

describe('events', () => {
  test('a choice dispatches feedback:vote on the mount element, bubbling and composed', async () => {
    const seen = collect<FeedbackEvent>('feedback:vote', listeners.signal);
    const { host, ui } = mountWidget({ conversationId: 'c-1', messageId: 'm-1', ask: 'never' });

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    expect(seen).toHaveLength(1);
    const [event] = seen;
    expect(event?.target).toBe(host);
    expect(event?.bubbles).toBe(true);
    expect(event?.composed).toBe(true);
    expect(event?.detail).toEqual({
      id: expect.stringMatching(UUID),
      rating: 'up',
      sentiment: 'positive',
      value: 100,
      scale: { min: -100, max: 100 },
      conversation_id: 'c-1',
      message_id: 'm-1',
      page_url: 'http://localhost:3000/',
      locale: 'en',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  test('the vote event carries the value on the configured scale', async () => {
    const seen = collect<FeedbackEvent>('feedback:vote', listeners.signal);
    const { ui } = mountWidget({ messageId: 'm-1', scale: '0..10', ask: 'never' });

    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));

    expect(seen[0]?.detail).toMatchObject({ rating: 'down', value: 0, scale: { min: 0, max: 10 } });
  });

  test('a second click dispatches feedback:duplicate and sends nothing more', async () => {
    const seen = collect<FeedbackEvent>('feedback:vote', listeners.signal);
    const duplicates = collect<{ event: FeedbackEvent }>('feedback:duplicate', listeners.signal);
    const { host, ui } = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));
    await fence();

    expect(seen.filter((event) => event.target === host)).toHaveLength(1);
    expect(duplicates.map((event) => event.detail.event.rating)).toEqual(['up', 'down']);
    expect(duplicates[0]?.target).toBe(host);
    expect(requestsFor('m-1')).toHaveLength(1);
    expect(pressed(host, 'Helpful')).toBe('true');
  });

  test('feedback:sent carries the event and the status once the endpoint accepts it', async () => {
    server.reply = () => ({ status: 202, body: '{}' });
    const sent = collect<{ event: FeedbackEvent; status: number }>(
      'feedback:sent',
      listeners.signal,
    );
    const seen = collect<FeedbackEvent>('feedback:vote', listeners.signal);
    const { host, ui } = mountWidget({ messageId: 'm-1', ask: 'never' });

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    await vi.waitFor(() => expect(sent).toHaveLength(1), patiently);
    expect(sent[0]?.target).toBe(host);
    expect(sent[0]?.composed).toBe(true);
    expect(sent[0]?.detail.status).toBe(202);
    expect(sent[0]?.detail.event).toEqual(seen[0]?.detail);
  });

  test('feedback:error says the vote will be retried after a 503', async () => {
    server.reply = () => ({ status: 503, headers: { 'Retry-After': '3600' } });
    type Failure = { event: FeedbackEvent; error: Error; willRetry: boolean };
    const errors = collect<Failure>('feedback:error', listeners.signal);
    const { host, ui } = mountWidget({ messageId: 'm-1', ask: 'never' });

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    await vi.waitFor(() => expect(errors).toHaveLength(1), patiently);
    expect(errors[0]?.target).toBe(host);
    expect(errors[0]?.bubbles).toBe(true);
    expect(errors[0]?.detail.willRetry).toBe(true);
    expect(errors[0]?.detail.event.message_id).toBe('m-1');
    expect(errors[0]?.detail.error).toBeInstanceOf(api.DeliveryError);
    expect(errors[0]?.detail.error).toMatchObject({ status: 503 });
  });

  test('feedback:error says the vote is dropped after a 400', async () => {
    server.reply = () => ({ status: 400, body: '{"error":"rating"}' });
    type Failure = { event: FeedbackEvent; error: Error; willRetry: boolean };
    const errors = collect<Failure>('feedback:error', listeners.signal);
    const { ui } = mountWidget({ messageId: 'm-1', ask: 'never' });

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    await vi.waitFor(() => expect(errors).toHaveLength(1), patiently);
    expect(errors[0]?.detail.willRetry).toBe(false);
    expect(errors[0]?.detail.error).toMatchObject({ status: 400 });
  });
});

describe('what the status region says', () => {
  const THANKS = 'Thanks for your feedback!';
  const QUEUED = 'Saved. It will be sent as soon as possible.';
  const FAILED = 'Sorry, your feedback could not be sent.';
  const status = (ui: () => ReturnType<typeof shadow>) => ui().getByRole('status').textContent;

  test('nothing while the first attempt waits for its answer, then the thanks', async () => {
    const answer = deferred<Reply>();
    server.reply = () => answer.promise;
    const { ui } = mountWidget({ messageId: 'm-1', ask: 'never' });

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
    await server.waitFor(1);
    const waiting = status(ui);
    answer.resolve({ status: 201, body: '{}' });

    expect(waiting).toBe('');
    await vi.waitFor(() => expect(status(ui)).toBe(THANKS), patiently);
  });

  test.each([408, 429, 500, 503])(
    'the queued text after a %i, with the choice still pressed',
    async (code) => {
      server.reply = () => ({ status: code, headers: { 'Retry-After': '3600' } });
      const { host, ui } = mountWidget({ messageId: 'm-1', ask: 'never' });

      fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

      await vi.waitFor(() => expect(status(ui)).toBe(QUEUED), patiently);
      expect(pressed(host, 'Helpful')).toBe('true');
    },
  );

  test('the thanks once a waiting vote is accepted', async () => {
    server.reply = () =>
      server.requests.length === 1
        ? { status: 503, headers: { 'Retry-After': '3600' } }
        : { status: 201, body: '{}' };
    const { ui } = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
    await vi.waitFor(() => expect(status(ui)).toBe(QUEUED), patiently);

    await api.flush();

    expect(status(ui)).toBe(THANKS);
  });

  test('nothing, not the queued text, for a waiting vote storage refused (it goes with the page); the thanks once it is accepted', async () => {
    vi.stubGlobal('localStorage', new FullStorage());
    server.reply = () =>
      server.requests.length === 1
        ? { status: 503, headers: { 'Retry-After': '3600' } }
        : { status: 201, body: '{}' };
    const errors = collect<{ willRetry: boolean }>('feedback:error', listeners.signal);
    const { host, ui } = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
    await vi.waitFor(() => expect(errors).toHaveLength(1), patiently);

    expect(errors[0]?.detail.willRetry).toBe(true);
    expect(status(ui)).toBe('');
    expect(pressed(host, 'Helpful')).toBe('true');

    await api.flush();

    expect(status(ui)).toBe(THANKS);
  });

  test.each([400, 403, 404, 422])(
    'the failed text after a %i, with the choice still pressed',
    async (code) => {
      server.reply = () => ({ status: code, body: '{"error":"no"}' });
      const { host, ui } = mountWidget({ messageId: 'm-1', ask: 'never' });

      fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));

      await vi.waitFor(() => expect(status(ui)).toBe(FAILED), patiently);
      expect(pressed(host, 'Not helpful')).toBe('true');
    },
  );

  test('the failed text once a waiting vote has run out of its 7 days of retries', async () => {
    server.reply = () => ({ status: 503 });
    // What an earlier page load left a week ago: the vote, and its item still in the outbox.
    const weekAgo = Date.now() - 7 * 86_400_000 - 1;
    const item = outboxItem({ id: 'evt-old', url: endpoint(), subject: 'm-1', created: weekAgo });
    localStorage.setItem(`${OUTBOX_PREFIX}evt-old`, JSON.stringify({ ...item, attempts: 9 }));
    const vote = { rating: 'up', id: 'evt-old', expires: null, delivery: 'queued' };
    localStorage.setItem('feedback-widget:vote:m-1', JSON.stringify(vote));

    const { host, ui } = mountWidget({ messageId: 'm-1', ask: 'never' });

    expect(status(ui)).toBe(QUEUED);
    await vi.waitFor(() => expect(status(ui)).toBe(FAILED), patiently);
    expect(pressed(host, 'Helpful')).toBe('true');
  });

  test('queuedText and failedText replace the default texts', async () => {
    server.reply = ({ body }) =>
      (body as { message_id: string }).message_id === 'm-queued'
        ? { status: 503, headers: { 'Retry-After': '3600' } }
        : { status: 400 };
    const texts: FeedbackOptions = {
      ask: 'never',
      queuedText: 'Will send later.',
      failedText: 'Not sent.',
    };
    const queued = mountWidget({ messageId: 'm-queued', ...texts });
    const failed = mountWidget({ messageId: 'm-failed', ...texts });

    fireEvent.click(queued.ui().getByRole('button', { name: 'Helpful' }));
    fireEvent.click(failed.ui().getByRole('button', { name: 'Helpful' }));

    await vi.waitFor(() => expect(status(queued.ui)).toBe('Will send later.'), patiently);
    await vi.waitFor(() => expect(status(failed.ui)).toBe('Not sent.'), patiently);
  });

  test.each([
    ['de', 'Gespeichert. Wird so bald wie möglich gesendet.', 'Nicht hilfreich'],
    ['ja', '保存しました。できるだけ早く送信します。', '役に立たなかった'],
  ])('the queued text of locale %s', async (locale, text, down) => {
    server.reply = () => ({ status: 503, headers: { 'Retry-After': '3600' } });
    const { ui } = mountWidget({ messageId: 'm-1', ask: 'never', locale });

    fireEvent.click(ui().getByRole('button', { name: down }));

    await vi.waitFor(() => expect(status(ui)).toBe(text), patiently);
  });

  test('nothing while a follow-up is open, even after an earlier vote was accepted', async () => {
    const { ui } = mountWidget({ messageId: 'm-1', allowChange: true });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
    await vi.waitFor(() => expect(status(ui)).toBe(THANKS), patiently);

    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));

    expect(ui().getByRole('button', { name: 'Send' })).toBeTruthy();
    expect(status(ui)).toBe('');
  });

  test('the thanks for a vote kept for this page only (dedupe off)', async () => {
    const { ui } = mountWidget({ messageId: 'm-1', ask: 'never', dedupe: 'off' });

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    await vi.waitFor(() => expect(status(ui)).toBe(THANKS), patiently);
  });

  test('every mount of the subject says it, not only the one voted in', async () => {
    const voted = mountWidget({ messageId: 'm-1', ask: 'never' });
    const other = mountWidget({ messageId: 'm-1', ask: 'never' });

    fireEvent.click(voted.ui().getByRole('button', { name: 'Helpful' }));

    await vi.waitFor(() => expect(status(other.ui)).toBe(THANKS), patiently);
  });

  test('of several mounts of the subject, only the one voted in speaks: the others show the text with their region off', async () => {
    const mounts = [1, 2, 3].map(() => mountWidget({ messageId: 'm-1', ask: 'never' }));
    const live = () => mounts.map(({ ui }) => ui().getByRole('status').getAttribute('aria-live'));
    expect(live()).toEqual([null, 'off', 'off']);

    fireEvent.click(mounts[1]?.ui().getByRole('button', { name: 'Helpful' }) as HTMLElement);

    expect(live()).toEqual(['off', null, 'off']);
    await vi.waitFor(
      () => expect(mounts.map(({ ui }) => status(ui))).toEqual([THANKS, THANKS, THANKS]),
      patiently,
    );
    expect(live()).toEqual(['off', null, 'off']);
  });

  test('a vote this page did not cast is spoken by the first mount still in the document', async () => {
    server.reply = () => ({ status: 201, body: '{}' });
    const sent = collect('feedback:sent', listeners.signal);
    fireEvent.click(
      mountWidget({ messageId: 'm-1', ask: 'never' }).ui().getByRole('button', { name: 'Helpful' }),
    );
    await vi.waitFor(() => expect(sent).toHaveLength(1), patiently);

    vi.resetModules();
    api = await import('../../widget/api');
    const first = mountWidget({ messageId: 'm-1', ask: 'never' });
    const second = mountWidget({ messageId: 'm-1', ask: 'never' });
    expect(status(second.ui)).toBe(THANKS);
    expect(second.ui().getByRole('status').getAttribute('aria-live')).toBe('off');

    first.host.remove();
    second.handle.update({ thanks: 'Thank you!' });
    expect(second.ui().getByRole('status').getAttribute('aria-live')).toBeNull();
  });

  test('a mount that turns to another message hands the voice of the first on', () => {
    const first = mountWidget({ messageId: 'm-1', ask: 'never' });
    const second = mountWidget({ messageId: 'm-1', ask: 'never' });
    expect(second.ui().getByRole('status').getAttribute('aria-live')).toBe('off');

    first.handle.update({ messageId: 'm-2' });
    second.handle.update({ thanks: 'Thank you!' });

    expect(second.ui().getByRole('status').getAttribute('aria-live')).toBeNull();
  });

  test('a vote that waited on an earlier page load: its text there, then the thanks once this page delivers it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    server.reply = () =>
      server.requests.length === 1
        ? { status: 503, headers: { 'Retry-After': '3600' } }
        : { status: 201, body: '{}' };
    const first = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(first.ui().getByRole('button', { name: 'Helpful' }));
    await vi.waitFor(() => expect(status(first.ui)).toBe(QUEUED), patiently);

    // An hour later, the vote is due on a new page load.
    vi.setSystemTime(Date.now() + 3_600_000);
    vi.resetModules();
    api = await import('../../widget/api');
    const reloaded = mountWidget({ messageId: 'm-1', ask: 'never' });
    const before = status(reloaded.ui);

    expect(before).toBe(QUEUED);
    await vi.waitFor(() => expect(status(reloaded.ui)).toBe(THANKS), patiently);
    expect(requestsFor('m-1')).toHaveLength(2);
  });

  test.each([
    [201, THANKS],
    [400, FAILED],
  ])('a vote answered %i on an earlier page load says so after a reload', async (code, text) => {
    server.reply = () => ({ status: code, body: '{}' });
    const answered = collect(code < 300 ? 'feedback:sent' : 'feedback:error', listeners.signal);
    const first = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(first.ui().getByRole('button', { name: 'Helpful' }));
    await vi.waitFor(() => expect(answered).toHaveLength(1), patiently);

    vi.resetModules();
    api = await import('../../widget/api');
    const reloaded = mountWidget({ messageId: 'm-1', ask: 'never' });

    expect(status(reloaded.ui)).toBe(text);
  });

  test('another tab that delivers the vote has this tab say the thanks', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    server.reply = () =>
      server.requests.length === 1
        ? { status: 503, headers: { 'Retry-After': '3600' } }
        : { status: 201, body: '{}' };
    const here = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(here.ui().getByRole('button', { name: 'Helpful' }));
    await vi.waitFor(() => expect(status(here.ui)).toBe(QUEUED), patiently);
    const before = new Map(Object.entries(localStorage));

    // An hour later another tab opens: its own copy of the modules over the same storage,
    // which sends the vote now due.
    vi.setSystemTime(Date.now() + 3_600_000);
    vi.resetModules();
    await import('../../widget/api').then((otherTab) => otherTab.flush());
    await vi.waitFor(() => expect(requestsFor('m-1')).toHaveLength(2), patiently);
    await vi.waitFor(
      () => expect(localStorage.getItem('feedback-widget:vote:m-1')).toMatch(/sent/),
      patiently,
    );
    for (const [key, value] of Object.entries(localStorage)) {
      if (before.get(key) !== value) {
        dispatchEvent(new StorageEvent('storage', { key, newValue: value }));
      }
    }

    expect(status(here.ui)).toBe(THANKS);
  });
});

describe('requests', () => {
  test('a vote is one JSON POST whose Idempotency-Key is the event id', async () => {
    const seen = collect<FeedbackEvent>('feedback:vote', listeners.signal);
    const { ui } = mountWidget({ messageId: 'm-1', ask: 'never' });

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    const [request] = await server.waitFor(1);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/feedback');
    expect(request?.headers['content-type']).toMatch(/^application\/json\b/);
    expect(request?.headers['idempotency-key']).toBe(seen[0]?.detail.id);
    expect(request?.body).toEqual(seen[0]?.detail);
  });

  test('Send posts the vote with the chosen reason and the comment', async () => {
    const { ui } = mountWidget({ messageId: 'm-1' });
    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));
    fireEvent.click(ui().getByRole('button', { name: 'Unclear' }));
    fireEvent.input(ui().getByRole('textbox'), { target: { value: '  Too vague  ' } });

    fireEvent.click(ui().getByRole('button', { name: 'Send' }));

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({
      rating: 'down',
      reason: 'Unclear',
      reason_key: 'unclear',
      comment: 'Too vague',
    });
    await fence();
    expect(requestsFor('m-1')).toHaveLength(1);
  });

  test('a built-in reason sends the same reason_key in every locale, beside its translated label', async () => {
    const { ui } = mountWidget({ messageId: 'm-de', locale: 'de' });
    fireEvent.click(ui().getByRole('button', { name: 'Nicht hilfreich' }));
    fireEvent.click(ui().getByRole('button', { name: 'Falsch' }));
    fireEvent.click(ui().getByRole('button', { name: 'Senden' }));

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ reason: 'Falsch', reason_key: 'incorrect' });
  });

  test('reasons given as key=Label show the label and send the key', async () => {
    const { ui } = mountWidget({ messageId: 'm-k', reasons: 'slow=Too slow|Wrong tone' });
    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));
    fireEvent.click(ui().getByRole('button', { name: 'Too slow' }));
    fireEvent.click(ui().getByRole('button', { name: 'Send' }));

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ reason: 'Too slow', reason_key: 'slow' });
  });

  test('data-trace-id is sent as trace_id', async () => {
    const { ui } = mountWidget({ messageId: 'm-t', traceId: 'trace-abc', ask: 'never' });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    const [request] = await server.waitFor(1);
    expect(bodyOf(request).trace_id).toBe('trace-abc');
  });

  test('Skip posts the vote without the reason or comment entered', async () => {
    const { ui } = mountWidget({ messageId: 'm-1' });
    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));
    fireEvent.click(ui().getByRole('button', { name: 'Unclear' }));
    fireEvent.input(ui().getByRole('textbox'), { target: { value: 'Too vague' } });

    fireEvent.click(ui().getByRole('button', { name: 'Skip' }));

    const [request] = await server.waitFor(1);
    expect(bodyOf(request).rating).toBe('down');
    expect(bodyOf(request)).not.toHaveProperty('reason');
    expect(bodyOf(request)).not.toHaveProperty('comment');
  });

  test('page_url is the page the vote was made on, after a pushState', async () => {
    const { ui } = mountWidget({ messageId: 'm-moved', ask: 'never' });
    const before = location.href;
    history.pushState(null, '', '/c/42?draft=1');

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
    history.replaceState(null, '', before);

    const [request] = await server.waitFor(1);
    expect(bodyOf(request).page_url).toBe(new URL('/c/42', before).href);
  });

  test('an open follow-up left idle for 60 seconds is sent as it stands', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { ui } = mountWidget({ messageId: 'm-1' });
    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(ui().getByRole('textbox'), { target: { value: 'Half a thought' } });

    vi.advanceTimersByTime(59_000);
    const openBefore = ui().queryByRole('textbox') !== null;
    vi.advanceTimersByTime(1_000);
    vi.useRealTimers();

    expect(openBefore).toBe(true);
    expect(ui().queryByRole('textbox')).toBeNull();
    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ rating: 'down', comment: 'Half a thought' });
  });
});

describe('configuration errors', () => {
  test('a bad option logs one console.error naming the element and the option', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const host = container();
    host.id = 'answer-42';

    // @ts-expect-error what the types refuse, the widget refuses too when JavaScript sends it
    mountWidget({ messageId: 'm-1', format: 'carrier-pigeon' }, host);

    expect(error).toHaveBeenCalledTimes(1);
    const [message] = errorMessages(error);
    expect(message).toContain('`format`');
    expect(message).toContain('id="answer-42"');
  });

  // Values JavaScript can send whatever the types say.
  test.each<{ problem: string; options: Record<string, unknown>; option: string }>([
    { problem: 'a missing endpoint', options: { endpoint: '' }, option: 'endpoint' },
    { problem: 'a non-http endpoint', options: { endpoint: 'ftp://x.test/f' }, option: 'endpoint' },
    { problem: 'an unknown format', options: { format: 'xml' }, option: 'format' },
    { problem: 'malformed metadata', options: { metadata: '{oops' }, option: 'metadata' },
    { problem: 'a value outside the scale', options: { upValue: 500 }, option: 'upValue' },
    {
      problem: 'neutral with format vote',
      options: { format: 'vote', neutral: true },
      option: 'neutral',
    },
    {
      problem: 'quality without a message id',
      options: { format: 'quality', messageId: '' },
      option: 'messageId',
    },
    { problem: 'an invalid Date', options: { sentAt: new Date('not a date') }, option: 'sentAt' },
    {
      problem: 'metadata JSON cannot write (a cycle)',
      options: {
        metadata: (() => {
          const cycle: Record<string, unknown> = {};
          cycle.self = cycle;
          return cycle;
        })(),
      },
      option: 'metadata',
    },
    { problem: 'metadata with a BigInt', options: { metadata: { n: 1n } }, option: 'metadata' },
    {
      problem: 'metadata whose toJSON and toString throw',
      options: {
        metadata: {
          toJSON() {
            throw new Error('no JSON');
          },
          toString() {
            throw new Error('no text');
          },
        },
      },
      option: 'metadata',
    },
  ])('$problem leaves the element without a widget, throwing nothing', ({ options, option }) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const host = container();

    expect(() =>
      mountWidget({ messageId: 'm-1', ...options } as FeedbackOptions, host),
    ).not.toThrow();

    expect(errorMessages(error)).toEqual([expect.stringContaining(`\`${option}\``)]);
    expect(host.shadowRoot?.childElementCount ?? 0).toBe(0);
  });

  test('a refused value of 200,000 characters is quoted by its start: the line stays short', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const host = container();
    host.id = 'answer-42';

    // @ts-expect-error what the types refuse, the widget refuses too when JavaScript sends it
    mountWidget({ messageId: 'm-1', format: 'x'.repeat(200_000) }, host);

    const [message] = errorMessages(error);
    expect(message).toMatch(
      /^feedback-widget: `format` must be one of event, sentiment, vote, score, quality, got "x{100,}/,
    );
    expect(message).toContain('id="answer-42"');
    expect(message?.length).toBeLessThan(500);
  });

  test('a bad widget leaves the other widgets working', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = mountWidget({ messageId: 'm-1', ask: 'never' });
    // @ts-expect-error an unknown format
    mountWidget({ messageId: 'm-2', format: 'nope' });
    const after = mountWidget({ messageId: 'm-3', ask: 'never' });

    fireEvent.click(before.ui().getByRole('button', { name: 'Helpful' }));
    fireEvent.click(after.ui().getByRole('button', { name: 'Helpful' }));

    await server.waitFor(2);
    expect(server.requests.map((request) => bodyOf(request).message_id).sort()).toEqual([
      'm-1',
      'm-3',
    ]);
  });

  test('an element found by scan is named with its data- attribute', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const root = container();
    root.innerHTML = `<div data-feedback data-endpoint="${endpoint()}" data-format="bogus"></div>`;

    await api.scan(root);

    expect(error).toHaveBeenCalledTimes(1);
    expect(errorMessages(error)[0]).toContain('`data-format`');
    expect(errorMessages(error)[0]).toContain('<div data-feedback');
  });

  test('mounting onto a missing element reports it instead of throwing', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});

    expect(() => api.mount(null as unknown as Element, { endpoint: endpoint() })).not.toThrow();
    expect(error).toHaveBeenCalledTimes(1);
  });

  test('an element with a shadow root of its own is left alone and reported', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const host = container();
    const own = host.attachShadow({ mode: 'open' });
    own.innerHTML = '<h2>A component</h2>';

    expect(() => api.mount(host, { endpoint: endpoint(), messageId: 'm-own' })).not.toThrow();

    expect(errorMessages(error)).toEqual([
      expect.stringContaining('the element has a shadow root of its own'),
    ]);
    expect(own.innerHTML).toBe('<h2>A component</h2>');
    expect(own.adoptedStyleSheets).toEqual([]);
  });

  test('a widget unmounted and mounted again on one element reuses its own shadow root', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const host = container();
    const first = api.mount(host, { endpoint: endpoint(), messageId: 'm-again' });
    first.unmount();

    api.mount(host, { endpoint: endpoint(), messageId: 'm-again' });

    expect(error).not.toHaveBeenCalled();
    expect(shadow(host).getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
  });

  test.each([
    ['null', null],
    ['a text node', document.createTextNode('hi')],
  ])('scan(%s) reports it instead of throwing', async (_, root) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});

    await expect(api.scan(root as unknown as ParentNode)).resolves.toBeUndefined();

    expect(error).toHaveBeenCalledTimes(1);
  });

  test('update() with corrected options mounts a widget that failed', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // @ts-expect-error an unknown format
    const { host, handle } = mountWidget({ messageId: 'm-1', format: 'nope' });

    handle.update({ format: 'event' });

    expect(shadow(host).getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
  });

  test('update() with a bad option takes the widget away and reports it', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { host, handle } = mountWidget({ messageId: 'm-1' });

    // @ts-expect-error a scale that is no MIN..MAX
    handle.update({ scale: 'big' });

    expect(errorMessages(error)).toEqual([expect.stringContaining('`scale`')]);
    expect(widgetRoot(host)).toBeNull();
  });

  test('update() applies changed options to a mounted widget', () => {
    const { host, handle } = mountWidget({ messageId: 'm-1' });

    handle.update({ labelUp: 'Yes' });

    expect(shadow(host).getByRole('button', { name: 'Yes' })).toBeTruthy();
  });
});

describe('update', () => {
  test('update() of a text keeps the open follow-up and what was typed', async () => {
    const { ui, handle } = mountWidget({ messageId: 'm-update' });
    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(ui().getByRole('textbox'), { target: { value: 'Half a thought' } });

    handle.update({ thanks: 'Merci' });
    fireEvent.click(ui().getByRole('button', { name: 'Send' }));

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ rating: 'down', comment: 'Half a thought' });
    await vi.waitFor(() => expect(ui().getByRole('status').textContent).toBe('Merci'), patiently);
  });

  test('blank texts and a reason written key= still give every control a name', () => {
    const { ui } = mountWidget({
      messageId: 'm-1',
      prompt: '',
      labelUp: ' ',
      labelDown: '',
      reasons: 'wrong=|slow=Too slow',
    });
    expect(ui().getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
    expect(ui().getByRole('button', { name: 'Helpful' })).toBeTruthy();
    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));
    expect(ui().getByRole('button', { name: 'wrong' })).toBeTruthy();
    expect(ui().getByRole('button', { name: 'Too slow' })).toBeTruthy();
  });

  test('update() with another locale shows its texts and reasons', () => {
    const { ui, handle } = mountWidget({ messageId: 'm-update' });

    handle.update({ locale: 'de' });
    fireEvent.click(ui().getByRole('button', { name: 'Nicht hilfreich' }));

    expect(ui().getByRole('button', { name: 'Unklar' })).toBeTruthy();
  });

  test('update() keeps the time the message was shown for time_to_respond_ms', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { ui, handle } = mountWidget({ messageId: 'm-update', format: 'quality', ask: 'never' });
    vi.advanceTimersByTime(5_000);

    handle.update({ messageContent: 'The whole answer' });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
    vi.useRealTimers();

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({
      sent_message_content: 'The whole answer',
      time_to_respond_ms: 5_000,
    });
  });
});

describe('unmount', () => {
  test('unmount takes the widget away', () => {
    const { host, handle } = mountWidget({ messageId: 'm-1' });

    handle.unmount();

    expect(widgetRoot(host)).toBeNull();
  });

  test('unmount with an open follow-up sends the vote with what was entered', async () => {
    const { handle, ui } = mountWidget({ messageId: 'm-1' });
    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));
    fireEvent.input(ui().getByRole('textbox'), { target: { value: 'Out of date' } });

    handle.unmount();

    const [request] = await server.waitFor(1);
    expect(bodyOf(request)).toMatchObject({ rating: 'down', comment: 'Out of date' });
  });

  test('unmount twice is harmless', async () => {
    const error = vi.spyOn(console, 'error');
    const { handle, ui } = mountWidget({ messageId: 'm-1' });
    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));

    handle.unmount();
    expect(() => handle.unmount()).not.toThrow();
    await fence();

    expect(error).not.toHaveBeenCalled();
    expect(requestsFor('m-1')).toHaveLength(1);
  });
});

describe('dedupe', () => {
  test('two mounts of the same message share the pressed state live', () => {
    const first = mountWidget({ messageId: 'm-1', ask: 'never' });
    const second = mountWidget({ messageId: 'm-1', ask: 'never' });

    fireEvent.click(first.ui().getByRole('button', { name: 'Not helpful' }));

    expect(pressed(second.host, 'Not helpful')).toBe('true');
    expect(pressed(second.host, 'Helpful')).toBe('false');
  });

  test('a new mount of a voted message shows the vote pressed on its first render', () => {
    const first = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(first.ui().getByRole('button', { name: 'Helpful' }));

    const second = mountWidget({ messageId: 'm-1' });

    // Read before any task or microtask could correct a first, unvoted render.
    expect(pressed(second.host, 'Helpful')).toBe('true');
  });

  test('a vote survives a reload and shows pressed on the first render', async () => {
    const sent = collect('feedback:sent', listeners.signal);
    const first = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(first.ui().getByRole('button', { name: 'Helpful' }));
    await vi.waitFor(() => expect(sent).toHaveLength(1), patiently);

    vi.resetModules();
    api = await import('../../widget/api');
    const duplicates = collect('feedback:duplicate', listeners.signal);
    const reloaded = mountWidget({ messageId: 'm-1', ask: 'never' });

    expect(pressed(reloaded.host, 'Helpful')).toBe('true');
    fireEvent.click(reloaded.ui().getByRole('button', { name: 'Helpful' }));
    expect(duplicates).toHaveLength(1);
  });

  test('a vote cast in another tab shows pressed here', async () => {
    const here = mountWidget({ messageId: 'm-1', ask: 'never' });
    const before = new Set(Object.keys(localStorage));
    // Another tab: its own copy of the modules over the same storage.
    vi.resetModules();
    const otherTab: Api = await import('../../widget/api');
    const there = container();
    handles.push(otherTab.mount(there, { endpoint: endpoint(), messageId: 'm-1', ask: 'never' }));
    fireEvent.click(shadow(there).getByRole('button', { name: 'Not helpful' }));

    for (const key of Object.keys(localStorage).filter((key) => !before.has(key))) {
      dispatchEvent(new StorageEvent('storage', { key, newValue: localStorage.getItem(key) }));
    }

    expect(pressed(here.host, 'Not helpful')).toBe('true');
  });

  test('a vote with dedupe "30m" still counts after 29 minutes', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const duplicates = collect('feedback:duplicate', listeners.signal);
    const { ui } = mountWidget({ messageId: 'm-1', dedupe: '30m', ask: 'never' });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    vi.setSystemTime(Date.now() + 29 * 60_000);
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    expect(duplicates).toHaveLength(1);
  });

  test('a vote with dedupe "30m" is forgotten after 30 minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const seen = collect('feedback:vote', listeners.signal);
    const { ui } = mountWidget({ messageId: 'm-1', dedupe: '30m', ask: 'never' });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    vi.setSystemTime(Date.now() + 30 * 60_000 + 1);
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    expect(seen).toHaveLength(2);
    await server.waitFor(2);
  });

  test('a mount after the dedupe window shows no vote pressed', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const first = mountWidget({ messageId: 'm-1', dedupe: '30m', ask: 'never' });
    fireEvent.click(first.ui().getByRole('button', { name: 'Helpful' }));

    vi.setSystemTime(Date.now() + 30 * 60_000 + 1);
    const later = mountWidget({ messageId: 'm-1', dedupe: '30m' });

    expect(pressed(later.host, 'Helpful')).toBe('false');
  });
});

describe('allowChange', () => {
  test('another choice sends a new event that names the one it replaces', async () => {
    const { host, ui } = mountWidget({ messageId: 'm-1', allowChange: true, ask: 'never' });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
    await server.waitFor(1);

    fireEvent.click(ui().getByRole('button', { name: 'Not helpful' }));

    const [first, second] = await server.waitFor(2);
    expect(bodyOf(second)).toMatchObject({ rating: 'down', replaces: bodyOf(first).id });
    expect(bodyOf(second).id).not.toBe(bodyOf(first).id);
    expect(pressed(host, 'Not helpful')).toBe('true');
    expect(pressed(host, 'Helpful')).toBe('false');
  });

  test('the same choice again is still a duplicate', () => {
    const duplicates = collect('feedback:duplicate', listeners.signal);
    const { ui } = mountWidget({ messageId: 'm-1', allowChange: true, ask: 'never' });
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    expect(duplicates).toHaveLength(1);
  });
});

describe('storage', () => {
  test('a vote is sent and remembered when reading localStorage throws', async () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
    try {
      const duplicates = collect('feedback:duplicate', listeners.signal);
      const first = mountWidget({ messageId: 'm-1', ask: 'never' });
      fireEvent.click(first.ui().getByRole('button', { name: 'Helpful' }));
      const second = mountWidget({ messageId: 'm-1' });
      fireEvent.click(second.ui().getByRole('button', { name: 'Helpful' }));

      await server.waitFor(1);
      expect(pressed(second.host, 'Helpful')).toBe('true');
      expect(duplicates).toHaveLength(1);
    } finally {
      if (original) Object.defineProperty(globalThis, 'localStorage', original);
    }
  });

  test('a vote is sent and remembered when localStorage is full', async () => {
    const full: Storage = {
      length: 0,
      clear() {},
      getItem: () => null,
      key: () => null,
      removeItem() {},
      setItem() {
        throw new DOMException('Quota exceeded', 'QuotaExceededError');
      },
    };
    vi.stubGlobal('localStorage', full);
    const duplicates = collect('feedback:duplicate', listeners.signal);
    const { host, ui } = mountWidget({ messageId: 'm-1', ask: 'never' });

    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));
    fireEvent.click(ui().getByRole('button', { name: 'Helpful' }));

    await server.waitFor(1);
    expect(pressed(host, 'Helpful')).toBe('true');
    expect(duplicates).toHaveLength(1);
  });

  test('corrupt stored data is ignored on the next page load', async () => {
    const sent = collect('feedback:sent', listeners.signal);
    const first = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(first.ui().getByRole('button', { name: 'Helpful' }));
    await vi.waitFor(() => expect(sent).toHaveLength(1), patiently);
    for (const key of Object.keys(localStorage)) localStorage.setItem(key, '{"rating":');

    vi.resetModules();
    api = await import('../../widget/api');
    const reloaded = mountWidget({ messageId: 'm-1', ask: 'never' });
    fireEvent.click(reloaded.ui().getByRole('button', { name: 'Not helpful' }));

    await server.waitFor(2);
    expect(bodyOf(server.requests[1]).rating).toBe('down');
  });
});
