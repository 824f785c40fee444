import { h } from 'preact';
import type { Config, Rating } from '../core/config';
import { reasonParts } from '../core/event';
import type { Feedback } from '../core/feedback';
import type { Messages } from '../i18n';

export interface WidgetProps {
  feedback: Feedback;
  config: Config;
  messages: Messages;
  dir: 'ltr' | 'rtl';
  /** The language of the built-in texts shown. */
  lang: string;
  dark: boolean;
  /** Whether its status speaks: one mount of a subject does, for all of them. */
  live: boolean;
}

/** The open follow-up: reason choices, a comment, Send and Skip. */
function FollowUp({ feedback, config, messages, rating }: WidgetProps & { rating: Rating }) {
  const reasons = feedback.reasonsFor(rating);
  const length = feedback.comment.value.length;
  const done = (event: Event, keep: boolean) => {
    event.preventDefault();
    feedback.finish(keep);
  };
  return (
    <form
      class="more"
      part="follow-up"
      ref={focusFirst}
      onSubmit={(event) => done(event, true)}
      onInput={feedback.touch}
      onClick={feedback.touch}
      // Moving through it by keyboard is not being idle (WCAG 2.2.1).
      onKeyDown={feedback.touch}
    >
      {reasons.length > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: a fieldset's UA border and legend rules would need resetting
        <div class="reasons" role="group" aria-label={config.texts[rating] ?? messages[rating]}>
          {reasons.map((reason) => (
            <button
              type="button"
              part="reason"
              aria-pressed={feedback.reason.value === reason}
              lang={config.reasons || rating === 'up' ? config.locale : undefined}
              onClick={() => {
                feedback.reason.value = feedback.reason.value === reason ? undefined : reason;
              }}
            >
              {reasonParts(reason)[1]}
            </button>
          ))}
        </div>
      )}
      {config.comment && (
        <label part="comment-label">
          {messages.more}
          <textarea
            part="comment"
            maxLength={config.commentMax}
            value={feedback.comment.value}
            aria-describedby="fw-count"
            onInput={(event) => {
              feedback.comment.value = event.currentTarget.value;
            }}
          />
        </label>
      )}
      {config.comment && (
        <span id="fw-count" class="count" part="count">
          {length >= config.commentMax * 0.8 ? `${length}/${config.commentMax}` : ''}
        </span>
      )}
      <div class="actions">
        <button type="submit" part="send">
          {messages.send}
        </button>
        <button type="button" part="skip" onClick={(event) => done(event, false)}>
          {messages.skip}
        </button>
      </div>
    </form>
  );
}

/**
 * Focus goes into the follow-up as it opens, and back to the pressed choice however it closes
 * with focus inside: Send, Skip, Escape, 60 s idle or `flush()`.
 */
function focusFirst(form: HTMLFormElement | null) {
  form?.querySelector<HTMLElement>('button,textarea')?.focus();
  return () => {
    if (form?.contains((form.getRootNode() as ShadowRoot).activeElement)) {
      // The first pressed button of the widget the follow-up sits in: its choice, above it.
      (form.parentNode as Element).querySelector<HTMLElement>('[aria-pressed=true]')?.focus();
    }
  };
}

/** The whole widget; reads signals, so the caller's effect re-renders it when they change. */
export function Widget(props: WidgetProps) {
  const { feedback, config, messages } = props;
  const labels = { ...messages, ...config.texts };
  const vote = feedback.vote.value;
  const pressed = vote?.rating;
  const open = feedback.open.value;
  // Nothing is sent while a follow-up is open, and nothing is claimed before an answer.
  const delivery = !open && vote?.delivery;
  const status = delivery && (delivery === 'sent' ? 'thanks' : delivery);
  const ratings: Rating[] = config.neutral ? ['up', 'neutral', 'down'] : ['up', 'down'];
  // A comment at its limit (typed, or a paste cut short): said once, by the status, unseen.
  const full = open && feedback.comment.value.length >= config.commentMax;
  // The page's own texts are in the page's language, which may not be one the widget speaks.
  const own = (key: string) => (key in config.texts ? config.locale : undefined);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: it takes no focus; it hears Escape from the buttons and fields inside
    <div
      class="fw"
      part="widget"
      // Escape skips an open follow-up wherever focus is in the widget, its choices included.
      onKeyDown={(event) => {
        // Not the Escape that cancels an input method's composition (keyCode 229 in Safari).
        if (open && event.key === 'Escape' && !event.isComposing && event.keyCode !== 229) {
          event.preventDefault();
          feedback.finish(false);
        }
      }}
      dir={props.dir}
      lang={props.lang}
      data-theme={props.dark ? 'dark' : 'light'}
      data-variant={config.variant}
    >
      {/* biome-ignore lint/a11y/useSemanticElements: a fieldset's UA border and legend rules would need resetting */}
      <div class="bar" role="group" aria-labelledby="fw-prompt">
        <span id="fw-prompt" class="prompt" part="prompt" lang={own('prompt')}>
          {labels.prompt}
        </span>
        {ratings.map((rating) => (
          <button
            type="button"
            class={rating}
            part={`button ${rating}`}
            aria-pressed={pressed === rating}
            // After a vote the other choices do nothing, unless it may be changed.
            aria-disabled={!!pressed && !config.allowChange && pressed !== rating}
            title={config.variant === 'compact' ? labels[rating] : undefined}
            lang={own(rating)}
            onClick={() => feedback.choose(rating)}
          >
            <span class="label">{labels[rating]}</span>
          </button>
        ))}
      </div>
      {open && <FollowUp {...props} rating={open.rating} />}
      <div
        part="status"
        role="status"
        aria-live={props.live ? undefined : 'off'}
        class={full ? 'hide' : undefined}
        lang={status ? own(status) : undefined}
        // A text the page sets may run the other way than the built-in ones (Hebrew ones in an
        // English widget): each reads in its own direction, its full stop where it ends.
        dir="auto"
      >
        {/* No text rather than an empty one: Preact writes an empty text again on every
            render, and each write is a change of the live region. */}
        {full ? `${config.commentMax}/${config.commentMax}` : status ? labels[status] : null}
      </div>
    </div>
  );
}
