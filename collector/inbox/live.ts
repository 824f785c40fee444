// What keeps the page current without a reload: the refresh while it is seen, and the address
// that follows the view.
import { batch, effect } from '@preact/signals';
import { type Address, readAddress, writeAddress } from './address';
import { api } from './api';
import {
  activeId,
  actor,
  checked,
  detailOpen,
  everyMatch,
  now,
  offset,
  REFRESH_MS,
  search,
  tick,
  traceTemplate,
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
 * Writes the view into the address: a new search or view is a new history entry (Back
 * returns to the one before), a new record replaces the entry. Back and Forward restore it.
 */
export function followAddress(): void {
  let written = writeAddress(readAddress(location.search));
  let shown: Address = { view: view.peek(), q: search.peek() };
  effect(() => {
    const id = activeId.value;
    const address: Address = { view: view.value, q: search.value, ...(id ? { id } : {}) };
    const next = writeAddress(address);
    if (next === written) return;
    const entry = address.view !== shown.view || address.q !== shown.q;
    history[entry ? 'pushState' : 'replaceState'](null, '', next || location.pathname);
    written = next;
    shown = address;
  });
  addEventListener('popstate', () => {
    const address = readAddress(location.search);
    written = writeAddress(address);
    shown = address;
    batch(() => {
      view.value = address.view;
      search.value = address.q;
      activeId.value = address.id;
      detailOpen.value = address.id !== undefined;
      offset.value = 0;
      checked.value = new Set();
      everyMatch.value = false;
    });
  });
}
