import type { ReadonlySignal } from '@preact/signals-core';
import type { FeedbackEventType } from './core/feedback';
import { createOutbox, type Outbox } from './core/outbox';
import { createStore } from './core/store';
import { postVote } from './core/transport';
import { uuid } from './core/uuid';
import { createVotes, type Votes } from './core/votes';
import { watchPageTheme } from './page-theme';

type Emit = (type: FeedbackEventType, detail: object) => void;

/** Page-wide services every widget shares: one outbox, one vote memory, one theme watcher. */
export interface Runtime {
  votes: Votes;
  outbox: Outbox;
  dark: ReadonlySignal<boolean>;
  uuid: () => string;
  schedule: (task: () => void, ms: number) => () => void;
  /** Which widget reports the delivery of each vote this page cast. */
  owners: Map<string, Emit>;
  /** Open follow-ups, sent when the page is hidden. */
  held: Set<(keepalive: boolean) => void>;
  /** Sends every open follow-up and every due vote. */
  flush(keepalive?: boolean): Promise<void>;
}

let runtime: Runtime | undefined;

const schedule = (task: () => void, ms: number) => {
  const timer = setTimeout(task, ms);
  return () => clearTimeout(timer);
};

function exclusive(name: string, task: () => Promise<void>): Promise<void> {
  // Without Web Locks (none on a plain-http page, an opaque origin's, which refuse every
  // request, or ones refused where cookies are blocked) two tabs may both send; the
  // Idempotency-Key keeps that harmless.
  if (!navigator.locks || origin === 'null') return task();
  return navigator.locks
    .request(name, { ifAvailable: true }, async (lock) => {
      if (lock) await task();
    })
    .catch(task);
}

function start(): Runtime {
  const store = createStore(() => localStorage);
  const owners = new Map<string, Emit>();
  const held = new Set<(keepalive: boolean) => void>();
  const votes = createVotes(store, Date.now);
  const outbox = createOutbox({
    store,
    now: Date.now,
    random: Math.random,
    transport: postVote,
    exclusive,
    schedule,
    notify(item, outcome, durable) {
      // Every widget of the vote's subject, in any tab, says what became of it, also of a vote
      // an earlier page load cast: only this page's own votes have an owner to fire events. A
      // vote storage refused is not said to be saved: it goes with the page (SPEC §4).
      votes.deliver(
        item.subject,
        item.id,
        outcome.sent ? 'sent' : !outcome.willRetry ? 'failed' : durable ? 'queued' : undefined,
      );
      const emit = owners.get(item.id);
      if (outcome.sent || !outcome.willRetry) owners.delete(item.id);
      if (outcome.sent) emit?.('feedback:sent', { event: item.event, status: outcome.status });
      else
        emit?.('feedback:error', {
          event: item.event,
          error: outcome.error,
          willRetry: outcome.willRetry,
        });
    },
  });
  const flush = (keepalive = false) => {
    for (const finish of [...held]) finish(keepalive);
    // The page is going, the network is back, or the page asked: no waiting out backoffs.
    return outbox.flush(keepalive, true);
  };
  const hide = () => void flush(true);
  addEventListener('pagehide', hide);
  document.addEventListener('visibilitychange', () => document.hidden && hide());
  // Waiting votes go at once; a follow-up being typed stays open.
  addEventListener('online', () => void outbox.flush(false, true));
  addEventListener('storage', ({ key }) => {
    votes.sync(key);
    outbox.sync(key);
  });
  // Votes an earlier page of this origin could not deliver.
  void outbox.flush();
  return { votes, outbox, dark: watchPageTheme(), uuid, schedule, owners, held, flush };
}

/** The page's runtime, started on first use. */
export function getRuntime(): Runtime {
  runtime ??= start();
  return runtime;
}
