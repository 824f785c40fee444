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
  pageUrl: string;
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
  const subject = subjectOf(config, services.pageUrl);
  const open = signal<FeedbackEvent | undefined>(undefined);
  let cancelIdle = () => {};
  let release = () => {};

  function queue(event: FeedbackEvent, due: number, keepalive = false) {
    services.track(event.id);
    services.outbox.put(
      {
        ...toRequest(config, event),
        id: event.id,
        event,
        token: config.token,
        credentials: config.credentials,
        created: services.now(),
        attempts: 0,
        due,
      },
      keepalive,
    );
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
      const context = { id: services.uuid(), now: services.now(), pageUrl: services.pageUrl };
      if (previous && (!config.allowChange || previous.rating === rating)) {
        const event = createEvent(config, { rating }, { ...context, replaces: undefined });
        services.emit('feedback:duplicate', { event });
        return;
      }
      feedback.finish(true);
      const event = createEvent(config, { rating }, { ...context, replaces: previous?.id });
      services.votes.record(subject, { rating, id: event.id }, config.dedupeMs);
      services.emit('feedback:vote', event);
      const asks = config.ask === 'always' || (config.ask === 'down' && rating === 'down');
      if (!asks || !(config.comment || feedback.reasonsFor(rating).length)) {
        queue(event, context.now);
        return;
      }
      // Stored before the follow-up opens, so a crash or a closed tab cannot lose it.
      queue(event, context.now + IDLE_MS);
      feedback.reason.value = undefined;
      feedback.comment.value = '';
      open.value = event;
      release = services.hold((keepalive) => feedback.finish(true, keepalive));
      feedback.touch();
    },
    touch() {
      cancelIdle();
      cancelIdle = services.schedule(() => feedback.finish(true), IDLE_MS);
    },
    finish(keep, keepalive) {
      const event = open.value;
      if (!event) return;
      cancelIdle();
      release();
      open.value = undefined;
      const choice = keep
        ? { rating: event.rating, reason: feedback.reason.value, comment: feedback.comment.value }
        : { rating: event.rating };
      const context = { id: event.id, now: Date.parse(event.created_at), pageUrl: event.page_url };
      queue(createEvent(config, choice, { ...context, replaces: event.replaces }), 0, keepalive);
    },
  };
  return feedback;
}
