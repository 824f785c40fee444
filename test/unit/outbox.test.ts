import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { DeliveryError } from '../../widget/core/delivery-error';
import {
  type Answer,
  createOutbox,
  KEEP_MS,
  type OutboxItem,
  type OutboxServices,
} from '../../widget/core/outbox';
import { createStore } from '../../widget/core/store';
import { deferred, OUTBOX_PREFIX, outboxItem, schedule } from '../helpers/outbox';
import { MemoryStorage } from '../helpers/storage';

/** A whole second, so HTTP dates (second precision) land exactly. */
const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const KEY = `${OUTBOX_PREFIX}${outboxItem().id}`;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

afterEach(() => {
  vi.useRealTimers();
});

/**
 * An outbox over fresh storage whose transport answers `answer` (201 unless changed) and
 * records when it was called, relative to T0, and what the store held at that moment.
 */
function setup(options: { storage?: MemoryStorage; random?: number } = {}) {
  const storage = options.storage ?? new MemoryStorage();
  const store = createStore(() => storage);
  const calls: { at: number; keepalive: boolean; stored: unknown }[] = [];
  let answer: (item: OutboxItem) => Promise<Answer> = async () => ({
    status: 201,
    retryAfter: null,
  });
  const transport = vi.fn<OutboxServices['transport']>((item, keepalive) => {
    calls.push({ at: Date.now() - T0, keepalive, stored: store.get(OUTBOX_PREFIX + item.id) });
    return answer(item);
  });
  const notify = vi.fn<OutboxServices['notify']>();
  const exclusive = vi.fn<OutboxServices['exclusive']>((_, task) => task());
  const outbox = createOutbox({
    store,
    now: () => Date.now(),
    random: () => options.random ?? 1,
    transport,
    exclusive,
    schedule,
    notify,
  });
  return {
    outbox,
    storage,
    store,
    calls,
    transport,
    notify,
    exclusive,
    answer(next: (item: OutboxItem) => Promise<Answer>) {
      answer = next;
    },
    /** Attempt times in ms after T0. */
    times: () => calls.map((call) => call.at),
  };
}

const status =
  (code: number, retryAfter: string | null = null) =>
  async () => ({
    status: code,
    retryAfter,
  });

describe('storing', () => {
  test('a vote is in the store, leased for 15 s, when the transport is first called', () => {
    const { outbox, calls } = setup();
    const item = outboxItem();
    outbox.put(item);
    expect(calls).toEqual([{ at: 0, keepalive: false, stored: { ...item, lease: T0 + 15_000 } }]);
  });

  test('a vote is sent with the item as stored', () => {
    const { outbox, transport } = setup();
    const item = outboxItem({ token: 'pk_1', credentials: 'include' });
    outbox.put(item);
    expect(transport).toHaveBeenCalledWith(item, false);
  });
});

describe('a 2xx answer', () => {
  test.each([200, 201, 204])(
    '%i removes the vote and reports it sent with the status',
    async (code) => {
      const { outbox, storage, notify, answer } = setup();
      answer(status(code));
      const item = outboxItem();
      outbox.put(item);
      await vi.advanceTimersByTimeAsync(0);
      expect(notify.mock.calls).toEqual([[item, { sent: true, status: code }, true]]);
      expect(storage.getItem(KEY)).toBeNull();
    },
  );

  test('a delivered vote is not sent again', async () => {
    const { outbox, times } = setup();
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(600_000);
    await outbox.flush();
    expect(times()).toEqual([0]);
  });
});

