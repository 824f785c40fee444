import { batch, signal } from '@preact/signals';
import { h } from 'preact';
import { applySearch, keepFocus } from '../actions';
import { writeAddress } from '../address';
import { api } from '../api';
import { percent, shortUrl, whole } from '../format';
import { resource } from '../resource';
import { fieldTerm } from '../search';
import { tick, view } from '../state';
import type { AttentionItem } from '../types';
import { Ago, ViewLink } from './bits';

const by = signal<'message' | 'page'>('message');
const span = signal('7d');
const minVotes = signal(5);

const WINDOWS: [string, string][] = [
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
];

const ranking = resource(
  () =>
    view.value === 'attention'
      ? JSON.stringify({ by: by.value, window: span.value, min_votes: minVotes.value })
      : undefined,
  (key, abort) => api.attention(JSON.parse(key), abort),
  { tick, keep: true },
);

/** The subject's votes in the inbox, open and resolved alike. */
function SubjectLink({ item }: { item: AttentionItem }) {
  const q = `${fieldTerm(by.value, item.key)} -is:spam`;
  return (
    <ViewLink
      href={writeAddress({ view: 'inbox', q })}
      go={() => {
        // One step, one entry in the history: Back returns to the ranking at once.
        batch(() => {
          applySearch(q);
          view.value = 'inbox';
        });
        keepFocus();
      }}
    >
      {by.value === 'page' ? shortUrl(item.key) : item.key}
    </ViewLink>
  );
}

function Change({ item }: { item: AttentionItem }) {
  if (item.previous.votes === 0) return <span class="muted">no votes</span>;
  const delta = item.down_rate - item.previous.down_rate;
  const arrow = delta > 0.005 ? '↑' : delta < -0.005 ? '↓' : '';
  return (
    <span class={delta > 0.005 ? 'worse' : delta < -0.005 ? 'better' : 'muted'}>
      {arrow && <span aria-hidden="true">{arrow} </span>}
      {percent(item.previous.down_rate)} of {whole(item.previous.votes)}
    </span>
  );
}

function Controls() {
  return (
    <form class="controls" onSubmit={(event) => event.preventDefault()}>
      <fieldset class="segmented">
        <legend>Subjects</legend>
        {(['message', 'page'] as const).map((name) => (
          <label key={name}>
            <input
              type="radio"
              name="by"
              value={name}
              checked={by.value === name}
              onChange={() => {
                by.value = name;
              }}
            />
            {name === 'message' ? 'Messages' : 'Pages'}
          </label>
        ))}
      </fieldset>
      <label class="field">
        Window
        <select
          value={span.value}
          onChange={(event) => {
            span.value = event.currentTarget.value;
          }}
        >
          {WINDOWS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        At least
        <input
          type="number"
          min={1}
          max={100000}
          value={minVotes.value}
          onChange={(event) => {
            const value = Number(event.currentTarget.value);
            if (Number.isInteger(value) && value >= 1) minVotes.value = value;
          }}
        />
        <span class="muted">votes</span>
      </label>
    </form>
  );
}

/** Subjects most people found unhelpful, most certainly first, beside the window before. */
export function AttentionView() {
  const { data, error } = ranking.value;
  const items = data?.items;
  return (
    <div class="page">
      <h1 id="attention-title" tabIndex={-1}>
        Attention
      </h1>
      <p class="muted lead">
        Answers and pages ranked by how sure it is that people find them unhelpful: the lower bound
        of the Wilson interval of the down share, so 40 of 100 ranks above 1 of 1. Spam is left out.
      </p>
      <Controls />
      {error && <p class="problem-inline">Could not load the ranking: {error.message}</p>}
      {items?.length === 0 && (
        <p class="muted empty">
          No {by.value === 'page' ? 'page' : 'message'} has {whole(minVotes.value)} or more votes in
          this window.
        </p>
      )}
      {items !== undefined && items.length > 0 && (
        // Scrolls sideways on a narrow screen: focusable and named, so keys can scroll it.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled by keys
        <section class="table-scroll" tabIndex={0} aria-label="Subjects by down share">
          <table class="ranking">
            <caption class="visually-hidden">Subjects by down share</caption>
            <thead>
              <tr>
                <th scope="col">{by.value === 'page' ? 'Page' : 'Message'}</th>
                <th scope="col" class="number">
                  Votes
                </th>
                <th scope="col" class="number">
                  Not helpful
                </th>
                <th scope="col" class="number">
                  Lower bound
                </th>
                <th scope="col">Window before</th>
                <th scope="col">Top reason</th>
                <th scope="col">Last vote</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.key}>
                  <th scope="row" class="subject">
                    <SubjectLink item={item} />
                  </th>
                  <td class="number">{whole(item.votes)}</td>
                  <td class="number">
                    {percent(item.down_rate)} <span class="muted">({whole(item.down)})</span>
                  </td>
                  <td class="number">
                    <meter
                      min={0}
                      max={1}
                      low={0.1}
                      high={0.3}
                      optimum={0}
                      value={item.down_rate_lower}
                      aria-hidden="true"
                    />{' '}
                    {percent(item.down_rate_lower)}
                  </td>
                  <td>
                    <Change item={item} />
                  </td>
                  <td>{item.top_reason_key ?? <span class="muted">no reason given</span>}</td>
                  <td>
                    <Ago at={item.last_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
