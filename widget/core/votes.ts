import { type Signal, signal } from '@preact/signals-core';
import type { Rating } from './config';
import type { Store } from './store';

/** What this browser already voted on one subject. */
export interface Vote {
  rating: Rating;
  /** The event id, so a changed vote can name the one it replaces. */
  id: string;
  /** Epoch ms after which the vote is forgotten; null = never (JSON has no Infinity). */
  expires: number | null;
  /** What became of it on its way to the endpoint; absent before the first answer. */
  delivery?: Delivery | undefined;
}

/** Waiting in the outbox for a retry, accepted by the endpoint, or dropped. */
export type Delivery = 'queued' | 'sent' | 'failed';

export interface Votes {
  /** The live vote on a subject, shared by every mount of it in this page; re-read now. */
  watch(subject: string): Signal<Vote | undefined>;
  /** The vote on a subject as stored now, unless expired. */
  current(subject: string): Vote | undefined;
  /** Remembers a vote for `windowMs` (0 = this page only, Infinity = forever). */
  record(subject: string, vote: Omit<Vote, 'expires'>, windowMs: number): void;
  /** Re-reads a storage key another tab changed; null means storage was cleared. */
  sync(key: string | null): void;
  /**
   * Notes what became of the vote `id` on its way to the endpoint, stored with it so that other
   * tabs and later page loads say the same (undefined: nothing to say yet). A vote changed or
   * forgotten since is left alone.
   */
  deliver(subject: string, id: string, delivery: Delivery | undefined): void;
}

const PREFIX = 'feedback-widget:vote:';

export function createVotes(store: Store, now: () => number): Votes {
  const live = new Map<string, Signal<Vote | undefined>>();
  const read = (subject: string) => {
    const vote = store.get<Vote>(PREFIX + subject);
    // What another version or a hand edit left there is not a vote: it would block every click.
    // A `delivery` names a text to show: `__proto__` there would reach Object.prototype.
    if (
      /^(up|down|neutral)$/.test(vote?.rating as string) &&
      /^(queued|sent|failed|)$/.test(vote?.delivery ?? '') &&
      (vote?.expires ?? Infinity) > now()
    ) {
      return vote;
    }
    if (vote) store.remove(PREFIX + subject);
    return undefined;
  };
  for (const key of store.keys(PREFIX)) read(key.slice(PREFIX.length));
  /** Makes `vote` the one on `subject`: stored, unless it is for this page only (expires 0). */
  const keep = (subject: string, vote: Vote) => {
    if (vote.expires !== 0) store.set(PREFIX + subject, vote);
    votes.watch(subject).value = vote;
  };

  const votes: Votes = {
    watch(subject) {
      let vote = live.get(subject);
      if (!vote) {
        vote = signal<Vote | undefined>(undefined);
        live.set(subject, vote);
      }
      // Re-read on every look: the window may have passed, or another tab may have voted.
      vote.value = read(subject) ?? (vote.value?.expires === 0 ? vote.value : undefined);
      return vote;
    },
    current: (subject) => votes.watch(subject).value,
    record(subject, vote, windowMs) {
      const expires = windowMs ? now() + windowMs : 0;
      keep(subject, { ...vote, expires: Number.isFinite(expires) ? expires : null });
    },
    sync(key) {
      for (const [subject, vote] of live) {
        if (key === null || key === PREFIX + subject) vote.value = read(subject);
      }
    },
    deliver(subject, id, delivery) {
      const shown = live.get(subject)?.value;
      // Gone from storage unexpired: the page cleared it (a sign-out's `localStorage.clear()`).
      // The outbox still sends the vote, so it stays shown, and told, here but is not stored.
      const vote =
        votes.current(subject) ??
        (shown && (shown.expires ?? Infinity) > now() ? { ...shown, expires: 0 } : undefined);
      if (vote?.id === id) keep(subject, { ...vote, delivery });
    },
  };
  return votes;
}