describe('retries', () => {
  test.each([408, 429, 500, 503])(
    'a %i answer keeps the vote and reports it will retry',
    async (code) => {
      const { outbox, store, notify, answer } = setup();
      answer(status(code));
      const item = outboxItem();
      outbox.put(item);
      await vi.advanceTimersByTimeAsync(0);
      const error = new DeliveryError(item.url, code);
      expect(notify.mock.calls).toEqual([
        [{ ...item, attempts: 1, due: T0 + 1000 }, { sent: false, error, willRetry: true }, true],
      ]);
      expect(store.get(KEY)).toEqual({ ...item, attempts: 1, due: T0 + 1000 });
    },
  );

  test('the error of an HTTP failure names the URL and the status', async () => {
    const { outbox, notify, answer } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(0);
    const outcome = notify.mock.calls[0]?.[1];
    const error = outcome && !outcome.sent ? outcome.error : undefined;
    expect(error).toBeInstanceOf(DeliveryError);
    expect([error?.message, (error as DeliveryError).status]).toEqual([
      'POST https://api.example.com/feedback answered 503',
      503,
    ]);
  });

  test.each([
    ['a network error', new TypeError('Failed to fetch')],
    ['a timeout', new DOMException('The operation timed out.', 'TimeoutError')],
  ])('%s keeps the vote and reports it will retry', async (_, failure) => {
    const { outbox, store, notify, answer } = setup();
    answer(() => Promise.reject(failure));
    const item = outboxItem();
    outbox.put(item);
    await vi.advanceTimersByTimeAsync(0);
    expect(notify.mock.calls).toEqual([
      [
        { ...item, attempts: 1, due: T0 + 1000 },
        { sent: false, error: failure, willRetry: true },
        true,
      ],
    ]);
    expect(store.get<OutboxItem>(KEY)?.attempts).toBe(1);
  });

  test('failures are retried at 1, 2, 4 and 8 s intervals with full jitter factor 1', async () => {
    const { outbox, times, answer } = setup({ random: 1 });
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(15_000);
    expect(times()).toEqual([0, 1000, 3000, 7000, 15_000]);
  });

  test('jitter shortens each backoff to between half and all of it, never below 1 s', async () => {
    const { outbox, times, answer } = setup({ random: 0.5 });
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(11_500);
    // Backoffs 1000, 2000, 4000, 8000 times 0.75; the first is raised to the 1 s floor.
    expect(times()).toEqual([0, 1000, 2500, 5500, 11_500]);
  });

  test('network errors follow the same schedule', async () => {
    const { outbox, times, answer } = setup({ random: 0 });
    answer(() => Promise.reject(new TypeError('Failed to fetch')));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(8000);
    expect(times()).toEqual([0, 1000, 2000, 4000, 8000]);
  });

  test('no retry comes sooner than its backoff', async () => {
    const { outbox, times, answer } = setup({ random: 1 });
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(2999);
    expect(times()).toEqual([0, 1000]);
  });

  test('the backoff stops growing at 5 minutes', async () => {
    const { outbox, calls, answer } = setup({ random: 1 });
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(1_111_000);
    const gaps = calls.slice(1).map((call, index) => call.at - (calls[index]?.at as number));
    expect(gaps).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000,
    ]);
  });

  test('the stored attempt count grows with each failure', async () => {
    const { outbox, store, answer } = setup({ random: 1 });
    answer(status(500));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(3000);
    expect(store.get<OutboxItem>(KEY)).toMatchObject({ attempts: 3, due: T0 + 7000 });
  });

  test('a vote retried after a failure is delivered and removed', async () => {
    const { outbox, storage, notify, times, answer } = setup({ random: 1 });
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(0);
    answer(status(201));
    await vi.advanceTimersByTimeAsync(1000);
    expect(times()).toEqual([0, 1000]);
    expect(notify.mock.calls.at(-1)?.[1]).toEqual({ sent: true, status: 201 });
    expect(storage.getItem(KEY)).toBeNull();
  });
});

describe('Retry-After', () => {
  test('Retry-After in seconds longer than the backoff sets the next attempt', async () => {
    const { outbox, times, answer } = setup({ random: 1 });
    answer(status(429, '120'));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(120_000);
    expect(times()).toEqual([0, 120_000]);
  });

  test('Retry-After as an HTTP date sets the next attempt', async () => {
    const { outbox, times, answer } = setup({ random: 1 });
    answer(status(503, new Date(T0 + 90_000).toUTCString()));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(90_000);
    expect(times()).toEqual([0, 90_000]);
  });

  test('no attempt comes before Retry-After', async () => {
    const { outbox, times, answer } = setup({ random: 1 });
    answer(status(429, '120'));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(119_999);
    expect(times()).toEqual([0]);
  });

  test.each(['Infinity', '1e309'])(
    'a Retry-After of %s waits long, not a second: no attempt within a day',
    async (header) => {
      const { outbox, times, answer } = setup({ random: 1 });
      answer(status(429, header));
      outbox.put(outboxItem());
      await vi.advanceTimersByTimeAsync(86_400_000);
      expect(times()).toEqual([0]);
    },
  );

  test('a Retry-After shorter than the backoff does not shorten it', async () => {
    const { outbox, times, answer } = setup({ random: 1 });
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(0);
    answer(status(429, '1'));
    await vi.advanceTimersByTimeAsync(3000);
    // The second failure's backoff is 2 s, longer than its Retry-After of 1 s.
    expect(times()).toEqual([0, 1000, 3000]);
  });

  test('a Retry-After of a month sets a timer of at most KEEP_MS, not one that fires at once', async () => {
    const { outbox, times, answer } = setup({ random: 1 });
    const delays: number[] = [];
    const timeout = setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((task: () => void, ms: number) => {
      delays.push(ms);
      return timeout(task, ms);
    }) as typeof setTimeout);
    answer(status(503, String(30 * 86_400)));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(times()).toEqual([0]);
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(KEEP_MS);
    expect(Math.min(...delays)).toBeGreaterThan(KEEP_MS - 60_000);
  });

  test('an unreadable Retry-After is ignored', async () => {
    const { outbox, times, answer } = setup({ random: 1 });
    answer(status(503, 'soon'));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(1000);
    expect(times()).toEqual([0, 1000]);
  });
});

