import { describe, expect, test } from 'vitest';
import { createStore } from '../../widget/core/store';
import { createVotes } from '../../widget/core/votes';
import { MemoryStorage } from '../helpers/storage';

const KEY = 'feedback-widget:vote:';
const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const DAY = 86_400_000;

/** One tab's votes over `storage`, with a clock the test moves. */
function tab(storage = new MemoryStorage()) {
  const clock = { now: T0 };
  const votes = createVotes(
    createStore(() => storage),
    () => clock.now,
  );
  return { votes, storage, clock };
}

describe('record and current', () => {
  test('a recorded vote is current, with its expiry', () => {
    const { votes } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    expect(votes.current('m-42')).toEqual({ rating: 'up', id: 'evt-1', expires: T0 + DAY });
  });

  test('a recorded vote is stored under its subject', () => {
    const { votes, storage } = tab();
    votes.record('m-42', { rating: 'down', id: 'evt-1' }, DAY);
    expect(JSON.parse(storage.getItem(`${KEY}m-42`) as string)).toEqual({
      rating: 'down',
      id: 'evt-1',
      expires: T0 + DAY,
    });
  });

  test('a subject never voted on has no current vote', () => {
    expect(tab().votes.current('m-42')).toBeUndefined();
  });

  test('votes on different subjects are kept apart', () => {
    const { votes } = tab();
    votes.record('m-1', { rating: 'up', id: 'evt-1' }, DAY);
    votes.record('m-2', { rating: 'down', id: 'evt-2' }, DAY);
    expect([votes.current('m-1')?.rating, votes.current('m-2')?.rating]).toEqual(['up', 'down']);
  });

  test('a vote survives a reload', () => {
    const first = tab();
    first.votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    const reloaded = tab(first.storage);
    expect(reloaded.votes.current('m-42')).toEqual({
      rating: 'up',
      id: 'evt-1',
      expires: T0 + DAY,
    });
  });
});

describe('expiry', () => {
  test('a vote is current until the last millisecond of its window', () => {
    const { votes, clock } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    clock.now = T0 + DAY - 1;
    expect(votes.current('m-42')?.id).toBe('evt-1');
  });

  test('a vote is forgotten, and removed from storage, once its window has passed', () => {
    const { votes, clock, storage } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    clock.now = T0 + DAY;
    expect(votes.current('m-42')).toBeUndefined();
    expect(storage.getItem(`${KEY}m-42`)).toBeNull();
  });

  test('the watched signal is cleared when current() finds the vote expired', () => {
    const { votes, clock } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, 30 * 60_000);
    const vote = votes.watch('m-42');
    clock.now = T0 + 30 * 60_000;
    votes.current('m-42');
    expect(vote.value).toBeUndefined();
  });

  test('expired votes in storage are cleaned up when the votes are created', () => {
    const storage = new MemoryStorage();
    storage.setItem(`${KEY}old`, JSON.stringify({ rating: 'up', id: 'e', expires: T0 - 1 }));
    storage.setItem(`${KEY}new`, JSON.stringify({ rating: 'up', id: 'f', expires: T0 + 1 }));
    tab(storage);
    expect([storage.getItem(`${KEY}old`), storage.getItem(`${KEY}new`)]).toEqual([
      null,
      JSON.stringify({ rating: 'up', id: 'f', expires: T0 + 1 }),
    ]);
  });

  test('a vote remembered forever is stored with expires null and never expires', () => {
    const { votes, clock, storage } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, Number.POSITIVE_INFINITY);
    clock.now = T0 + 10 * 365 * DAY;
    expect(votes.current('m-42')).toEqual({ rating: 'up', id: 'evt-1', expires: null });
    expect(JSON.parse(storage.getItem(`${KEY}m-42`) as string).expires).toBeNull();
  });
});

