import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Config } from '../../widget/core/config';
import type { FeedbackEvent } from '../../widget/core/event';
import { IDLE_MS } from '../../widget/core/feedback';
import type { OutboxItem } from '../../widget/core/outbox';
import { CLICKED_AT, config, PAGE_URL } from '../helpers/config';
import { feedbackPage, pageOutbox } from '../helpers/feedback';
import { OUTBOX_PREFIX } from '../helpers/outbox';

const T0 = CLICKED_AT;
const DAY = 86_400_000;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

afterEach(() => {
  vi.useRealTimers();
});

/** A widget under message m-42 of conversation conv-123, format event. */
function page(overrides: Partial<Config> = {}) {
  return feedbackPage(config({ conversationId: 'conv-123', messageId: 'm-42', ...overrides }));
}

/** The canonical event of the n-th choice made at T0. */
function event(rating: 'up' | 'down', extra: Partial<FeedbackEvent> = {}): FeedbackEvent {
  return {
    id: 'evt-1',
    rating,
    sentiment: rating === 'up' ? 'positive' : 'negative',
    value: rating === 'up' ? 100 : -100,
    scale: { min: -100, max: 100 },
    conversation_id: 'conv-123',
    message_id: 'm-42',
    page_url: PAGE_URL,
    locale: 'en',
    created_at: new Date(T0).toISOString(),
    ...extra,
  };
}

describe('choosing', () => {
  test('a choice emits feedback:vote with the event', () => {
    const { feedback, emitted } = page();
    feedback.choose('up');
    expect(emitted).toEqual([['feedback:vote', event('up')]]);
  });

  test('a choice records the vote on the subject', () => {
    const { feedback, votes } = page();
    feedback.choose('up');
    expect(votes.current('m-42')).toEqual({ rating: 'up', id: 'evt-1', expires: T0 + DAY });
  });

  test('the recorded vote shows in the vote signal', () => {
    const { feedback } = page();
    feedback.choose('down');
    expect(feedback.vote.value).toEqual({ rating: 'down', id: 'evt-1', expires: T0 + DAY });
  });

  test('the delivery of the vote is tracked by its id before it is queued', () => {
    const { feedback, track, put } = page({ ask: 'never' });
    feedback.choose('up');
    expect(track.mock.calls).toEqual([['evt-1']]);
    expect(track.mock.invocationCallOrder[0]).toBeLessThan(
      put.mock.invocationCallOrder[0] as number,
    );
  });
});

describe('without a follow-up', () => {
  test('an up vote with ask=down is queued and sent at once', () => {
    const { feedback, bodies, sent } = page();
    feedback.choose('up');
    expect(bodies()).toEqual([event('up')]);
    expect(sent.map(({ at, keepalive }) => [at, keepalive])).toEqual([[T0, false]]);
  });

  test('an up vote with ask=down opens no follow-up', () => {
    const { feedback, hold } = page();
    feedback.choose('up');
    expect([feedback.open.value, hold.mock.calls.length]).toEqual([undefined, 0]);
  });

  test('the queued vote carries its id, subject, endpoint, token, credentials and creation time', () => {
    const { feedback, put } = page({ token: 'pk_1', credentials: 'include' });
    feedback.choose('up');
    const [item] = put.mock.calls[0] ?? [];
    expect(item).toEqual({
      url: 'https://api.example.com/feedback',
      body: event('up'),
      id: 'evt-1',
      event: event('up'),
      subject: 'm-42',
      token: 'pk_1',
      credentials: 'include',
      created: T0,
      attempts: 0,
      due: expect.any(Number),
    });
    expect(item?.due).toBeLessThanOrEqual(T0);
  });

  test('a down vote with ask=never is sent at once', () => {
    const { feedback, bodies } = page({ ask: 'never' });
    feedback.choose('down');
    expect([bodies(), feedback.open.value]).toEqual([[event('down')], undefined]);
  });

  test('a down vote opens no follow-up when reasons and the comment box are off', () => {
    const { feedback, bodies } = page({ reasons: [], comment: false });
    feedback.choose('down');
    expect([bodies(), feedback.open.value]).toEqual([[event('down')], undefined]);
  });

  test('a down vote with the comment box off still opens the follow-up for its reasons', () => {
    const { feedback, bodies } = page({ comment: false });
    feedback.choose('down');
    expect([bodies(), feedback.open.value?.id]).toEqual([[], 'evt-1']);
  });

  test('an up vote with ask=always opens the follow-up', () => {
    const { feedback, bodies } = page({ ask: 'always' });
    feedback.choose('up');
    expect([bodies(), feedback.open.value]).toEqual([[], event('up')]);
  });
});

