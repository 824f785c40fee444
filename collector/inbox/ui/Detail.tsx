import { Fragment, h } from 'preact';
import { useState } from 'preact/hooks';
import { addNote, applySearch, change, open, retry } from '../actions';
import { writeAddress } from '../address';
import { ApiError } from '../api';
import { decimal, fullTime, RATING_LABELS, STATUS_LABELS, safeHref } from '../format';
import { fieldTerm } from '../search';
import { activeId, assigning, busy, deliveries, record } from '../state';
import type { Activity, Delivery, FeedbackRecord, Status } from '../types';
import { Ago, RatingMark, ViewLink } from './bits';
import { TraceLink } from './trace';

/** A link to the search for every vote sharing this field's value. */
function SearchLink({ field, value }: { field: string; value: string }) {
  const term = fieldTerm(field, value);
  return (
    <ViewLink href={writeAddress({ view: 'inbox', q: term })} go={() => applySearch(term)}>
      <code>{value}</code>
    </ViewLink>
  );
}

/** Fields shown in their own place, in the header or beside another: not listed again. */
const SHOWN_APART = new Set([
  'rating',
  'comment',
  'message_content',
  'status',
  'assignee',
  'activity',
  'scale',
]);

const SEARCHABLE: Record<string, [string, string]> = {
  conversation_id: ['Conversation', 'conversation'],
  message_id: ['Message', 'message'],
  session_id: ['Session', 'session'],
  user_id: ['User', 'user'],
  trace_id: ['Trace', 'trace'],
};

const TIMES: Record<string, string> = { created_at: 'Voted', received_at: 'Received' };

/** A field's name as a heading reads: `time_to_respond_ms` → "Time to respond ms". */
const label = (key: string) => key.charAt(0).toUpperCase() + key.slice(1).replaceAll('_', ' ');