describe('other 4xx answers', () => {
  test.each([400, 404, 422])('%i drops the vote and reports it will not retry', async (code) => {
    const { outbox, storage, notify, answer } = setup();
    answer(status(code));
    const item = outboxItem();
    outbox.put(item);
    await vi.advanceTimersByTimeAsync(0);
    expect(notify.mock.calls).toEqual([
      [item, { sent: false, error: new DeliveryError(item.url, code), willRetry: false }, true],
    ]);
    expect(storage.getItem(KEY)).toBeNull();
  });

  test('a dropped vote is never sent again', async () => {
    const { outbox, times, answer } = setup();
    answer(status(400));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(600_000);
    await outbox.flush();
    expect(times()).toEqual([0]);
  });
});

describe('age', () => {
  test('a vote 7 days old that fails is dropped instead of retried', async () => {
    const { outbox, storage, notify, answer } = setup();
    answer(status(503));
    const item = outboxItem({ created: T0 - KEEP_MS });
    outbox.put(item);
    await vi.advanceTimersByTimeAsync(0);
    expect(notify.mock.calls).toEqual([
      [item, { sent: false, error: new DeliveryError(item.url, 503), willRetry: false }, true],
    ]);
    expect(storage.getItem(KEY)).toBeNull();
  });

  test('a vote just under 7 days old that fails is kept for a retry', async () => {
    const { outbox, store, answer } = setup();
    answer(status(503));
    outbox.put(outboxItem({ created: T0 - KEEP_MS + 1 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get<OutboxItem>(KEY)?.attempts).toBe(1);
  });

  test('a vote created a year ahead (a clock set back since) is dropped 7 days on, not retried for ever', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify(outboxItem({ created: T0 + 365 * 24 * 3_600_000 })));
    const { outbox, notify, answer } = setup({ storage });
    answer(status(503));
    await outbox.flush();
    await vi.advanceTimersByTimeAsync(KEEP_MS - 600_000);
    expect(storage.getItem(KEY)).not.toBeNull();
    await vi.advanceTimersByTimeAsync(1_200_000);
    expect(storage.getItem(KEY)).toBeNull();
    expect(notify.mock.calls.at(-1)?.[1]).toMatchObject({ sent: false, willRetry: false });
  });

  test('KEEP_MS is 7 days', () => {
    expect(KEEP_MS).toBe(7 * 24 * 60 * 60 * 1000);
  });
});

describe('due', () => {
  test('an item stored with a future due (another tab, an earlier page) is sent once due', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify(outboxItem({ due: T0 + 60_000 })));
    const { outbox, times } = setup({ storage });
    await outbox.flush();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(times()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times()).toEqual([60_000]);
  });

  test('a draft this page put with a future due is not sent, not even once due', async () => {
    const { outbox, times } = setup();
    outbox.put(outboxItem({ due: T0 + 60_000 }));
    await vi.advanceTimersByTimeAsync(120_000);
    await outbox.flush();
    expect(times()).toEqual([]);
  });

  test('a draft is stored as put', () => {
    const { outbox, store } = setup();
    const draft = outboxItem({ due: T0 + 60_000 });
    outbox.put(draft);
    expect(store.get(KEY)).toEqual(draft);
  });

  test('a draft put again due now is sent at once, as put the second time', async () => {
    const { outbox, transport } = setup();
    outbox.put(outboxItem({ due: T0 + 60_000 }));
    await vi.advanceTimersByTimeAsync(5000);
    const final = outboxItem({ due: 0, body: { id: 'x', comment: 'Too vague' } });
    outbox.put(final);
    expect(transport.mock.calls).toEqual([[final, false]]);
  });
});

