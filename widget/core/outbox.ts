import { DeliveryError } from './delivery-error';
import type { FeedbackEvent } from './event';
import type { WireRequest } from './formats';
import { backoffMs, retryAfterMs, retryable } from './retry';
import type { Store } from './store';

/** One vote waiting to be delivered, as stored; `id` is also its Idempotency-Key. */
export interface OutboxItem extends WireRequest {
  id: string;
  event: FeedbackEvent;
  /**
   * What the vote is on (votes.ts), so the page that delivers it can tell that subject's
   * widgets. Items stored by earlier versions lack it: their widgets are told nothing.
   */
  subject: string;
  token: string | undefined;
  credentials: RequestCredentials;
  created: number;
  attempts: number;
  /** Not sent before this epoch ms: a follow-up still open, or a retry backing off. */
  due: number;
  /** Until this epoch ms the page that put it is making its first attempt: other tabs wait. */
  lease?: number;
}

/** What the endpoint answered; a network failure or timeout rejects instead. */
export interface Answer {
  status: number;
  retryAfter: string | null;
}

export interface OutboxServices {
  store: Store;
  now: () => number;
  random: () => number;
  transport: (item: OutboxItem, keepalive: boolean) => Promise<Answer>;
  /** Runs `task` only if no other tab holds `name`; resolves when done or skipped. */
  exclusive: (name: string, task: () => Promise<void>) => Promise<void>;
  schedule: (task: () => void, ms: number) => () => void;
  /** `durable`: whether storage holds the item, so a later page load would still send it. */
  notify: (item: OutboxItem, outcome: Outcome, durable: boolean) => void;
}

export type Outcome =
  | { sent: true; status: number }
  | { sent: false; error: Error; willRetry: boolean };

export interface Outbox {
  /**
   * Stores the item durably, replacing any with the same id. Due now: sends it, in this task
   * when no other tab can be sending it. Due later: a draft this page will put again when its
   * follow-up closes; other tabs and later page loads send it once due, in case this page
   * never does. Whether it is stored for later page loads (else for this page's lifetime only).
   */
  put(item: OutboxItem, keepalive?: boolean): boolean;
  /**
   * Attempts every due item now; `keepalive` lets the requests outlive the page, and `early`
   * also tries items waiting out a backoff (the page is going, the network is back, or the page
   * asked), but not an open follow-up's.
   */
  flush(keepalive?: boolean, early?: boolean): Promise<void>;
  /**
   * Another tab changed `key` (a storage event; null: it cleared storage): a vote it removed
   * was delivered or dropped there, so this page no longer keeps it.
   */
  sync(key: string | null): void;
}

const PREFIX = 'feedback-widget:outbox:';
const MAX_RETRY_MS = 5 * 60_000;
/** Longer than the transport's 10 s timeout, so a lease outlives the attempt it covers. */
const LEASE_MS = 15_000;
/** Undelivered votes are retried on later page loads for this long, then dropped. */
export const KEEP_MS = 7 * 24 * 3_600_000;

