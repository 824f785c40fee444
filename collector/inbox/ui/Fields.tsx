import { h } from 'preact';
import { applySearch, open } from '../actions';
import { writeAddress } from '../address';
import { decimal, fullTime, safeHref, traceHref } from '../format';
import { fieldTerm } from '../search';
import { offset, pageAt, search, traceTemplate } from '../state';
import type { FeedbackRecord } from '../types';
import { ViewLink } from './bits';

type Children = preact.ComponentChildren;

/** A link to the search for every vote sharing this field's value. */
function SearchLink({ field, value }: { field: string; value: string }) {
  const term = fieldTerm(field, value);
  return (
    <ViewLink href={writeAddress({ view: 'inbox', q: term })} go={() => applySearch(term)}>
      <code>{value}</code>
    </ViewLink>
  );
}

/** The trace at the LLM tracing tool, when `TRACE_URL` is set. */
function TraceLink({ traceId }: { traceId: string }) {
  const template = traceTemplate.value;
  const href = template === undefined ? undefined : traceHref(template, traceId);
  if (href === undefined) return null;
  return (
    <a class="trace-link" href={href} rel="noreferrer noopener" target="_blank">
      Open the trace
    </a>
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

/** How a known field reads: its name, and its value as the reader wants it. */
type Shown = [name: string, value: Children] | null;

const searchable =
  (name: string, term: string) =>
  (value: string): Shown => [name, <SearchLink field={term} value={value} />];

const time =
  (name: string) =>
  (value: string): Shown => [name, <time dateTime={value}>{fullTime(value)}</time>];

/** The known fields, in the order a reader looks for them; any other follows as stored. */
const KNOWN: [string, (value: string, vote: FeedbackRecord) => Shown][] = [
  ['page_url', (value) => ['Page', <PageLink url={value} />]],
  [
    'reason',
    (value, vote) => [
      'Reason',
      [
        value,
        vote.reason_key !== undefined && ' ',
        vote.reason_key !== undefined && (
          <code class="key" title="reason_key">
            {vote.reason_key}
          </code>
        ),
      ],
    ],
  ],
  [
    'reason_key',
    (value, vote) => (vote.reason === undefined ? ['Reason key', <code>{value}</code>] : null),
  ],
  ['conversation_id', searchable('Conversation', 'conversation')],
  ['message_id', searchable('Message', 'message')],
  ['user_id', searchable('User', 'user')],
  ['session_id', searchable('Session', 'session')],
  [
    'trace_id',
    (value) => [
      'Trace',
      [<SearchLink field="trace" value={value} />, <TraceLink traceId={value} />],
    ],
  ],
  ['score', (_, vote) => ['Score', `${decimal(vote.score)} of 10`]],
  ['value', (value, vote) => ['Value', `${value} on ${vote.scale.min}..${vote.scale.max}`]],
  ['sentiment', (value) => ['Sentiment', value]],
  ['created_at', time('Voted')],
  ['received_at', time('Received')],
  ['locale', (value) => ['Locale', value]],
  ['format', (value) => ['Format', value]],
  [
    'replaces',
    (value) => [
      'Replaces',
      <ViewLink
        href={writeAddress({
          view: 'inbox',
          q: search.value,
          page: pageAt(offset.value),
          id: value,
        })}
        go={() => open(value)}
      >
        <code>{value}</code>
      </ViewLink>,
    ],
  ],
  ['id', (value) => ['Id', <code>{value}</code>]],
];

/** Shown in their own place, in the header or beside another field: not listed again. */
const SHOWN_APART = new Set([
  'rating',
  'comment',
  'message_content',
  'status',
  'assignee',
  'activity',
  'scale',
]);

/** A field's name as a heading reads: `time_to_respond_ms` → "Time to respond ms". */
const label = (key: string) => key.charAt(0).toUpperCase() + key.slice(1).replaceAll('_', ' ');

function Field({ name, wide, children }: { name: string; wide?: boolean; children: Children }) {
  return (
    <div class={wide ? 'wide' : undefined}>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Every field of the record: the known ones by name, the rest as the collector stored them. */
export function Fields({ vote }: { vote: FeedbackRecord }) {
  const known = new Map(KNOWN);
  const rest = Object.entries(vote).filter(
    ([key, value]) => !known.has(key) && !SHOWN_APART.has(key) && value !== undefined,
  );
  return (
    <dl class="fields">
      {KNOWN.map(([key, show]) => {
        const value = vote[key];
        const shown = value === undefined ? null : show(String(value), vote);
        return shown && <Field key={key} name={shown[0]} children={shown[1]} />;
      })}
      {rest.map(([key, value]) =>
        typeof value === 'object' ? (
          <Field key={key} name={label(key)} wide>
            <pre>{JSON.stringify(value, null, 2)}</pre>
          </Field>
        ) : (
          <Field key={key} name={label(key)}>
            <span class="value">{String(value)}</span>
          </Field>
        ),
      )}
    </dl>
  );
}