describe('flush', () => {
  test('flush(true) sends with keepalive', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify(outboxItem()));
    const { outbox, transport } = setup({ storage });
    await outbox.flush(true);
    expect(transport.mock.calls.map(([, keepalive]) => keepalive)).toEqual([true]);
  });

  test('flush(true, true) sends a vote waiting out its backoff once more, with keepalive', async () => {
    const { outbox, calls, answer } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(10);
    await outbox.flush(true, true);
    expect(calls.map(({ at, keepalive }) => [at, keepalive])).toEqual([
      [0, false],
      [10, true],
    ]);
  });

  test('flush(false, true) retries a vote waiting out its backoff at once, as when back online', async () => {
    const { outbox, times, answer } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(10);
    await outbox.flush(false, true);
    expect(times()).toEqual([0, 10]);
  });

  test('flush() leaves a vote waiting out its backoff to its timer', async () => {
    const { outbox, times, answer } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(10);
    await outbox.flush();
    expect(times()).toEqual([0]);
  });

  test('flush(true, true) leaves a vote whose follow-up is open in another tab to that tab', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify(outboxItem({ due: T0 + 60_000 })));
    const { outbox, transport } = setup({ storage });
    await outbox.flush(true, true);
    expect(transport).not.toHaveBeenCalled();
  });

  test('flush() sends without keepalive', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify(outboxItem()));
    const { outbox, transport } = setup({ storage });
    await outbox.flush();
    expect(transport.mock.calls.map(([, keepalive]) => keepalive)).toEqual([false]);
  });

  test('put(item, true) sends with keepalive', () => {
    const { outbox, transport } = setup();
    outbox.put(outboxItem(), true);
    expect(transport.mock.calls.map(([, keepalive]) => keepalive)).toEqual([true]);
  });

  test('votes an earlier page load stored are sent by flush()', async () => {
    const storage = new MemoryStorage();
    const first = outboxItem({ id: 'a', created: T0 - 3_600_000, attempts: 2, due: T0 - 1000 });
    const second = outboxItem({ id: 'b', created: T0 - 60_000, due: T0 - 60_000 });
    storage.setItem(`${OUTBOX_PREFIX}a`, JSON.stringify(first));
    storage.setItem(`${OUTBOX_PREFIX}b`, JSON.stringify(second));
    const { outbox, transport, notify } = setup({ storage });
    await outbox.flush();
    expect(transport.mock.calls).toEqual([
      [first, false],
      [second, false],
    ]);
    expect(notify.mock.calls.map(([, outcome]) => outcome)).toEqual([
      { sent: true, status: 201 },
      { sent: true, status: 201 },
    ]);
    expect(storage.length).toBe(0);
  });

  test('nothing is sent before flush() for votes an earlier page load stored', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify(outboxItem()));
    const { times } = setup({ storage });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(times()).toEqual([]);
  });

  test('flush() resolves once the attempts have been answered', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify(outboxItem()));
    const { outbox, notify } = setup({ storage });
    await outbox.flush();
    expect(notify).toHaveBeenCalledTimes(1);
  });
});