export function createOutbox(services: OutboxServices): Outbox {
  const { store, now } = services;
  /** Sends under way: whether with keepalive, and when they settle. */
  const inFlight = new Map<string, { keepalive: boolean; done: Promise<void> }>();
  /** Votes whose follow-up is open in this page: this page sends them when it closes. */
  const drafts = new Set<string>();
  /** Votes this page leased for a first attempt it is making without the lock. */
  const leases = new Set<string>();
  /**
   * What this page stored or is sending, until it settles: a page that clears its own storage
   * (a sign-out's `localStorage.clear()`) gets no storage event, so a vote gone from storage
   * that no other tab removed is put back from here, not lost (SPEC §6).
   */
  const kept = new Map<string, OutboxItem>();
  /** Votes storage refused: they live as long as this page. */
  const fleeting = new Set<string>();
  let cancelTimer = () => {};
  const read = (id: string) => store.get<OutboxItem>(PREFIX + id) ?? kept.get(id);
  const keep = (item: OutboxItem) => {
    kept.set(item.id, item);
    return store.set(PREFIX + item.id, item);
  };
  const settle = (id: string) => {
    kept.delete(id);
    store.remove(PREFIX + id);
  };
  /** Every vote waiting here or in storage, by id. */
  const waiting = () => [
    ...new Set([...store.keys(PREFIX).map((key) => key.slice(PREFIX.length)), ...kept.keys()]),
  ];

  /** Sets one timer for the earliest item not in flight; never sooner than a second, so an
   * item another tab holds does not spin this one. */
  function wake() {
    cancelTimer();
    const dues = waiting()
      .filter((id) => !inFlight.has(id) && !drafts.has(id))
      .map((id) => {
        const item = read(id);
        return Math.max(item?.due ?? 0, item?.lease ?? 0);
      });
    if (dues.length) {
      // A wait past KEEP_MS (a Retry-After of a month) is cut short: a timer of more than
      // 2^31 - 1 ms would fire at once, again and again.
      cancelTimer = services.schedule(
        () => void outbox.flush(),
        Math.max(1000, Math.min(...dues, now() + KEEP_MS) - now()),
      );
    }
  }

  async function attempt(id: string, keepalive: boolean, early: boolean) {
    // Re-read under the lock: another tab may have delivered or rescheduled it meanwhile.
    const item = read(id);
    if (
      typeof item?.url !== 'string' ||
      !item.event ||
      !item.body ||
      typeof item.created !== 'number'
    ) {
      settle(id);
      return;
    }
    // An open follow-up elsewhere (no attempt yet) waits for its own page even when early, and
    // a first attempt another page is making is left to it.
    if (item.due > now() && !(early && item.attempts)) return;
    // A lease or a creation time further ahead than any page would set (a clock set back since,
    // another version) would hold the vote for ever, or keep it past KEEP_MS.
    const lease = (item.lease ?? 0) - now();
    if (lease > 0 && lease <= LEASE_MS && !leases.has(id)) return;
    item.created = Math.min(item.created, now());
    kept.set(id, item);
    if (item.lease !== undefined) {
      delete item.lease;
      // A page going away will likely never see this answer: another tab or a later visit
      // may try again at once instead of waiting out the lease.
      if (keepalive) keep(item);
    }
    let outcome: Outcome;
    try {
      const answer = await services.transport(item, keepalive);
      if (answer.status < 300) outcome = { sent: true, status: answer.status };
      else {
        const error = new DeliveryError(item.url, answer.status);
        outcome = { sent: false, error, willRetry: retryable(answer.status) };
        item.due = now() + retryAfterMs(answer.retryAfter, now());
      }
    } catch (cause) {
      outcome = { sent: false, error: cause as Error, willRetry: true };
      item.due = now();
    }
    // Meanwhile a keepalive copy (the page was hidden) or another tab settled it: no retry.
    if (!outcome.sent && !kept.has(id)) return;
    if (!outcome.sent && outcome.willRetry && now() - item.created < KEEP_MS) {
      // `| 0`: a count mangled in storage must not turn the backoff into NaN (retry at once).
      item.attempts = (item.attempts | 0) + 1;
      item.due = Math.max(
        item.due,
        now() + backoffMs(item.attempts, services.random(), MAX_RETRY_MS),
      );
      keep(item);
    } else {
      if (!outcome.sent) outcome.willRetry = false;
      settle(id);
    }
    services.notify(item, outcome, !fleeting.has(id));
  }

  /**
   * Sends one item unless it is a draft or already on its way; resolves when it settled.
   * `leased`: this page holds the item's lease, so no lock is needed.
   */
  function deliver(id: string, keepalive: boolean, early = false, leased = false): Promise<void> {
    const sending = inFlight.get(id);
    if (drafts.has(id)) return Promise.resolve();
    // A keepalive send may overtake a plain one in flight (the page is going away and will
    // abort it); anything else already in flight is waited for.
    if (sending && (sending.keepalive || !keepalive)) return sending.done;
    // A page being hidden may never run a lock's callback: send at once, the
    // Idempotency-Key keeps a repeat from counting twice.
    const done = (
      keepalive || leased
        ? attempt(id, keepalive, early)
        : services.exclusive(PREFIX + id, () => attempt(id, false, early))
    ).finally(() => {
      if (leased) leases.delete(id);
      if (inFlight.get(id)?.done === done) inFlight.delete(id);
    });
    inFlight.set(id, { keepalive, done });
    return done;
  }

  const outbox: Outbox = {
    put(item, keepalive = false) {
      const { id } = item;
      const stored = read(id);
      // New, or a draft due nowhere yet: no other tab can be sending it, so the first attempt
      // goes out in this task (a lock or timer would wait for the next frame, ~12 ms), leased
      // so that other tabs leave it alone meanwhile. Anything else waits for the lock, but for
      // a keepalive send (the page is going), which needs neither.
      const leased =
        !keepalive && item.due <= now() && (!(stored && stored.due <= now()) || leases.has(id));
      if (leased) leases.add(id);
      const durable = keep(leased ? { ...item, lease: now() + LEASE_MS } : item);
      fleeting[durable ? 'delete' : 'add'](id);
      if (item.due > now()) drafts.add(id);
      else {
        drafts.delete(id);
        void deliver(id, keepalive, false, leased).then(wake);
      }
      return durable;
    },
    async flush(keepalive = false, early = false) {
      await Promise.all(waiting().map((id) => deliver(id, keepalive, early)));
      wake();
    },
    sync(key) {
      if (key?.startsWith(PREFIX) && !store.get(key)) kept.delete(key.slice(PREFIX.length));
    },
  };
  return outbox;
}
