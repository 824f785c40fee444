// What keeps the page current without a reload: the refresh while it is seen, and the address
// that follows the view.
import { batch, effect } from '@preact/signals';
import { announce, focusOutOfList, focusRow, focusView, keepFocus } from './actions';
import { type Address, readAddress, writeAddress } from './address';
import { api } from './api';
import { goneText, votes, whole } from './format';
import {
  activeId,
  activeIndex,
  actor,
  busy,
  checked,
  detailOpen,
  erased,
  everyMatch,
  list,
  now,
  offset,
  offsetOf,
  pageAt,
  problem,
  REFRESH_MS,
  record,
  rows,
  search,
  tick,
  traceTemplate,
  turned,
  view,
} from './state';

const refresh = () =>
  batch(() => {
    now.value = Date.now();
    tick.value++;
  });

/** Learns who the reader is and where traces live; the inbox works without them meanwhile. */
export async function loadConfig(): Promise<void> {
  try {
    const config = await api.config();
    batch(() => {
      actor.value = config.actor;
      traceTemplate.value = config.trace_url;
    });
  } catch {
    // Shown without trace links and without "me": every other view still works.
  }
}

/** Refreshes every `REFRESH_MS` while the page is seen, and at once when it is seen again. */
export function keepRefreshing(): void {
  setInterval(() => {
    if (document.visibilityState === 'visible') refresh();
  }, REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh();
  });
}

/**
 * A refresh that takes the focused row out of the list (a teammate resolved it) would drop the
 * focus to <body>, and `j` would start again at the top: the cursor goes on to the row that
 * took its place, as after `e`. Runs as the new rows arrive, before they are rendered, while
 * the focus is still on the row that is leaving.
 */
export function keepCursor(): void {
  let shown = rows.peek();
  effect(() => {
    const next = rows.value;
    const before = shown;
    shown = next;
    const id = activeId.peek();
    // The focus on the cursor's row: its link, or its checkbox.
    const focused = document.activeElement
      ?.closest('[data-rows] li')
      ?.querySelector('[aria-current]');
    if (!focused || next.some((row) => row.id === id)) return;
    const index = before.findIndex((row) => row.id === id);
    if (index === -1) return;
    if (next.length === 0) {
      focusOutOfList();
      return;
    }
    const at = Math.min(index, next.length - 1);
    activeId.value = next[at]?.id;
    focusRow(at);
  });
}

/**
 * Ticked rows are this page's (each page starts its own selection): a refresh that takes one
 * out of it (a teammate resolved it, newer votes pushed it to the next page) deselects it, and
 * says so. Else the count would name votes the list no longer shows, and Spam would change
 * them unseen, over the teammate's own change.
 */
export function keepSelection(): void {
  effect(() => {
    // No list (another view, a search refused): nothing is shown that could disagree.
    const answer = list.value.data;
    if (answer === undefined) return;
    const shown = new Set(answer.items.map((row) => row.id));
    // Every match selected is the search's, however its pages shift (bulk.ts checks it); a
    // change being sent clears the selection itself once it is made.
    if (everyMatch.peek() !== false || busy.peek()) return;
    const ticked = checked.peek();
    const kept = new Set([...ticked].filter((id) => shown.has(id)));
    const dropped = ticked.size - kept.size;
    if (dropped === 0) return;
    checked.value = kept;
    announce(
      `${dropped === 1 ? 'A selected vote' : `${whole(dropped)} selected votes`} left this page and ${dropped === 1 ? 'was' : 'were'} deselected; ${votes(kept.size)} selected.`,
    );
  });
}

/**
 * Writes the view into the address: a new search, view or page is a new history entry (Back
 * returns to the one before), and so is a record opened over the list (Back returns to the
 * list, its search and its cursor); moving the cursor to another record, or a page past the
 * end corrected to the last, replaces the entry. Each entry's state says whether its record
 * covers the list. Back and Forward restore it.
 */
export function followAddress(): void {
  let written = writeAddress(readAddress(location.search));
  let shown: Address = { view: view.peek(), q: search.peek() };
  let covered = detailOpen.peek();
  let turns = turned.peek();
  effect(() => {
    const id = activeId.value;
    const over = detailOpen.value && id !== undefined;
    const page = pageAt(offset.value);
    const address: Address = {
      view: view.value,
      q: search.value,
      ...(id ? { id } : {}),
      ...(page > 1 ? { page } : {}),
    };
    const turning = turned.value !== turns;
    turns = turned.value;
    const next = writeAddress(address);
    if (next === written && over === covered) return;
    const entry = address.view !== shown.view || address.q !== shown.q || turning;
    if (over && !covered && !entry) {
      // The entry left behind is the list, with the cursor on the row that was opened.
      history.replaceState({ over: false }, '', written || location.pathname);
      history.pushState({ over: true }, '', next || location.pathname);
    } else {
      history[entry ? 'pushState' : 'replaceState']({ over }, '', next || location.pathname);
    }
    written = next;
    shown = address;
    covered = over;
  });
  addEventListener('popstate', (event) => {
    const address = readAddress(location.search);
    // An entry the inbox did not write (a link followed, a reload) opens its record.
    const over = address.id !== undefined && (event.state?.over ?? true);
    const leaving = detailOpen.peek() && !over;
    written = writeAddress(address);
    shown = address;
    covered = over;
    batch(() => {
      view.value = address.view;
      search.value = address.q;
      activeId.value = address.id;
      detailOpen.value = over;
      offset.value = offsetOf(address.page ?? 1);
      checked.value = new Set();
      everyMatch.value = false;
    });
    // Back to Attention or Figures (from a vote opened over the list too): onto its heading.
    // Back from a record over the list: onto its row, as "Back to the list" does; from a row
    // of another page, onto this one's.
    if (address.view !== 'inbox') focusView(address.view);
    else if (leaving) focusRow(Math.max(0, activeIndex.peek()));
    else keepFocus();
  });
}

/**
 * A record erased while it is shown (a teammate's `DELETE`, SPEC §13) answers 404, and is
 * then not read again (state.ts). That is said once, politely, unless the alert already says
 * it (the reader's own change to it was refused for it); the focus that was on one of its
 * controls, now gone, goes to its view, not to <body>. The list drops it at its next refresh.
 */
export function sayErased(): void {
  let said: string | undefined;
  effect(() => {
    const { data, error } = record.value;
    const id = activeId.peek();
    if (!erased(error)) {
      said = undefined;
      return;
    }
    if (said === id) return;
    said = id;
    const text = goneText(data?.id === id);
    // Not again when the alert already says it (a change to the vote answered 404).
    if (problem.peek() !== text) announce(text);
    focusOutOfList();
  });
}
