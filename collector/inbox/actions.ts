// Everything the reader does: move, select, search, change the triage state. Each change is
// sent, announced in words, and followed by a refetch of what it touched.
import { batch, type ReadonlySignal } from '@preact/signals';
import type { View } from './address';
import { ApiError, api, type Change, reached } from './api';
import { SelectionChanged, send } from './bulk';
import { describeChange, goneText, votes } from './format';
import type { Loaded } from './resource';
import {
  activeId,
  activeIndex,
  announcement,
  busy,
  changes,
  checked,
  counts,
  deliveries,
  detailOpen,
  erased,
  everyMatch,
  list,
  offset,
  problem,
  record,
  rows,
  search,
  searched,
  turned,
} from './state';
import type { Scope } from './types';

/** How long an announcement stays on screen; screen readers have read it by then. */
const SHOWN_MS = 6_000;
let hiding: ReturnType<typeof setTimeout> | undefined;

/** Says `text` in the polite live region, even when it is the same text as before. */
export function announce(text: string): void {
  announcement.value = '';
  clearTimeout(hiding);
  requestAnimationFrame(() => {
    announcement.value = text;
    hiding = setTimeout(() => {
      announcement.value = '';
    }, SHOWN_MS);
  });
}

export function applySearch(q: string): void {
  batch(() => {
    search.value = q.trim();
    searched.value++;
    offset.value = 0;
    checked.value = new Set();
    everyMatch.value = false;
  });
}

/**
 * Shows the page of the list starting at `at`: ticked rows of another page are not kept, which
 * is said (the count beside the bulk buttons leaves with them, and nothing else tells).
 */
export function turnPage(at: number): void {
  const dropped = checked.value.size > 0 || everyMatch.value !== false;
  batch(() => {
    offset.value = at;
    turned.value++;
    checked.value = new Set();
    everyMatch.value = false;
  });
  if (dropped) announce('Selection cleared: each page starts its own.');
}

/** Opens a record in the detail view (and, on a narrow screen, over the list). */
export function open(id: string | undefined): void {
  batch(() => {
    activeId.value = id;
    detailOpen.value = id !== undefined;
  });
  // Over the list (a narrow screen), the row that opened it is hidden and takes the focus with
  // it: the focus follows the reader to the vote.
  if (id !== undefined) {
    requestAnimationFrame(() => {
      if (!shown(document.activeElement)) focusVote();
    });
  }
}

/** Whether the element takes the focus where the reader sees it (not <body>, not hidden). */
export function shown(element: Element | null): boolean {
  return element !== null && element !== document.body && element.getClientRects().length > 0;
}

/**
 * Focuses the vote shown in the detail view: its region at once, so the focus never falls to
 * <body>, then its heading, once loaded, which a screen reader reads out. Not when the reader
 * has moved the focus on meanwhile.
 */
function focusVote(): void {
  const region = document.getElementById('detail');
  region?.focus();
  const stop = record.subscribe((state) => {
    if (state.loading) return;
    queueMicrotask(() => stop());
    requestAnimationFrame(() => {
      if (document.activeElement === region) document.getElementById('detail-title')?.focus();
    });
  });
}

/** Back to the list from a record shown over it (a narrow screen), onto the cursor's row. */
export function closeDetail(): void {
  detailOpen.value = false;
  focusRow(Math.max(0, activeIndex.value));
}

/** Moves the cursor `by` rows (j, k) and focuses the row it lands on. */
export function move(by: number): void {
  const items = rows.value;
  if (items.length === 0) return;
  const from = activeIndex.value;
  const index =
    from === -1
      ? by > 0
        ? 0
        : items.length - 1
      : Math.max(0, Math.min(items.length - 1, from + by));
  activeId.value = items[index]?.id;
  focusRow(index);
}

/**
 * Focuses the link of row `index` once it is rendered; while a vote covers the list (a narrow
 * screen), the vote the cursor is now on instead.
 */
export function focusRow(index: number): void {
  requestAnimationFrame(() => {
    const link = document.querySelectorAll<HTMLElement>('[data-row-link]')[index];
    if (link !== undefined && shown(link)) link.focus();
    else if (detailOpen.value) focusVote();
  });
}

/**
 * Once the list the focus was on has emptied (its last vote resolved), the focus goes to the
 * vote still shown beside it, which can be reopened, else to the search; never to <body>.
 */
export function focusOutOfList(): void {
  requestAnimationFrame(() => {
    if (shown(document.activeElement)) return;
    if (activeId.value !== undefined && shown(document.getElementById('detail'))) focusVote();
    else document.getElementById('search')?.focus();
  });
}

/**
 * What held the focus has left the page (a menu item that shut its menu, a dialog closed over a
 * button gone with the selection, the rows of another page, another view): once the list has
 * answered, the focus goes to the cursor's row, else the vote, else the search; never <body>.
 */
export function keepFocus(): void {
  void reloaded(list).then(() =>
    requestAnimationFrame(() => {
      if (shown(document.activeElement)) return;
      const links = document.querySelectorAll<HTMLElement>('[data-row-link]');
      const link = links[Math.max(0, activeIndex.value)];
      if (link !== undefined && shown(link)) link.focus();
      else focusOutOfList();
    }),
  );
}

/**
 * Attention or Figures entered by its tab, Back or Forward: its heading takes the focus, and a
 * screen reader reads where the reader now is. Neither view has a row, a vote or a search to
 * fall back to, and what held the focus left with the view before (Back, Forward) or stays
 * behind in the bar (a tab), which says nothing of what is now shown.
 */
