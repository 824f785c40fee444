// The inbox's state: a few signals, what is derived from them, and the fetches they drive.
// Components read these; changes that touch several at once live in actions.ts and live.ts.
import { computed, effect, signal } from '@preact/signals';
import { readAddress } from './address';
import { ApiError, api } from './api';
import { resource } from './resource';
import { listQuery } from './search';
import type { Scope } from './types';

/** Rows per page of the list. */
export const PAGE_SIZE = 50;
/** New votes show within this without a reload (SPEC §12: within 5 s). */
export const REFRESH_MS = 4_000;

/** Where the page opened: set before the first fetch, so it fetches only what it shows. */
const opened = readAddress(location.search);

export const view = signal(opened.view);
/** The search as the reader typed it and applied it; the list adds `is:open` unless it names a status. */
export const search = signal(opened.q);
/**
 * The collector answers an `offset` up to this (SPEC §8): an address naming a page past it asks
 * for this one, which holds no votes, and the list then shows its last page (below).
 */
const LAST_OFFSET = 1_000_000_000;
/** Where the list's page `page` (from 1) starts. */
export const offsetOf = (page: number) => Math.min((page - 1) * PAGE_SIZE, LAST_OFFSET);
/** The page of the list, from 1, that starts at `at`. */
export const pageAt = (at: number) => Math.floor(at / PAGE_SIZE) + 1;
export const offset = signal(offsetOf(opened.page ?? 1));
/** Bumped each time the reader turns the page: a new entry in the history, as a search is. */
export const turned = signal(0);
/** Bumped each time the reader applies a search, the same one again included. */
export const searched = signal(0);
/** The record the cursor is on, shown in the detail view. */
export const activeId = signal(opened.id);
/** On a narrow screen the detail takes the whole width while this is set. */
export const detailOpen = signal(opened.id !== undefined);
/** The rows ticked for a bulk change, by id. */
export const checked = signal<ReadonlySet<string>>(new Set());
/**
 * Every record the search matches is selected, not only the ticked rows of this page: as many
 * as it matched then, which a bulk change checks (bulk.ts); else false.
 */
export const everyMatch = signal<number | false>(false);
/** Bumped every few seconds while the page is seen: refetches what is shown. */
export const tick = signal(0);
/** Bumped after each change the reader makes: refetches everything it touched. */
export const changes = signal(0);
/** Lists and counts follow every refresh. */
const listTick = computed(() => tick.value + changes.value);
/** Bumped when the record shown is read again: see `record`. */
const detailTick = signal(0);
/** The clock relative times are read against, moved on with each refresh. */
export const now = signal(Date.now());
/** A change is being sent: the controls that would send another wait. */
export const busy = signal(false);
/** The last thing done, for the polite live region. */
export const announcement = signal('');
/** The last thing that went wrong, for the alert region. */
export const problem = signal('');
export const keysOpen = signal(false);
/** The reader's name as the collector records it in activity (`assigned:me`). */
export const actor = signal<string | undefined>(undefined);
/** `TRACE_URL` as the collector's environment sets it, with `{trace_id}` still in it. */
export const traceTemplate = signal<string | undefined>(undefined);
/** What the assign dialog assigns, while it is open. */
export const assigning = signal<Scope | undefined>(undefined);

export const query = computed(() => listQuery(search.value));

/** The collector refuses the search, and will again until it changes: it is not polled. */
export const refusesSearch = (error: Error) => error instanceof ApiError && error.field === 'q';

export const list = resource(
  () =>
    view.value === 'inbox'
      ? JSON.stringify({ q: query.value, limit: PAGE_SIZE, offset: offset.value })
      : undefined,
  (key, signal) => api.list(JSON.parse(key), signal),
  { tick: listTick, changes, keep: true, final: refusesSearch },
);

// A page past the end (the last one, emptied by a change, or one an address names): the last
// page that still holds votes, or the first when none do.
effect(() => {
  const shown = list.value.data;
  const at = offset.peek();
  if (shown && shown.items.length === 0 && at > 0 && at >= shown.total) {
    offset.value = shown.total > 0 ? Math.floor((shown.total - 1) / PAGE_SIZE) * PAGE_SIZE : 0;
  }
});

export const rows = computed(() => list.value.data?.items ?? []);
export const total = computed(() => list.value.data?.total ?? 0);
export const activeIndex = computed(() => rows.value.findIndex((row) => row.id === activeId.value));

/** How many records the search holds in each status. */
export const counts = resource(
  () => (view.value === 'inbox' ? query.value : undefined),
  api.counts,
  { tick: listTick, changes, keep: true, final: refusesSearch },
);

/** The collector no longer holds the record (erased, SPEC §13): it is not read again. */
export const erased = (error: Error | undefined) =>
  error instanceof ApiError && error.status === 404;

export const record = resource(() => activeId.value, api.record, {
  tick: detailTick,
  changes,
  final: erased,
});

/**
 * One record changes rarely, and mostly by this reader's own hand: it is read again after
 * every change and every third refresh, which keeps a reader's requests (about 50 a minute at
 * rest) well inside `READ_RATE_LIMIT`. After a read that failed while the collector was out
 * of reach or failing, on every refresh: "Could not refresh the vote" lasts no longer than
 * the outage.
 */
let readAt = { tick: tick.peek(), changes: changes.peek() };
effect(() => {
  const refreshes = tick.value;
  const made = changes.value;
  const { error } = record.peek();
  const failed = error !== undefined && (!(error instanceof ApiError) || error.passing);
  const due =
    made !== readAt.changes || (refreshes !== readAt.tick && (refreshes % 3 === 0 || failed));
  readAt = { tick: refreshes, changes: made };
  if (due) detailTick.value++;
});

/** The record whose deliveries are shown: none once it is erased. */
const deliveriesOf = computed(() => (erased(record.value.error) ? undefined : activeId.value));

/** Deliveries change by themselves (a retry succeeds): they follow every refresh. */
export const deliveries = resource(() => deliveriesOf.value, api.deliveriesOf, {
  tick: listTick,
  changes,
});

/** What `e`, `!` and the bulk buttons act on: every match, the ticked rows, else the cursor's. */
export const selection = computed((): Scope | undefined => {
  if (everyMatch.value !== false)
    return { kind: 'search', q: query.value, total: everyMatch.value };
  if (checked.value.size > 0) return { kind: 'ids', ids: [...checked.value] };
  return activeId.value === undefined ? undefined : { kind: 'record', id: activeId.value };
});