describe('one send at a time', () => {
  test('the same vote is not sent twice while a send is in flight', async () => {
    const { outbox, times, answer } = setup();
    const pending = deferred<Answer>();
    answer(() => pending.promise);
    outbox.put(outboxItem());
    const flushed = outbox.flush();
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(0);
    expect(times()).toEqual([0]);
    pending.resolve({ status: 201, retryAfter: null });
    await flushed;
  });

  test('a keepalive flush overtakes a plain send in flight', async () => {
    const { outbox, transport, answer } = setup();
    answer(() => new Promise<Answer>(() => {}));
    outbox.put(outboxItem());
    void outbox.flush(true);
    void outbox.flush(true);
    expect(transport.mock.calls.map(([, keepalive]) => keepalive)).toEqual([false, true]);
  });

  test('a send failing after a keepalive copy was accepted is neither retried nor reported', async () => {
    const { outbox, storage, transport, notify, answer } = setup();
    const first = deferred<Answer>();
    answer(() => first.promise);
    outbox.put(outboxItem());
    answer(status(201));
    await outbox.flush(true);
    first.reject(new TypeError('Failed to fetch'));
    await vi.advanceTimersByTimeAsync(600_000);
    expect(transport).toHaveBeenCalledTimes(2);
    expect(storage.getItem(KEY)).toBeNull();
    expect(notify.mock.calls.map(([, outcome]) => outcome.sent)).toEqual([true]);
  });

  test('a new vote is first sent in the task that put it, without the lock', () => {
    const { outbox, exclusive, times } = setup();
    outbox.put(outboxItem());
    expect([times(), exclusive.mock.calls.length]).toEqual([[0], 0]);
  });

  test('a draft put again due now is first sent without the lock', () => {
    const { outbox, exclusive, times } = setup();
    outbox.put(outboxItem({ due: T0 + 60_000 }));
    outbox.put(outboxItem());
    expect([times(), exclusive.mock.calls.length]).toEqual([[0], 0]);
  });

  test('a retry takes the lock, named after the vote', async () => {
    const { outbox, exclusive, answer } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(1000);
    expect(exclusive.mock.calls.map(([name]) => name)).toEqual([KEY]);
  });

  test('a vote put again due now while another tab may be sending it waits for the lock', () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify(outboxItem()));
    const { outbox, exclusive, transport } = setup({ storage });
    exclusive.mockImplementationOnce(async () => {});
    outbox.put(outboxItem());
    expect([exclusive.mock.calls.length, transport.mock.calls.length]).toEqual([1, 0]);
  });

  test('a vote another tab holds the lock for is left in the store for later', async () => {
    const storage = new MemoryStorage();
    const item = outboxItem();
    storage.setItem(KEY, JSON.stringify(item));
    const { outbox, store, exclusive, transport } = setup({ storage });
    exclusive.mockImplementationOnce(async () => {});
    await outbox.flush();
    expect(transport).not.toHaveBeenCalled();
    expect(store.get(KEY)).toEqual(item);
  });

  test('a vote skipped for another tab is tried again a second later', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify(outboxItem()));
    const { outbox, exclusive, times } = setup({ storage });
    exclusive.mockImplementationOnce(async () => {});
    await outbox.flush();
    await vi.advanceTimersByTimeAsync(1000);
    expect(times()).toEqual([1000]);
  });

  test('a vote another tab leased is left alone, even by a keepalive flush, until the lease ends', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify({ ...outboxItem(), lease: T0 + 15_000 }));
    const { outbox, times } = setup({ storage });
    await outbox.flush(true, true);
    await outbox.flush();
    await vi.advanceTimersByTimeAsync(14_999);
    expect(times()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times()).toEqual([15_000]);
  });

  test('a lease further ahead than 15 s (a clock set back since) holds nothing: the vote is sent', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify({ ...outboxItem(), lease: T0 + 365 * 24 * 3_600_000 }));
    const { outbox, times } = setup({ storage });
    await outbox.flush();
    expect(times()).toEqual([0]);
    expect(storage.getItem(KEY)).toBeNull();
  });

  test('a vote put with keepalive (the page is going) is sent without a lease', () => {
    const { outbox, calls } = setup();
    outbox.put(outboxItem(), true);
    expect(calls.map(({ stored }) => (stored as OutboxItem).lease)).toEqual([undefined]);
  });

  test("a keepalive send of this page's leased vote gives the lease up, so a later visit need not wait", () => {
    const { outbox, store, answer } = setup();
    answer(() => new Promise<Answer>(() => {}));
    outbox.put(outboxItem());
    void outbox.flush(true);
    expect(store.get<OutboxItem>(KEY)?.lease).toBeUndefined();
  });

  test('a vote whose first attempt failed is stored without its lease, for any tab to retry', async () => {
    const { outbox, store, answer } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get<OutboxItem>(KEY)?.lease).toBeUndefined();
  });
});