describe('the follow-up', () => {
  test('a down vote with ask=down opens the follow-up on its event and sends nothing yet', () => {
    const { feedback, bodies } = page();
    feedback.choose('down');
    expect([feedback.open.value, bodies()]).toEqual([event('down'), []]);
  });

  test('the vote is stored with due now + 60 s before the follow-up shows', () => {
    const { feedback, store } = page();
    let storedWhenShown: OutboxItem | undefined;
    feedback.open.subscribe((open) => {
      if (open) storedWhenShown = store.get<OutboxItem>(`${OUTBOX_PREFIX}evt-1`);
    });
    feedback.choose('down');
    expect(storedWhenShown).toMatchObject({ id: 'evt-1', due: T0 + IDLE_MS, body: event('down') });
  });

  test('the stored follow-up vote is sent by a later page load once due, if this page dies', async () => {
    const { feedback, storage } = page();
    feedback.choose('down');
    // The tab is closed: its timers never run.
    vi.clearAllTimers();
    const { outbox: later, transport } = pageOutbox(storage);
    await later.flush();
    expect(transport).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(transport.mock.calls.map(([item]) => item.body)).toEqual([event('down')]);
  });

  test('finish(true) sends the vote with the reason and the trimmed comment', () => {
    const { feedback, bodies } = page();
    feedback.choose('down');
    feedback.reason.value = 'Wrong';
    feedback.comment.value = '  Too vague ';
    feedback.finish(true);
    expect(bodies()).toEqual([
      event('down', { reason: 'Wrong', reason_key: 'Wrong', comment: 'Too vague' }),
    ]);
  });

  test('finish(false) sends the vote without the reason and the comment', () => {
    const { feedback, bodies } = page();
    feedback.choose('down');
    feedback.reason.value = 'Wrong';
    feedback.comment.value = 'Too vague';
    feedback.finish(false);
    expect(bodies()).toEqual([event('down')]);
  });

  test('a vote finished later keeps the id and creation time of the choice', async () => {
    const { feedback, sent } = page();
    feedback.choose('down');
    await vi.advanceTimersByTimeAsync(20_000);
    feedback.finish(true);
    expect(sent.map(({ at, item }) => [at, item.id, item.event.created_at])).toEqual([
      [T0 + 20_000, 'evt-1', new Date(T0).toISOString()],
    ]);
  });

  test('finishing closes the follow-up', () => {
    const { feedback } = page();
    feedback.choose('down');
    feedback.finish(true);
    expect(feedback.open.value).toBeUndefined();
  });

  test('finishing twice sends once', () => {
    const { feedback, bodies } = page();
    feedback.choose('down');
    feedback.finish(true);
    feedback.finish(true);
    expect(bodies()).toHaveLength(1);
  });

  test('finish without an open follow-up queues nothing', () => {
    const { feedback, put } = page();
    feedback.finish(true);
    expect(put).not.toHaveBeenCalled();
  });

  test('a new choice starts with an empty reason and comment', () => {
    const { feedback } = page({ allowChange: true });
    feedback.choose('down');
    feedback.reason.value = 'Wrong';
    feedback.comment.value = 'Too vague';
    feedback.finish(true);
    feedback.choose('up');
    expect([feedback.reason.value, feedback.comment.value]).toEqual([undefined, '']);
  });
});

describe('idle time', () => {
  test('a follow-up idle for 60 s is sent as it stands, once', async () => {
    const { feedback, sent } = page();
    feedback.choose('down');
    feedback.reason.value = 'Wrong';
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(sent.map(({ at, item }) => [at, item.body])).toEqual([
      [T0 + IDLE_MS, event('down', { reason: 'Wrong', reason_key: 'Wrong' })],
    ]);
  });

  test('nothing is sent before the follow-up has been idle for 60 s', async () => {
    const { feedback, bodies } = page();
    feedback.choose('down');
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect([bodies(), feedback.open.value?.id]).toEqual([[], 'evt-1']);
  });

  test('touch() restarts the idle time, so nothing is sent while the person types', async () => {
    const { feedback, sent } = page();
    feedback.choose('down');
    await vi.advanceTimersByTimeAsync(50_000);
    feedback.comment.value = 'Too';
    feedback.touch();
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect([sent.length, feedback.open.value?.id]).toEqual([0, 'evt-1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map(({ at, item }) => [at, item.body])).toEqual([
      [T0 + 50_000 + IDLE_MS, event('down', { comment: 'Too' })],
    ]);
  });

  test('touch() stores the draft again with a new due and what was typed', async () => {
    const { feedback, store } = page();
    feedback.choose('down');
    await vi.advanceTimersByTimeAsync(50_000);
    feedback.reason.value = 'Wrong';
    feedback.comment.value = 'Too';
    feedback.touch();
    expect(store.get(`${OUTBOX_PREFIX}evt-1`)).toMatchObject({
      due: T0 + 50_000 + IDLE_MS,
      body: event('down', { reason: 'Wrong', reason_key: 'Wrong', comment: 'Too' }),
    });
  });

  test('touch() without an open follow-up does nothing', () => {
    const { feedback, put } = page();
    feedback.touch();
    expect(put).not.toHaveBeenCalled();
  });

  test('a follow-up finished by hand is not sent again when the idle time ends', async () => {
    const { feedback, bodies } = page();
    feedback.choose('down');
    feedback.finish(false);
    await vi.advanceTimersByTimeAsync(10 * IDLE_MS);
    expect(bodies()).toHaveLength(1);
  });
});