describe('dedupe off', () => {
  test('a vote with window 0 is current in this page', () => {
    const { votes } = tab();
    votes.record('m-42', { rating: 'down', id: 'evt-1' }, 0);
    expect(votes.current('m-42')).toEqual({ rating: 'down', id: 'evt-1', expires: 0 });
  });

  test('a vote with window 0 is not stored', () => {
    const { votes, storage } = tab();
    votes.record('m-42', { rating: 'down', id: 'evt-1' }, 0);
    expect(storage.length).toBe(0);
  });

  test('a vote with window 0 is forgotten by the next page load', () => {
    const first = tab();
    first.votes.record('m-42', { rating: 'down', id: 'evt-1' }, 0);
    expect(tab(first.storage).votes.current('m-42')).toBeUndefined();
  });
});

describe('watch', () => {
  test('every watch of one subject shares one signal', () => {
    const { votes } = tab();
    expect(votes.watch('m-42')).toBe(votes.watch('m-42'));
  });

  test('different subjects have different signals', () => {
    const { votes } = tab();
    expect(votes.watch('m-1')).not.toBe(votes.watch('m-2'));
  });

  test('a recorded vote shows in the signal watched before it', () => {
    const { votes } = tab();
    const vote = votes.watch('m-42');
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    expect(vote.value).toEqual({ rating: 'up', id: 'evt-1', expires: T0 + DAY });
  });

  test('a stored vote is in the signal from the start, without a flash of no vote', () => {
    const first = tab();
    first.votes.record('m-42', { rating: 'down', id: 'evt-1' }, DAY);
    expect(tab(first.storage).votes.watch('m-42').value?.rating).toBe('down');
  });
});

describe('sync across tabs', () => {
  test('sync(key) picks up a vote another tab recorded', () => {
    const storage = new MemoryStorage();
    const mine = tab(storage);
    const theirs = tab(storage);
    const vote = mine.votes.watch('m-42');
    theirs.votes.record('m-42', { rating: 'up', id: 'evt-9' }, DAY);
    mine.votes.sync(`${KEY}m-42`);
    expect(vote.value).toEqual({ rating: 'up', id: 'evt-9', expires: T0 + DAY });
  });

  test('sync(key) of another subject leaves this one alone', () => {
    const storage = new MemoryStorage();
    const mine = tab(storage);
    const theirs = tab(storage);
    const vote = mine.votes.watch('m-42');
    theirs.votes.record('m-42', { rating: 'up', id: 'evt-9' }, DAY);
    mine.votes.sync(`${KEY}m-7`);
    expect(vote.value).toBeUndefined();
  });

  test('sync(key) picks up a vote another tab changed', () => {
    const storage = new MemoryStorage();
    const mine = tab(storage);
    const theirs = tab(storage);
    mine.votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    theirs.votes.record('m-42', { rating: 'down', id: 'evt-2' }, DAY);
    mine.votes.sync(`${KEY}m-42`);
    expect(mine.votes.watch('m-42').value?.id).toBe('evt-2');
  });

  test('sync(null) after another tab cleared storage forgets every vote', () => {
    const { votes, storage } = tab();
    votes.record('m-1', { rating: 'up', id: 'evt-1' }, DAY);
    votes.record('m-2', { rating: 'down', id: 'evt-2' }, DAY);
    storage.clear();
    votes.sync(null);
    expect([votes.watch('m-1').value, votes.watch('m-2').value]).toEqual([undefined, undefined]);
  });
});

