import { Fragment, h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import {
  announce,
  change,
  clearSelection,
  focusRow,
  selectEveryMatch,
  toggleAll,
  turnPage,
} from '../actions';
import { ApiError, api } from '../api';
import { votes, whole } from '../format';
import {
  activeIndex,
  assigning,
  busy,
  checked,
  everyMatch,
  list,
  offset,
  PAGE_SIZE,
  query,
  rows,
  selection,
  total,
} from '../state';

/** Ticks every row of this page, or none; shows when some are. */
export function SelectAll() {
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
      checked={all || everyMatch.value !== false}
      disabled={ids.length === 0}
      onChange={toggleAll}
    />
  );
}

/**
 * What is selected, and Resolve, Spam and Assign for it. "Select all N matching" and Clear
 * leave as they are pressed: the focus goes on to what the reader does next, Resolve or the
 * list, not to <body>.
 */
export function BulkActions() {
  const resolve = useRef<HTMLButtonElement>(null);
  const scope = selection.value;
  const count = everyMatch.value === false ? checked.value.size : everyMatch.value;
  const pageTicked = rows.value.length > 0 && rows.value.every((row) => checked.value.has(row.id));
  if (count === 0 || scope === undefined) return null;
  return (
    <Fragment>
      <span class="selected">{votes(count)} selected</span>
      {pageTicked && everyMatch.value === false && total.value > rows.value.length && (
        <button
          type="button"
          class="link"
          onClick={() => {
            selectEveryMatch(total.value);
            resolve.current?.focus();
          }}
        >
          Select all {whole(total.value)} matching
        </button>
      )}
      <span class="actions">
        <button
          ref={resolve}
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
        <button
          type="button"
          class="link"
          onClick={() => {
            clearSelection();
            focusRow(Math.max(0, activeIndex.value));
          }}
        >
          Clear
        </button>
      </span>
    </Fragment>
  );
}

const FORMATS = [
  ['csv', 'CSV'],
  ['jsonl', 'JSONL'],
] as const;

/**
 * Both downloads of every record the search matches, however many; Escape closes the menu. A
 * search the collector refuses offers none: its download would be the refusal. No count is
 * named: the download holds what matches when it starts (votes come in, teammates triage),
 * which the list's last refresh cannot know.
 */
export function Export() {
  const q = query.value;
  const { error } = list.value;
  const refused = error instanceof ApiError && error.field === 'q';
  const menu = useRef<HTMLDetailsElement>(null);
  const close = () => {
    if (menu.current) menu.current.open = false;
  };
  return (
    <details
      class="export"
      ref={menu}
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || !menu.current?.open) return;
        event.preventDefault();
        close();
        menu.current?.querySelector('summary')?.focus();
      }}
    >
      <summary>Export</summary>
      <div class="menu">
        {refused ? (
          <p class="muted">The collector refuses this search: correct it to export.</p>
        ) : (
          <Fragment>
            <p class="muted">Every vote the search matches when the download starts</p>
            {FORMATS.map(([format, name]) => (
              <a
                key={format}
                href={api.exportUrl(q, format)}
                download
                onClick={() => {
                  close();
                  // The link shuts with its menu: the focus goes back to Export, as on Escape.
                  menu.current?.querySelector('summary')?.focus();
                  announce(`Downloading every vote matching this search as ${name}.`);
                }}
              >
                Export {name}
              </a>
            ))}
          </Fragment>
        )}
      </div>
    </details>
  );
}

/**
 * Previous or Next: inert at either end, never disabled, which would drop the focus of the
 * reader who just went there.
 */
function PageButton({ to, children }: { to: number | undefined; children: string }) {
  return (
    <button
      type="button"
      class="secondary"
      aria-disabled={to === undefined ? 'true' : undefined}
      onClick={() => {
        if (to !== undefined) turnPage(to);
      }}
    >
      {children}
    </button>
  );
}

/** Previous and Next, when the search holds more than a page. */
export function Pager() {
  const first = offset.value;
  const count = total.value;
  if (count <= PAGE_SIZE) return null;
  const last = Math.min(first + rows.value.length, count);
  return (
    <nav aria-label="Pages" class="pager">
      <span class="muted">
        {whole(first + 1)}–{whole(last)} of {whole(count)}
      </span>
      <PageButton to={first === 0 ? undefined : Math.max(0, first - PAGE_SIZE)}>
        Previous
      </PageButton>
      <PageButton to={last >= count ? undefined : first + PAGE_SIZE}>Next</PageButton>
    </nav>
  );
}