export function focusView(name: Exclude<View, 'inbox'>): void {
  requestAnimationFrame(() => document.getElementById(`${name}-title`)?.focus());
}

export function toggle(id: string): void {
  const next = new Set(checked.value);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  batch(() => {
    checked.value = next;
    everyMatch.value = false;
  });
  announce(`${next.has(id) ? 'Selected' : 'Deselected'}; ${votes(next.size)} selected.`);
}

/** Ticks every row of this page, or none when they all are. */
export function toggleAll(): void {
  const ids = rows.value.map((row) => row.id);
  const all = ids.length > 0 && ids.every((id) => checked.value.has(id));
  batch(() => {
    checked.value = new Set(all ? [] : ids);
    everyMatch.value = false;
  });
  announce(all ? 'Selection cleared.' : `${votes(ids.length)} selected.`);
}

/** Selects every vote the search matches, as many as it matches now: see bulk.ts. */
export function selectEveryMatch(total: number): void {
  everyMatch.value = total;
  announce(`All ${votes(total)} matching this search selected.`);
}

export function clearSelection(): void {
  batch(() => {
    checked.value = new Set();
    everyMatch.value = false;
  });
  announce('Selection cleared.');
}

/**
 * Sends `change` for `scope`. With `follow`, the cursor then moves to the row that takes the
 * place of the changed one when it leaves the list (keyboard triage: `e` and on to the next).
 */
export async function change(scope: Scope, change: Change, follow = false): Promise<boolean> {
  if (busy.value) {
    announce('Still saving the last change.');
    return false;
  }
  busy.value = true;
  problem.value = '';
  const index =
    follow && scope.kind === 'record' ? rows.value.findIndex((row) => row.id === scope.id) : -1;
  try {
    const updated = await send(scope, change);
    batch(() => {
      if (scope.kind !== 'record') {
        checked.value = new Set();
        everyMatch.value = false;
      }
      changes.value++;
    });
    if (index !== -1) followAfter(index);
    // The bulk buttons leave with the selection: the reader goes on from the list, once it
    // shows what is left.
    else if (scope.kind !== 'record') followAfter(Math.max(0, activeIndex.value));
    // Until the record shows its new state, its buttons stay inert (the one just pressed, for
    // the state it is leaving, must not be pressed again), and only then is the change said;
    // a bulk change, once the list and the counts show it.
    if (scope.kind === 'record') await reloaded();
    else await Promise.all([reloaded(list), reloaded(counts)]);
    announce(describeChange(scope, change, updated));
    return true;
  } catch (error) {
    // What is selected is no longer what the search matches: the reader selects it again.
    if (error instanceof SelectionChanged) everyMatch.value = false;
    if (scope.kind === 'record' && erased(error as Error)) {
      // Erased meanwhile (SPEC §13): said in the words a refresh would find, and read again
      // at once, which takes it out of the view and the list (live.ts says it no more).
      problem.value = goneText(true);
      changes.value++;
      return false;
    }
    fail(error as Error);
    return false;
  } finally {
    busy.value = false;
  }
}

/** Resolves once `shown` (the record, by default) has been fetched again, or at once. */
function reloaded(shown: ReadonlySignal<Loaded<unknown>> = record): Promise<void> {
  return new Promise((resolve) => {
    const stop = shown.subscribe((state) => {
      if (state.loading) return;
      queueMicrotask(() => stop());
      resolve();
    });
  });
}

/**
 * After the list's refetch, focuses the cursor's row, or when it left the list, puts the
 * cursor on the row now at `index` (the one that took its place) and focuses that.
 */
function followAfter(index: number): void {
  let done = false;
  const stop = list.subscribe((state) => {
    if (state.loading || done) return;
    done = true;
    queueMicrotask(() => stop());
    const items = state.data?.items ?? [];
    if (items.length === 0) {
      focusOutOfList();
      return;
    }
    const stayed = items.findIndex((row) => row.id === activeId.value);
    const next = stayed === -1 ? Math.min(index, items.length - 1) : stayed;
    activeId.value = items[next]?.id;
    focusRow(next);
  });
}

export async function addNote(id: string, note: string): Promise<boolean> {
  return change({ kind: 'record', id }, { note });
}

/**
 * Sends a failed delivery again; resolves once `shown`, the deliveries it is listed in (the
 * vote's, by default), no longer list it as failed, with whether it was queued.
 */
export async function retry(
  deliveryId: string,
  destination: string,
  shown: ReadonlySignal<Loaded<unknown>> = deliveries,
): Promise<boolean> {
  if (busy.value) return false;
  busy.value = true;
  problem.value = '';
  try {
    await api.retry(deliveryId);
    changes.value++;
    // Until the deliveries show it pending, Retry stays inert: a second press would be a 409.
    await reloaded(shown);
    announce(`Delivery to ${destination} queued again.`);
    return true;
  } catch (error) {
    fail(error as Error);
    return false;
  } finally {
    busy.value = false;
  }
}

export function fail(error: Error): void {
  const refused = error instanceof ApiError || error instanceof SelectionChanged;
  const text = refused ? error.message : `The collector could not be reached (${error.message}).`;
  problem.value = text;
  // A refusal of what was sent (a bad name, a vote gone, a selection out of date) stays until
  // the next change. A collector out of reach, failing (5xx), refusing the sign-in or the rate
  // is true only until it answers again, which the page's own refresh finds out.
  if (refused && !(error instanceof ApiError && error.passing)) return;
  const before = reached.peek();
  const stop = reached.subscribe((count) => {
    if (count === before) return;
    queueMicrotask(() => stop());
    if (problem.peek() === text) problem.value = '';
  });
}