describe('storage lost while a vote waits', () => {
  test('a vote waiting for a retry when the page clears its storage is sent at its retry, then settled', async () => {
    const { outbox, storage, notify, answer, times } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(0);
    storage.clear();
    answer(status(201));
    await vi.advanceTimersByTimeAsync(1000);
    expect(times()).toEqual([0, 1000]);
    expect(notify.mock.calls.map(([, outcome]) => outcome.sent)).toEqual([false, true]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect([times(), storage.length]).toEqual([[0, 1000], 0]);
  });

  test('a vote cleared from storage while in flight, then failing, is stored again for a retry', async () => {
    const { outbox, storage, store, notify, answer } = setup();
    const first = deferred<Answer>();
    answer(() => first.promise);
    const item = outboxItem();
    outbox.put(item);
    storage.clear();
    first.resolve({ status: 503, retryAfter: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get(KEY)).toEqual({ ...item, attempts: 1, due: T0 + 1000 });
    expect(notify.mock.calls.map(([, outcome]) => !outcome.sent && outcome.willRetry)).toEqual([
      true,
    ]);
  });

  test('flush() sends a vote the page removed from storage', async () => {
    const { outbox, storage, answer, times } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(0);
    storage.removeItem(KEY);
    answer(status(201));
    await outbox.flush(false, true);
    expect(times()).toEqual([0, 0]);
  });

  test('a vote another tab removed (its storage event) is not sent again', async () => {
    const { outbox, storage, answer, times } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(0);
    storage.removeItem(KEY);
    outbox.sync(KEY);
    await vi.advanceTimersByTimeAsync(600_000);
    await outbox.flush(true, true);
    expect([times(), storage.length]).toEqual([[0], 0]);
  });

  test('a send failing after another tab removed the vote and said so is neither retried nor reported', async () => {
    const { outbox, storage, notify, answer, times } = setup();
    const first = deferred<Answer>();
    answer(() => first.promise);
    outbox.put(outboxItem());
    storage.removeItem(KEY);
    outbox.sync(KEY);
    first.reject(new TypeError('Failed to fetch'));
    await vi.advanceTimersByTimeAsync(600_000);
    expect([times(), storage.length, notify.mock.calls.length]).toEqual([[0], 0, 0]);
  });

  test('another tab clearing storage (a storage event with no key) leaves this page sending its vote', async () => {
    const { outbox, storage, answer, times } = setup();
    answer(status(503));
    outbox.put(outboxItem());
    await vi.advanceTimersByTimeAsync(0);
    storage.clear();
    outbox.sync(null);
    answer(status(201));
    await vi.advanceTimersByTimeAsync(1000);
    expect(times()).toEqual([0, 1000]);
  });

  test('a storage event for a vote another tab only rescheduled does not make this page forget it', async () => {
    const { outbox, storage, answer, times } = setup();
    answer(status(503));
    const item = outboxItem();
    outbox.put(item);
    await vi.advanceTimersByTimeAsync(0);
    storage.setItem(KEY, JSON.stringify({ ...item, attempts: 2, due: T0 + 2000 }));
    outbox.sync(KEY);
    storage.clear();
    answer(status(201));
    await vi.advanceTimersByTimeAsync(1000);
    expect(times()).toEqual([0, 1000]);
  });
});

describe('corrupt storage', () => {
  test.each([
    ['garbage JSON', '{"id":'],
    ['a null entry', 'null'],
    ['an item without a URL', JSON.stringify({ ...outboxItem({ due: 0 }), url: 42 })],
    ['an item without an event', JSON.stringify({ ...outboxItem({ due: 0 }), event: null })],
    ['an item without a body', JSON.stringify({ ...outboxItem({ due: 0 }), body: undefined })],
    ['an item with a null body', JSON.stringify({ ...outboxItem({ due: 0 }), body: null })],
    [
      'an item without a created time',
      JSON.stringify({ ...outboxItem({ due: 0 }), created: 'now' }),
    ],
  ])('%s is removed without a send', async (_, text) => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, text);
    const { outbox, transport, notify } = setup({ storage });
    await outbox.flush();
    expect([storage.getItem(KEY), transport.mock.calls.length, notify.mock.calls.length]).toEqual([
      null,
      0,
      0,
    ]);
  });

  test('an attempt count that is not a number still backs off and honours Retry-After', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify({ ...outboxItem({ due: 0 }), attempts: 'many' }));
    const { outbox, times, answer } = setup({ storage, random: 1 });
    answer(status(429, '30'));
    await outbox.flush();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(times()).toEqual([0]);
  });

  test('a corrupt item does not keep the good ones from being sent', async () => {
    const storage = new MemoryStorage();
    storage.setItem(`${OUTBOX_PREFIX}bad`, '[]');
    storage.setItem(KEY, JSON.stringify(outboxItem()));
    const { outbox, times } = setup({ storage });
    await outbox.flush();
    expect([times(), storage.length]).toEqual([[0], 0]);
  });
});
