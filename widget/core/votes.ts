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
}

export interface Votes {
  /** The live vote on a subject, shared by every mount of it in this page; re-read now. */
  watch(subject: string): Signal<Vote | undefined>;
  /** The vote on a subject as stored now, unless expired. */
  current(subject: string): Vote | undefined;
  /** Remembers a vote for `windowMs` (0 = this page only, Infinity = forever). */
  record(subject: string, vote: Omit<Vote, 'expires'>, windowMs: number): void;
  /** Re-reads a storage key another tab changed; null means storage was cleared. */
  sync(key: string | null): void;
}

const PREFIX = 'feedback-widget:vote:';

export function createVotes(store: Store, now: () => number): Votes {
  const live = new Map<string, Signal<Vote | undefined>>();
  const read = (subject: string) => {
    const vote = store.get<Vote>(PREFIX + subject);
    // What another version or a hand edit left there is not a vote: it would block every click.
    if (/^(up|down|neutral)$/.test(vote?.rating as string) && (vote?.expires ?? Infinity) > now()) {
      return vote;
    }
    if (vote) store.remove(PREFIX + subject);
    return undefined;
  };
  for (const key of store.keys(PREFIX)) read(key.slice(PREFIX.length));

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
      const recorded = { ...vote, expires: Number.isFinite(expires) ? expires : null };
      if (windowMs) store.set(PREFIX + subject, recorded);
      votes.watch(subject).value = recorded;
    },
    sync(key) {
      for (const [subject, vote] of live) {
        if (key === null || key === PREFIX + subject) vote.value = read(subject);
      }
    },
  };
  return votes;
}
