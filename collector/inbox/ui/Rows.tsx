import { computed } from '@preact/signals';
import { Fragment, h } from 'preact';
import { open, toggle } from '../actions';
import { writeAddress } from '../address';
import { ApiError } from '../api';
import { clip, RATING_LABELS, STATUS_LABELS, shortUrl } from '../format';
import { shownStatus } from '../search';
import {
  activeId,
  activeIndex,
  checked,
  counts,
  everyMatch,
  list,
  offset,
  pageAt,
  rows,
  search,
} from '../state';
import type { FeedbackRecord } from '../types';
import { Ago, RatingMark } from './bits';

/** The line a row leads with: what the person wrote, else why, else only how they rated. */
function headline(row: FeedbackRecord): string {
  return clip(row.comment ?? row.reason ?? RATING_LABELS[row.rating], PREVIEW);
}

/** Characters of a row's lines: more than its one or two lines show at any width. */
const PREVIEW = 200;

function Row({ row, focusable }: { row: FeedbackRecord; focusable: boolean }) {
  const active = row.id === activeId.value;
  const ticked = everyMatch.value !== false || checked.value.has(row.id);
  const title = headline(row);
  const details = [
    row.comment !== undefined ? row.reason : undefined,
    row.page_url !== undefined ? shortUrl(row.page_url) : undefined,
    row.message_id !== undefined ? `message ${row.message_id}` : undefined,
  ]
    .filter((part): part is string => part !== undefined)
    .map((part) => clip(part, PREVIEW));
  // Rows of several statuses are shown together only when the search asks for them.
  const mixed = shownStatus(search.value) === undefined;
  return (
    <li class={`row${active ? ' active' : ''}${ticked ? ' ticked' : ''}`}>
      <input
        type="checkbox"
        class="check"
        checked={ticked}
        tabIndex={focusable ? 0 : -1}
        aria-label={`Select: ${clip(title, 80)}`}
        onChange={() => toggle(row.id)}
      />
      <a
        class="open"
        href={writeAddress({
          view: 'inbox',
          q: search.value,
          id: row.id,
          page: pageAt(offset.value),
        })}
        data-row-link
        tabIndex={focusable ? 0 : -1}
        aria-current={active ? 'true' : undefined}
        onClick={(event) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
          event.preventDefault();
          open(row.id);
        }}
        onFocus={() => {
          if (activeId.value !== row.id) activeId.value = row.id;
        }}
      >
        {/* Named only when the headline does not already say how they rated. */}
        <RatingMark rating={row.rating} named={title !== RATING_LABELS[row.rating]} />
        <span class={`headline${row.comment === undefined ? ' quiet' : ''}`} dir="auto">
          {title}
        </span>
        <span class="details">{details.join(' · ')}</span>
        <span class="aside">
          {mixed && <span class={`chip status-${row.status}`}>{STATUS_LABELS[row.status]}</span>}
          {row.assignee !== undefined && (
            <span class="assignee" title={row.assignee}>
              {row.assignee}
            </span>
          )}
          <Ago at={row.created_at} />
        </span>
      </a>
    </li>
  );
}

/** How many votes the collector holds, of every status; undefined until counted. */
const stored = computed(() => {
  const each = counts.value.data;
  return each && Object.values(each).reduce((sum, count) => sum + count, 0);
});

/** The list of votes, newest first; one row is in the tab order, j/k and arrows move. */
export function Rows() {
  const { data, error, loading } = list.value;
  const items = rows.value;
  // A refused search is named under the box; any other failure here, over what was shown.
  const failed =
    error && !(error instanceof ApiError && error.field === 'q') ? (
      <p class="problem-inline">
        Could not {data ? 'refresh' : 'load'} the votes: {error.message}
      </p>
    ) : null;
  if (data === undefined) {
    return failed ?? <p class="muted empty">{loading ? 'Loading…' : ''}</p>;
  }
  if (items.length === 0) {
    return (
      <Fragment>
        {failed}
        <p class="muted empty">
          {search.value !== ''
            ? 'No votes match this search.'
            : stored.value === 0
              ? 'No votes yet. They show up here by themselves as people vote.'
              : 'No open votes: everything has been looked at. New votes show up here by themselves.'}
        </p>
      </Fragment>
    );
  }
  const focused = Math.max(0, activeIndex.value);
  return (
    <Fragment>
      {failed}
      <ul class="rows" aria-label="Votes" aria-busy={loading ? 'true' : undefined} data-rows>
        {items.map((row, index) => (
          <Row key={row.id} row={row} focusable={index === focused} />
        ))}
      </ul>
    </Fragment>
  );
}