describe('duplicates', () => {
  test('a second click on the same choice emits feedback:duplicate and queues nothing', () => {
    const { feedback, emitted, put } = page();
    feedback.choose('up');
    feedback.choose('up');
    expect(emitted).toEqual([
      ['feedback:vote', event('up')],
      ['feedback:duplicate', { event: event('up', { id: 'evt-2' }) }],
    ]);
    expect(put).toHaveBeenCalledTimes(1);
  });

  test('another choice without allowChange is a duplicate and keeps the first vote', () => {
    const { feedback, emitted, bodies } = page();
    feedback.choose('up');
    feedback.choose('down');
    expect([emitted.map(([type]) => type), bodies().length, feedback.vote.value?.rating]).toEqual([
      ['feedback:vote', 'feedback:duplicate'],
      1,
      'up',
    ]);
  });

  test('a vote from an earlier page load makes the first click a duplicate', () => {
    const first = page();
    first.feedback.choose('up');
    const reloaded = feedbackPage(config({ conversationId: 'conv-123', messageId: 'm-42' }), {
      storage: first.storage,
    });
    reloaded.feedback.choose('up');
    expect([reloaded.emitted.map(([type]) => type), reloaded.put.mock.calls.length]).toEqual([
      ['feedback:duplicate'],
      0,
    ]);
  });

  test('a click after the dedupe window is a new vote', async () => {
    const { feedback, emitted } = page({ dedupeMs: 30 * 60_000 });
    feedback.choose('up');
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    feedback.choose('up');
    expect(emitted.map(([type]) => type)).toEqual(['feedback:vote', 'feedback:vote']);
  });

  test('with dedupe off a second click in the same page is still a duplicate', () => {
    const { feedback, emitted } = page({ dedupeMs: 0 });
    feedback.choose('up');
    feedback.choose('up');
    expect(emitted.map(([type]) => type)).toEqual(['feedback:vote', 'feedback:duplicate']);
  });
});

describe('allowChange', () => {
  test('another choice sends a new event that replaces the first', () => {
    const { feedback, bodies } = page({ allowChange: true, ask: 'never' });
    feedback.choose('up');
    feedback.choose('down');
    expect(bodies()).toEqual([event('up'), event('down', { id: 'evt-2', replaces: 'evt-1' })]);
  });

  test('the changed vote is recorded with the new id', () => {
    const { feedback, votes } = page({ allowChange: true, ask: 'never' });
    feedback.choose('up');
    feedback.choose('down');
    expect(votes.current('m-42')).toEqual({ rating: 'down', id: 'evt-2', expires: T0 + DAY });
  });

  test('the same choice again is still a duplicate', () => {
    const { feedback, emitted } = page({ allowChange: true, ask: 'never' });
    feedback.choose('up');
    feedback.choose('up');
    expect(emitted.map(([type]) => type)).toEqual(['feedback:vote', 'feedback:duplicate']);
  });

  test('a change while a follow-up is open sends the open vote first, as it stands', () => {
    const { feedback, bodies } = page({ allowChange: true });
    feedback.choose('down');
    feedback.comment.value = 'Too vague';
    feedback.choose('up');
    expect(bodies()).toEqual([
      event('down', { comment: 'Too vague' }),
      event('up', { id: 'evt-2', replaces: 'evt-1' }),
    ]);
  });
});

describe('hold', () => {
  test('an open follow-up is held once', () => {
    const { feedback, hold, held } = page();
    feedback.choose('down');
    expect([hold.mock.calls.length, held.size]).toEqual([1, 1]);
  });

  test('the hold is released when the follow-up is finished', () => {
    const { feedback, held } = page();
    feedback.choose('down');
    feedback.finish(true);
    expect(held.size).toBe(0);
  });

  test('the hold is released when the idle time sends the follow-up', async () => {
    const { feedback, held } = page();
    feedback.choose('down');
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(held.size).toBe(0);
  });

  test('the held finish sends what was entered with keepalive and releases the hold', () => {
    const { feedback, held, sent } = page();
    feedback.choose('down');
    feedback.comment.value = 'Too vague';
    for (const finish of [...held]) finish(true);
    expect(sent.map(({ item, keepalive }) => [item.body, keepalive])).toEqual([
      [event('down', { comment: 'Too vague' }), true],
    ]);
    expect([held.size, feedback.open.value]).toEqual([0, undefined]);
  });
});

describe('reasons', () => {
  test('down reasons are the configured ones', () => {
    const { feedback } = page({ reasons: ['Slow'] });
    expect(feedback.reasonsFor('down')).toEqual(['Slow']);
  });

  test('down reasons default to the translated list', () => {
    const { feedback } = page({ reasons: undefined });
    expect(feedback.reasonsFor('down')).toEqual(['Wrong', 'Too long']);
  });

  test('up reasons are the configured up reasons', () => {
    const { feedback } = page({ reasonsUp: ['Clear'] });
    expect(feedback.reasonsFor('up')).toEqual(['Clear']);
  });

  test('a neutral vote has no reasons', () => {
    const { feedback } = page({ neutral: true, reasons: ['Slow'], reasonsUp: ['Clear'] });
    expect(feedback.reasonsFor('neutral')).toEqual([]);
  });
});
