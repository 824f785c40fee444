import { createEvent } from '../../widget/core/event';
import { toRequest } from '../../widget/core/formats';
import type { OutboxItem } from '../../widget/core/outbox';
import { eventContext, resolve } from './config';

/** Where the outbox keeps each item: the prefix plus the item id (shared by every tab). */
export const OUTBOX_PREFIX = 'feedback-widget:outbox:';

/** An up vote on conv-123 in format event, due and created now, as the outbox stores it. */
export function outboxItem(overrides: Partial<OutboxItem> = {}): OutboxItem {
  const id = overrides.id ?? '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f';
  const config = resolve({ conversationId: 'conv-123' });
  const event = createEvent(config, { rating: 'up' }, eventContext({ id, now: Date.now() }));
  return {
    ...toRequest(config, event),
    id,
    event,
    subject: 'conv-123',
    token: undefined,
    credentials: 'omit',
    created: Date.now(),
    attempts: 0,
    due: Date.now(),
    ...overrides,
  };
}

/** A promise with its resolve and reject at hand, for answers a test releases when it wants. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/** The `schedule` service on top of (fake) timers. */
export function schedule(task: () => void, ms: number): () => void {
  const timer = setTimeout(task, ms);
  return () => clearTimeout(timer);
}
