import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { applySearch, focusRow } from '../actions';
import { writeAddress } from '../address';
import { ApiError } from '../api';
import { STATUS_LABELS, whole } from '../format';
import { shownStatus, withStatus } from '../search';
import { activeIndex, counts, list, search } from '../state';
import { STATUSES } from '../types';
import { ViewLink } from './bits';

/** The search box: applied on Enter; the address and the list follow. */
export function SearchBar() {
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
        {/* An alert: the focus stays in the box on Enter, where its description is not read again. */}
        {refused && (
          <p id="search-error" class="field-error" role="alert">
            {refused}
          </p>
        )}
      </form>
    </search>
  );
}

/** Open, Resolved and Spam with how many of each the search holds. */
export function StatusTabs() {
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
