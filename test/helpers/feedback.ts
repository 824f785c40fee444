import { vi } from 'vitest';
import type { Config } from '../../widget/core/config';
import {
  createFeedback,
  type FeedbackEventType,
  type FeedbackServices,
} from '../../widget/core/feedback';
import { createOutbox, type OutboxItem, type OutboxServices } from '../../widget/core/outbox';
import { createStore } from '../../widget/core/store';
import { createVotes } from '../../widget/core/votes';
import { PAGE_URL } from './config';
import { schedule } from './outbox';
import { MemoryStorage } from './storage';

/**
 * A page's outbox over `storage`, as a later page load or another tab would have it, with a
 * transport that records each send and answers 201. Use with fake timers.
 */
export function pageOutbox(storage: MemoryStorage) {
  const sent: { at: number; item: OutboxItem; keepalive: boolean }[] = [];
  const transport = vi.fn<OutboxServices['transport']>(async (item, keepalive) => {
    sent.push({ at: Date.now(), item, keepalive });
    return { status: 201, retryAfter: null };
  });
  const outbox = createOutbox({
    store: createStore(() => storage),
    now: () => Date.now(),
    random: () => 1,
    transport,
    exclusive: (_, task) => task(),
    schedule,
    notify: () => {},
  });
  return { outbox, transport, sent };
}

/**
 * One widget's vote flow over the real votes and outbox of a page, with fresh storage, ids
 * `evt-1`, `evt-2`, … and a transport that records each send and answers 201. Use with fake
 * timers: the clock is `Date.now()`.
 */
export function feedbackPage(
  config: Config,
  options: { storage?: MemoryStorage; defaultReasons?: string[] } = {},
) {
  const storage = options.storage ?? new MemoryStorage();
  const store = createStore(() => storage);
  const votes = createVotes(store, () => Date.now());
  const { outbox, transport, sent } = pageOutbox(storage);
  const put = vi.spyOn(outbox, 'put');
  const emitted: [FeedbackEventType, object][] = [];
  const held = new Set<(keepalive: boolean) => void>();
  const hold = vi.fn<FeedbackServices['hold']>((finish) => {
    held.add(finish);
    return () => held.delete(finish);
  });
  const track = vi.fn<FeedbackServices['track']>();
  let ids = 0;
  const feedback = createFeedback(config, options.defaultReasons ?? ['Wrong', 'Too long'], {
    votes,
    outbox,
    now: () => Date.now(),
    uuid: () => `evt-${++ids}`,
    pageUrl: () => PAGE_URL,
    schedule,
    emit: (type, detail) => emitted.push([type, detail]),
    track,
    hold,
  });
  return {
    feedback,
    storage,
    store,
    votes,
    put,
    transport,
    emitted,
    held,
    hold,
    track,
    /** The bodies the endpoint received, in order. */
    bodies: () => sent.map(({ item }) => item.body),
    sent,
  };
}
