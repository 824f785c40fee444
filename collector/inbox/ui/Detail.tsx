import { Fragment, h } from 'preact';
import { change, closeDetail } from '../actions';
import { goneText, RATING_LABELS, STATUS_LABELS, withRatedText } from '../format';
import { activeId, assigning, busy, erased, record } from '../state';
import type { FeedbackRecord, Status } from '../types';
import { ActivityLog } from './Activity';
import { Ago, RatingMark } from './bits';
import { Deliveries } from './Deliveries';
import { Fields } from './Fields';

const STATE_BUTTONS: [Status, string, string][] = [
  ['resolved', 'Resolve', ''],
  ['open', 'Reopen', 'secondary'],
  ['spam', 'Spam', 'secondary'],
];

/**
 * The record's own actions. The one for the state it is in stays focusable but inert
 * (`aria-disabled`): a disabled button would drop the focus of the reader who just pressed it.
 */
function Actions({ vote }: { vote: FeedbackRecord }) {
  const scope = { kind: 'record', id: vote.id } as const;
  return (
    <div class="actions">
      {STATE_BUTTONS.map(([status, name, tone]) => {
        const inert = busy.value || vote.status === status;
        return (
          <button
            key={status}
            type="button"
            class={tone}
            aria-disabled={inert ? 'true' : undefined}
            onClick={() => {
              if (!inert) void change(scope, { status });
            }}
          >
            {name}
          </button>
        );
      })}
      <button
        type="button"
        class="secondary"
        aria-disabled={busy.value ? 'true' : undefined}
        onClick={() => {
          if (!busy.value) assigning.value = scope;
        }}
      >
        Assign
      </button>
    </div>
  );
}

/** One record in full: what was rated and said, every field, its deliveries and activity. */
export function Detail() {
  const id = activeId.value;
  const { data, error, loading } = record.value;
  const vote = data && withRatedText(data);
  let body: preact.ComponentChildren;
  if (id === undefined) {
    body = (
      <p class="muted placeholder">
        Choose a vote to read it here. <kbd>j</kbd> and <kbd>k</kbd> move through the list.
      </p>
    );
  } else if (error && (vote?.id !== id || erased(error))) {
    body = (
      <p class="problem-inline">
        {erased(error) ? goneText(vote?.id === id) : `Could not load the vote: ${error.message}`}
      </p>
    );
  } else if (vote === undefined || vote.id !== id) {
    body = <p class="muted placeholder">{loading ? 'Loading…' : ''}</p>;
  } else {
    // A refresh that failed keeps the vote shown, and what was being typed in its note.
    body = (
      <Fragment>
        {error && <p class="problem-inline">Could not refresh the vote: {error.message}</p>}
        <header class="detail-head">
          <h2 id="detail-title" tabIndex={-1}>
            <RatingMark rating={vote.rating} named={false} /> {RATING_LABELS[vote.rating]}{' '}
            <span class="muted">
              · <Ago at={vote.created_at} />
            </span>
          </h2>
          <p class="state">
            <span class={`chip status-${vote.status}`}>{STATUS_LABELS[vote.status]}</span>
            <span class="muted">
              {vote.assignee !== undefined ? `Assigned to ${vote.assignee}` : 'Unassigned'}
            </span>
          </p>
          <Actions vote={vote} />
        </header>
        {vote.comment !== undefined && (
          <section aria-labelledby="comment-title">
            <h3 id="comment-title">Comment</h3>
            <blockquote class="comment" dir="auto">
              {vote.comment}
            </blockquote>
          </section>
        )}
        {vote.message_content !== undefined && (
          <section aria-labelledby="rated-title">
            <h3 id="rated-title">Rated message</h3>
            {/* A long answer scrolls: focusable, so it can be scrolled by keys. */}
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled by keys */}
            <div class="rated" tabIndex={0} dir="auto">
              {vote.message_content}
            </div>
          </section>
        )}
        <section aria-labelledby="fields-title">
          <h3 id="fields-title">Fields</h3>
          <Fields vote={vote} />
        </section>
        <Deliveries />
        <ActivityLog vote={vote} />
      </Fragment>
    );
  }
  return (
    <section id="detail" class="detail" aria-label="Vote" tabIndex={-1}>
      {id !== undefined && (
        <button type="button" class="link back" onClick={closeDetail}>
          <span aria-hidden="true">← </span>Back to the list
        </button>
      )}
      {body}
    </section>
  );
}