describe('delivery', () => {
  test('a vote has no delivery before its first answer', () => {
    const { votes } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    expect(votes.current('m-42')?.delivery).toBeUndefined();
  });

  test('deliver notes what became of the vote in its signal', () => {
    const { votes } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    const vote = votes.watch('m-42');
    votes.deliver('m-42', 'evt-1', 'queued');
    expect(vote.value).toEqual({
      rating: 'up',
      id: 'evt-1',
      expires: T0 + DAY,
      delivery: 'queued',
    });
  });

  test('a later delivery replaces an earlier one', () => {
    const { votes } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    votes.deliver('m-42', 'evt-1', 'queued');
    votes.deliver('m-42', 'evt-1', 'sent');
    expect(votes.current('m-42')?.delivery).toBe('sent');
  });

  test('the delivery is stored with the vote, so a later page load knows it', () => {
    const first = tab();
    first.votes.record('m-42', { rating: 'down', id: 'evt-1' }, DAY);
    first.votes.deliver('m-42', 'evt-1', 'failed');
    expect(tab(first.storage).votes.current('m-42')).toEqual({
      rating: 'down',
      id: 'evt-1',
      expires: T0 + DAY,
      delivery: 'failed',
    });
  });

  test('a page load can note the delivery of a vote an earlier page load cast', () => {
    const first = tab();
    first.votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    first.votes.deliver('m-42', 'evt-1', 'queued');
    const reloaded = tab(first.storage);
    const vote = reloaded.votes.watch('m-42');
    reloaded.votes.deliver('m-42', 'evt-1', 'sent');
    expect(vote.value?.delivery).toBe('sent');
  });

  test('another tab picks up the delivery through sync', () => {
    const storage = new MemoryStorage();
    const mine = tab(storage);
    const theirs = tab(storage);
    mine.votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    const vote = theirs.votes.watch('m-42');
    mine.votes.deliver('m-42', 'evt-1', 'sent');
    theirs.votes.sync(`${KEY}m-42`);
    expect(vote.value?.delivery).toBe('sent');
  });

  test('the delivery of a vote changed since is ignored', () => {
    const { votes, storage } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    votes.record('m-42', { rating: 'down', id: 'evt-2' }, DAY);
    votes.deliver('m-42', 'evt-1', 'failed');
    expect(votes.current('m-42')).toEqual({ rating: 'down', id: 'evt-2', expires: T0 + DAY });
    expect(JSON.parse(storage.getItem(`${KEY}m-42`) as string).delivery).toBeUndefined();
  });

  test('the delivery of a vote forgotten since stores nothing', () => {
    const { votes, clock, storage } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, 30 * 60_000);
    clock.now = T0 + 30 * 60_000;
    votes.deliver('m-42', 'evt-1', 'sent');
    expect([votes.current('m-42'), storage.length]).toEqual([undefined, 0]);
  });

  test('the delivery of a vote the page cleared from storage (a sign-out) shows in this page but is not stored again', () => {
    const { votes, storage } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, DAY);
    storage.clear();
    votes.deliver('m-42', 'evt-1', 'sent');
    expect([votes.current('m-42'), storage.length]).toEqual([
      { rating: 'up', id: 'evt-1', expires: 0, delivery: 'sent' },
      0,
    ]);
  });

  test('the delivery of a vote kept for this page only (dedupe off) shows but is not stored', () => {
    const { votes, storage } = tab();
    votes.record('m-42', { rating: 'up', id: 'evt-1' }, 0);
    votes.deliver('m-42', 'evt-1', 'sent');
    expect([votes.current('m-42')?.delivery, storage.length]).toEqual(['sent', 0]);
  });
});

describe('corrupt storage', () => {
  test.each([
    ['garbage JSON', '{"rating":'],
    ['a vote without a rating', '{"id":"evt-1","expires":null}'],
    ['a number', '42'],
    ['a vote with an unknown rating', '{"rating":"sideways","id":"evt-1","expires":null}'],
    ['a vote with a text expiry', '{"rating":"up","id":"evt-1","expires":"soon"}'],
    // Shown as the text of that name: `__proto__` would reach Object.prototype.
    [
      'a vote with an unknown delivery',
      '{"rating":"up","id":"evt-1","expires":null,"delivery":"__proto__"}',
    ],
  ])('%s under a vote key is ignored and removed', (_, text) => {
    const storage = new MemoryStorage();
    storage.setItem(`${KEY}m-42`, text);
    const { votes } = tab(storage);
    expect([votes.current('m-42'), storage.getItem(`${KEY}m-42`)]).toEqual([undefined, null]);
  });

  test('a stored null vote is ignored', () => {
    const storage = new MemoryStorage();
    storage.setItem(`${KEY}m-42`, 'null');
    expect(tab(storage).votes.current('m-42')).toBeUndefined();
  });
});
