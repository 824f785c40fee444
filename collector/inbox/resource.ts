import { effect, type ReadonlySignal, signal, untracked } from '@preact/signals';

/** What a resource holds: the last answer for its current key, its error, whether it loads. */
export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
}

/**
 * Data fetched for a key read from signals, refetched whenever the key or `tick` changes. A
 * new key aborts the fetch still running for the old one, so a slow answer to an old search
 * never overwrites a newer one. A tick while the key's fetch still runs does not abort it (on
 * a slow network every fetch would be cut off by the next tick): it is fetched once more when
 * that one is done, so a change is always followed by an answer read after it. With `keep`,
 * the old key's data stays shown while the new one loads (a list between two searches);
 * without, it is dropped at once (another record). An error `final` says the key will always
 * get (a search the collector refuses) is not fetched again on a tick, only once the key
 * changes. `changes` counts the reader's own changes: a fetch still running when one is made
 * was answered, or may have been, from before it, so its answer is not shown (it would put
 * back what the reader just changed, beside counts read after it) and the key is fetched
 * again at once. Only the reader's changes do that, which are few: if every refresh did, a
 * fetch slower than the refresh would never show. A change alone fetches nothing; `tick`
 * says when to.
 */
export function resource<T>(
  key: () => string | undefined,
  load: (key: string, signal: AbortSignal) => Promise<T>,
  options: {
    tick: ReadonlySignal<number>;
    changes?: ReadonlySignal<number>;
    keep?: boolean;
    final?: (error: Error) => boolean;
  },
): ReadonlySignal<Loaded<T>> {
  const state = signal<Loaded<T>>({ loading: false });
  let shownKey: string | undefined;
  /** The key whose last answer was a final error. */
  let settledKey: string | undefined;
  /**
   * The fetch in flight: its key, its controller, whether a tick came meanwhile, and whether a
   * change did.
   */
  let running:
    | { key: string; controller: AbortController; again: boolean; outdated: boolean }
    | undefined;
  let changesSeen = options.changes?.peek();

  function fetchKey(current: string) {
    const same = current === shownKey;
    const before = state.value;
    state.value = same || options.keep ? { ...before, loading: true } : { loading: true };
    const mine = { key: current, controller: new AbortController(), again: false, outdated: false };
    running = mine;
    settledKey = undefined;
    const settle = (next: Loaded<T>) => {
      if (mine.controller.signal.aborted) return;
      running = undefined;
      if (mine.outdated) {
        fetchKey(current);
        return;
      }
      shownKey = current;
      const final = next.error !== undefined && options.final?.(next.error) === true;
      if (final) settledKey = current;
      const again = mine.again && !final;
      // Shown, but still loading while the fetch a tick asked for follows: what waits for this
      // key's answer after a change (`reloaded` in actions.ts) must not take this older one.
      state.value = again ? { ...next, loading: true } : next;
      if (again) fetchKey(current);
    };
    load(current, mine.controller.signal).then(
      (data) => settle({ data, loading: false }),
      // A failed refresh keeps what was shown; a failed new key shows only its error.
      (error: Error) =>
        settle(same ? { ...state.value, error, loading: false } : { error, loading: false }),
    );
  }

  let seen: { key: string | undefined; tick: number } = { key: undefined, tick: -1 };
  effect(() => {
    const current = key();
    const ticked = options.tick.value;
    const made = options.changes?.value;
    untracked(() => {
      const changed = made !== changesSeen;
      const refreshed = current !== seen.key || ticked !== seen.tick;
      changesSeen = made;
      seen = { key: current, tick: ticked };
      if (current !== undefined && running?.key === current) {
        if (changed) running.outdated = true;
        if (refreshed) running.again = true;
        return;
      }
      if (!refreshed) return;
      if (current !== undefined && current === settledKey) return;
      running?.controller.abort();
      running = undefined;
      if (current === undefined) {
        shownKey = settledKey = undefined;
        state.value = { loading: false };
        return;
      }
      fetchKey(current);
    });
  });
  return state;
}
