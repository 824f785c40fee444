import { Fragment, h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  applySearch,
  change,
  clearSelection,
  focusRow,
  selectEveryMatch,
  toggleAll,
} from '../actions';
import { writeAddress } from '../address';
import { ApiError, api } from '../api';
import { STATUS_LABELS, votes, whole } from '../format';
import { shownStatus, withStatus } from '../search';
import {
  activeIndex,
  assigning,
  busy,
  checked,
  counts,
  everyMatch,
  list,
  offset,
  PAGE_SIZE,
  query,
  rows,
  search,
  selection,
  total,
} from '../state';
import { STATUSES } from '../types';
import { ViewLink } from './bits';
import { Detail } from './Detail';
import { Rows } from './Rows';

/** The search box: applied on Enter; the address and the list follow. */
function SearchBar() {
  const applied = search.value;
  const [draft, setDraft] = useState(applied);
  useEffect(() => setDraft(applied), [applied]);
  const { error } = list.value;
  const refused = error instanceof ApiError && error.field === 'q' ? error.message : undefined;
  return (
    <search class="search">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          applySearch(draft);
        }}
      >
        <label for="search" class="visually-hidden">
          Search feedback
        </label>
        <input
          id="search"
          type="search"
          name="q"
          value={draft}
          autocomplete="off"
          spellcheck={false}
          placeholder="Search: words, rating:down, page:*/billing/*"
          aria-keyshortcuts="/"
          aria-invalid={refused ? 'true' : undefined}
          aria-describedby={refused ? 'search-error' : undefined}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key !== 'Escape') return;
            event.preventDefault();
            event.currentTarget.blur();
            focusRow(Math.max(0, activeIndex.value));
          }}
        />
        <button type="submit">Search</button>
        {refused && (
          <p id="search-error" class="field-error">
            {refused}
          </p>
        )}
      </form>
    </search>
  );
}

/** Open, Resolved and Spam with how many of each the search holds. */
function StatusTabs() {
  const q = search.value;
  const shown = shownStatus(q);
  const figures = counts.value.data;
  return (
    <nav aria-label="Status" class="tabs">
      <ul class="pills">
        {STATUSES.map((status) => {
          const next = withStatus(q, status);
          return (
            <li key={status}>
              <ViewLink
                href={writeAddress({ view: 'inbox', q: next })}
                go={() => applySearch(next)}
                current={shown === status}
              >
                {STATUS_LABELS[status]}
                <span class="count">{figures ? whole(figures[status]) : ''}</span>
              </ViewLink>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function SelectAll() {
  const ref = useRef<HTMLInputElement>(null);
  const ids = rows.value.map((row) => row.id);
  const ticked = ids.filter((id) => checked.value.has(id)).length;
  const all = ids.length > 0 && ticked === ids.length;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = ticked > 0 && !all;
  });
  return (
    <input
      ref={ref}
      type="checkbox"
      class="check"
      aria-label="Select every vote on this page"
      checked={all || everyMatch.value}
      disabled={ids.length === 0}
      onChange={toggleAll}
    />
  );
}

/** What is selected, and Resolve, Spam and Assign for it. */
function BulkActions() {
  const scope = selection.value;
  const count = everyMatch.value ? total.value : checked.value.size;
  const pageTicked = rows.value.length > 0 && rows.value.every((row) => checked.value.has(row.id));
  if (count === 0 || scope === undefined) return null;
  return (
    <Fragment>
      <span class="selected">{votes(count)} selected</span>
      {pageTicked && !everyMatch.value && total.value > rows.value.length && (
        <button type="button" class="link" onClick={() => selectEveryMatch(total.value)}>
          Select all {whole(total.value)} matching
        </button>
      )}
      <span class="actions">
        <button
          type="button"
          disabled={busy.value}
          onClick={() => change(scope, { status: 'resolved' })}
        >
          Resolve
        </button>
        <button
          type="button"
          class="secondary"
          disabled={busy.value}
          onClick={() => change(scope, { status: 'spam' })}
        >
          Spam
        </button>
        <button
          type="button"
          class="secondary"
          disabled={busy.value}
          onClick={() => {
            assigning.value = scope;
          }}
        >
          Assign
        </button>
        <button type="button" class="link" onClick={clearSelection}>
          Clear
        </button>
      </span>
    </Fragment>
  );
}

/** Both downloads of every record the search matches, however many. */
function Export() {
  const q = query.value;
  return (
    <details class="export">
      <summary>Export</summary>
      <div class="menu">
        <p class="muted">{votes(total.value)} matching the search</p>
        <a href={api.exportUrl(q, 'csv')} download>
          Export CSV
        </a>
        <a href={api.exportUrl(q, 'jsonl')} download>
          Export JSONL
        </a>
      </div>
    </details>
  );
}

function Pager() {
  const first = offset.value;
  const count = total.value;
  if (count <= PAGE_SIZE) return null;
  const last = Math.min(first + rows.value.length, count);
  return (
    <nav aria-label="Pages" class="pager">
      <span class="muted">
        {whole(first + 1)}–{whole(last)} of {whole(count)}
      </span>
      <button
        type="button"
        class="secondary"
        disabled={first === 0}
        onClick={() => {
          offset.value = Math.max(0, first - PAGE_SIZE);
        }}
      >
        Previous
      </button>
      <button
        type="button"
        class="secondary"
        disabled={last >= count}
        onClick={() => {
          offset.value = first + PAGE_SIZE;
        }}
      >
        Next
      </button>
    </nav>
  );
}

export function InboxView() {
  return (
    <div class="inbox">
      <section class="list-pane" aria-labelledby="inbox-title">
        <div class="list-head">
          <h1 id="inbox-title">Inbox</h1>
          <SearchBar />
        </div>
        <StatusTabs />
        <div class="toolbar">
          <SelectAll />
          <BulkActions />
          <Export />
        </div>
        <Rows />
        <Pager />
      </section>
      <Detail />
    </div>
  );
}