function Field(props: { name: string; wide?: boolean; children: preact.ComponentChildren }) {
  const { name, children } = props;
  return (
    <div class={props.wide ? 'wide' : undefined}>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function PageLink({ url }: { url: string }) {
  const href = safeHref(url);
  if (href === undefined) return <span class="value">{url}</span>;
  return (
    <a href={href} rel="noreferrer noopener" target="_blank">
      {url}
    </a>
  );
}

/** One field as the reader wants it: ids that search, links that open, times and scales read. */
function field(key: string, value: unknown, vote: FeedbackRecord): preact.ComponentChildren {
  const searchable = SEARCHABLE[key];
  if (searchable !== undefined) {
    const [name, term] = searchable;
    return (
      <Field key={key} name={name}>
        <SearchLink field={term} value={String(value)} />
        {key === 'trace_id' && <TraceLink traceId={String(value)} />}
      </Field>
    );
  }
  const time = TIMES[key];
  if (time !== undefined) {
    return (
      <Field key={key} name={time}>
        <time dateTime={String(value)}>{fullTime(String(value))}</time>
      </Field>
    );
  }
  switch (key) {
    case 'page_url':
      return (
        <Field key={key} name="Page">
          <PageLink url={String(value)} />
        </Field>
      );
    case 'reason':
      return (
        <Field key={key} name="Reason">
          {String(value)}
          {vote.reason_key !== undefined && (
            <Fragment>
              {' '}
              <code class="key" title="reason_key">
                {vote.reason_key}
              </code>
            </Fragment>
          )}
        </Field>
      );
    case 'reason_key':
      return vote.reason === undefined ? (
        <Field key={key} name="Reason key">
          <code>{String(value)}</code>
        </Field>
      ) : null;
    case 'score':
      return (
        <Field key={key} name="Score">
          {decimal(vote.score)} of 10
        </Field>
      );
    case 'value':
      return (
        <Field key={key} name="Value">
          {String(value)} on {vote.scale.min}..{vote.scale.max}
        </Field>
      );
    case 'replaces':
      return (
        <Field key={key} name="Replaces">
          <ViewLink
            href={writeAddress({ view: 'inbox', q: '', id: String(value) })}
            go={() => open(String(value))}
          >
            <code>{String(value)}</code>
          </ViewLink>
        </Field>
      );
    case 'id':
      return (
        <Field key={key} name="Id">
          <code>{String(value)}</code>
        </Field>
      );
    default:
      return (
        <Field key={key} name={label(key)} wide={typeof value === 'object'}>
          {typeof value === 'object' ? (
            <pre>{JSON.stringify(value, null, 2)}</pre>
          ) : (
            <span class="value">{String(value)}</span>
          )}
        </Field>
      );
  }
}

/** Where a known field stands: what a reader looks for first, first; the rest follow as stored. */
const ORDER = [
  'page_url',
  'reason',
  'reason_key',
  'conversation_id',
  'message_id',
  'user_id',
  'session_id',
  'trace_id',
  'score',
  'value',
  'sentiment',
  'created_at',
  'received_at',
  'locale',
  'format',
  'replaces',
  'id',
];

const rank = (key: string) => {
  const at = ORDER.indexOf(key);
  return at === -1 ? ORDER.length : at;
};

/** Every field of the record, the known ones by name, the rest as the collector stored them. */
function Fields({ vote }: { vote: FeedbackRecord }) {
  return (
    <dl class="fields">
      {Object.entries(vote)
        .filter(([key, value]) => !SHOWN_APART.has(key) && value !== undefined)
        .sort(([a], [b]) => rank(a) - rank(b))
        .map(([key, value]) => field(key, value, vote))}
    </dl>
  );
}

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

const DELIVERY_STATES: Record<Delivery['status'], string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  failed: 'Failed',
};

function Deliveries() {
  const items = deliveries.value.data?.items;
  if (!items || items.length === 0) return null;
  return (
    <section aria-labelledby="deliveries-title">
      <h3 id="deliveries-title">Deliveries</h3>
      <ul class="deliveries">
        {items.map((delivery) => (
          <li key={delivery.id} class={`delivery delivery-${delivery.status}`}>
            <span class="destination">{delivery.destination}</span>
            <span class={`chip delivery-state-${delivery.status}`}>
              {DELIVERY_STATES[delivery.status]}
            </span>
            <span class="muted">
              {delivery.attempts} {delivery.attempts === 1 ? 'attempt' : 'attempts'}
              {delivery.last_status !== undefined && ` · HTTP ${delivery.last_status}`}
            </span>
            {delivery.status === 'failed' && (
              <button
                type="button"
                class="secondary small"
                aria-label={`Retry the delivery to ${delivery.destination}`}
                onClick={() => retry(delivery.id, delivery.destination)}
              >
                Retry
              </button>
            )}
            {delivery.last_error !== undefined && (
              <pre class="error-text">{delivery.last_error}</pre>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function describeActivity(entry: Activity): string {
  if (entry.action === 'note') return 'added a note';
  if (entry.action === 'assignee') {
    return entry.to === undefined
      ? `unassigned ${entry.from ?? ''}`.trim()
      : `assigned it to ${entry.to}`;
  }
  const to = entry.to as keyof typeof STATUS_LABELS | undefined;
  return `set it ${to === 'open' ? 'open again' : to ? STATUS_LABELS[to].toLowerCase() : ''}`.trim();
}

function ActivityLog({ vote }: { vote: FeedbackRecord }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const entries = vote.activity ?? [];
  return (
    <section aria-labelledby="activity-title">
      <h3 id="activity-title">Activity</h3>
      <ol class="activity">
        <li>
          <span>Received</span> <Ago at={vote.received_at} />
        </li>
        {entries.map((entry, index) => (
          <li key={`${entry.at}-${index}`}>
            <span>
              <strong>{entry.actor}</strong> {describeActivity(entry)}
            </span>{' '}
            <Ago at={entry.at} />
            {entry.note !== undefined && <blockquote>{entry.note}</blockquote>}
          </li>
        ))}
      </ol>
      <form
        class="note"
        onSubmit={async (event) => {
          event.preventDefault();
          if (note.trim() === '') {
            setError('Write the note first.');
            return;
          }
          if (await addNote(vote.id, note.trim())) {
            setNote('');
            setError('');
          }
        }}
      >
        <label for="note">Note</label>
        <textarea
          id="note"
          rows={2}
          maxLength={2000}
          value={note}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'note-error' : undefined}
          onInput={(event) => setNote(event.currentTarget.value)}
        />
        {error && (
          <p id="note-error" class="field-error">
            {error}
          </p>
        )}
        <button type="submit" class="secondary" disabled={busy.value}>
          Add note
        </button>
      </form>
    </section>
  );
}

/** One record in full: what was rated and said, every field, its deliveries and activity. */
export function Detail() {
  const id = activeId.value;
  const { data: vote, error, loading } = record.value;
  let body: preact.ComponentChildren;
  if (id === undefined) {
    body = (
      <p class="muted placeholder">
        Choose a vote to read it here. <kbd>j</kbd> and <kbd>k</kbd> move through the list.
      </p>
    );
  } else if (error) {
    body = (
      <p class="problem-inline">
        {error instanceof ApiError && error.status === 404
          ? 'This vote no longer exists.'
          : `Could not load the vote: ${error.message}`}
      </p>
    );
  } else if (vote === undefined || vote.id !== id) {
    body = <p class="muted placeholder">{loading ? 'Loading…' : ''}</p>;
  } else {
    body = (
      <Fragment>
        <header class="detail-head">
          <h2 id="detail-title">
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
            <blockquote class="comment">{vote.comment}</blockquote>
          </section>
        )}
        {vote.message_content !== undefined && (
          <section aria-labelledby="rated-title">
            <h3 id="rated-title">Rated message</h3>
            <div class="rated">{vote.message_content}</div>
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
    <section class="detail" aria-label="Vote">
      {id !== undefined && (
        <button type="button" class="link back" onClick={() => open(undefined)}>
          <span aria-hidden="true">← </span>Back to the list
        </button>
      )}
      {body}
    </section>
  );
}
