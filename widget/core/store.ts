/** JSON key-value storage that keeps working, in memory, when the browser's storage does not. */
export interface Store {
  get<T>(key: string): T | undefined;
  /** Whether the browser's storage took it: else it lasts as long as the page. */
  set(key: string, value: unknown): boolean;
  remove(key: string): void;
  keys(prefix: string): string[];
}

/**
 * Wraps `localStorage`-like storage. Reading it may throw (sandboxed frames, disabled
 * cookies), writing may throw (quota), and what it holds may be garbage from another script:
 * every such failure falls back to a page-lifetime memory copy instead of surfacing.
 */
export function createStore(storage: () => Storage): Store {
  const memory = new Map<string, string>();
  const attempt = <T>(operation: (storage: Storage) => T): T | undefined => {
    try {
      return operation(storage());
    } catch {
      return undefined;
    }
  };
  const store: Store = {
    get<T>(key: string) {
      // Memory holds only what storage refused, so it is newer than anything stored.
      const text = memory.get(key) ?? attempt((s) => s.getItem(key));
      if (text == null) return undefined;
      try {
        return JSON.parse(text) as T;
      } catch {
        store.remove(key);
        return undefined;
      }
    },
    set(key, value) {
      const text = JSON.stringify(value);
      const stored = attempt((s) => {
        s.setItem(key, text);
        return true;
      });
      if (stored) memory.delete(key);
      else memory.set(key, text);
      return !!stored;
    },
    remove(key) {
      memory.delete(key);
      attempt((s) => s.removeItem(key));
    },
    keys(prefix) {
      const stored =
        attempt((s) => Array.from({ length: s.length }, (_, index) => s.key(index) as string)) ??
        [];
      return [...new Set([...stored, ...memory.keys()])].filter((key) => key.startsWith(prefix));
    },
  };
  return store;
}
