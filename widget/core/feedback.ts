import { type ReadonlySignal, type Signal, signal } from '@preact/signals-core';
import type { Config, Rating } from './config';
import { createEvent, type FeedbackEvent, subjectOf } from './event';
import { toRequest } from './formats';
import type { Outbox } from './outbox';
import type { Vote, Votes } from './votes';

/** A follow-up left open this long is sent as it stands. */
export const IDLE_MS = 60_000;

export type FeedbackEventType =
  | 'feedback:vote'
  | 'feedback:sent'
  | 'feedback:error'
  | 'feedback:duplicate';

export interface FeedbackServices {
  votes: Votes;
  outbox: Outbox;
  now: () => number;
  uuid: () => string;
  /** The page's URL now: a single-page app may have moved since the widget was mounted. */
  pageUrl: () => string;
  schedule: (task: () => void, ms: number) => () => void;
  emit: (type: FeedbackEventType, detail: object) => void;
  /** Routes the delivery outcome of a vote to this widget's `emit`. */
  track: (id: string) => void;
  /** Lists an open follow-up so a page being hidden can send it; returns the unlisting. */
  hold: (finish: (keepalive: boolean) => void) => () => void;
}

/** One widget's vote flow: choose, follow up, hand over to the outbox. */
export interface Feedback {
  /** This browser's vote on the subject, live across mounts and tabs. */
  vote: ReadonlySignal<Vote | undefined>;
  /** The vote whose follow-up is open. */
  open: ReadonlySignal<FeedbackEvent | undefined>;
  reason: Signal<string | undefined>;
  comment: Signal<string>;
  reasonsFor(rating: Rating): string[];
  choose(rating: Rating): void;
  /** The person is still busy with the follow-up: restart its idle time. */
  touch(): void;
  /** Sends the open vote; `keep` = with the reason and comment entered so far. */
  finish(keep: boolean, keepalive?: boolean): void;
}

export function createFeedback(
  config: Config,
  defaultReasons: string[],
  services: FeedbackServices,
): Feedback {
  const subject = subjectOf(config, services.pageUrl());
  const open = signal<FeedbackEvent | undefined>(undefined);
  let cancelIdle = () => {};
  let release = () => {};

  /**
   * Stores the open vote, with what the follow-up holds so far unless `keep` is false; whether
   * later page loads will find it.
   */
  function queue(event: FeedbackEvent, due: number, keep = true, keepalive = false) {
    const final = createEvent(
      config,
      {
        rating: event.rating,
        reason: keep ? feedback.reason.value : undefined,
        comment: keep ? feedback.comment.value : undefined,
      },
      {
        id: event.id,
        now: Date.parse(event.created_at),
        pageUrl: event.page_url,
        replaces: event.replaces,
      },
    );
    services.track(final.id);
    return services.outbox.put(
      {
        ...toRequest(config, final),
        id: final.id,
        event: final,
        subject,
        token: config.token,
        credentials: config.credentials,
        created: services.now(),
        attempts: 0,
        due,
      },
      keepalive,
    );
  }

  function restartIdle() {
    cancelIdle();
    cancelIdle = services.schedule(() => feedback.finish(true), IDLE_MS);
  }

  const feedback: Feedback = {
    vote: services.votes.watch(subject),
    open,
    reason: signal(undefined),
    comment: signal(''),
    reasonsFor: (rating) =>
      rating === 'up'
        ? config.reasonsUp
        : rating === 'down'
          ? (config.reasons ?? defaultReasons)
          : [],
    choose(rating) {
      const previous = services.votes.current(subject);
      const duplicate = previous && (!config.allowChange || previous.rating === rating);
      const now = services.now();
      const event = createEvent(
        config,
        { rating },
        {
          id: services.uuid(),
          now,
          pageUrl: services.pageUrl(),
          replaces: duplicate ? undefined : previous?.id,
        },
      );
      if (duplicate) {
        services.emit('feedback:duplicate', { event });
        return;
      }
      feedback.finish(true);
      feedback.reason.value = undefined;
      feedback.comment.value = '';
      const asks = config.ask === 'always' || (config.ask === 'down' && rating === 'down');
      const follows = asks && !!(config.comment || feedback.reasonsFor(rating).length);
      // Stored before the follow-up shows, so a crash or a closed tab cannot lose it. A vote
      // storage cannot keep (its quota is full) is remembered for this page only: a later one
      // must not show it pressed while nothing will ever send it.
      const stored = queue(event, follows ? now + IDLE_MS : 0);
      services.votes.record(subject, { rating, id: event.id }, stored ? config.dedupeMs : 0);
      services.emit('feedback:vote', event);
      if (!follows) return;
      release = services.hold((keepalive) => feedback.finish(true, keepalive));
      open.value = event;
      restartIdle();
    },
    touch() {
      const event = open.value;
      if (!event) return;
      restartIdle();
      // Pushes the stored deadline on too, so other tabs keep waiting while the person types.
      queue(event, services.now() + IDLE_MS);
    },
    finish(keep, keepalive) {
      const event = open.value;
      if (!event) return;
      cancelIdle();
      release();
      open.value = undefined;
      queue(event, 0, keep, keepalive);
    },
  };
  return feedback;
}
