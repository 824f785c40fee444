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
 * never overwrites a newer one. With `keep`, the old key's data stays shown while the new one
 * loads (a list between two searches); without, it is dropped at once (another record).
 */
export function resource<T>(
  key: () => string | undefined,
  load: (key: string, signal: AbortSignal) => Promise<T>,
  options: { tick: ReadonlySignal<number>; keep?: boolean },
): ReadonlySignal<Loaded<T>> {
  const state = signal<Loaded<T>>({ loading: false });
  let shownKey: string | undefined;
  effect(() => {
    const current = key();
    options.tick.value;
    return untracked(() => {
      if (current === undefined) {
        shownKey = undefined;
        state.value = { loading: false };
        return undefined;
      }
      const same = current === shownKey;
      const before = state.value;
      state.value = same || options.keep ? { ...before, loading: true } : { loading: true };
      const controller = new AbortController();
      load(current, controller.signal).then(
        (data) => {
          if (controller.signal.aborted) return;
          shownKey = current;
          state.value = { data, loading: false };
        },
        (error: Error) => {
          if (controller.signal.aborted) return;
          // A failed refresh keeps what was shown; a failed new key shows only its error.
          shownKey = current;
          state.value = same
            ? { ...state.value, error, loading: false }
            : { error, loading: false };
        },
      );
      return () => controller.abort();
    });
  });
  return state;
}
