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
  /** What storage refused, or, once it failed, everything: newer than anything stored. */
  const memory = new Map<string, string>();
  /** What this page stored, which memory takes over should storage fail later. */
  const written = new Map<string, string>();
  let failed = false;
  /**
   * A write refused (a full quota) is that write's alone. Any other failure, of one method or
   * all, makes storage untrusted for the page: a vote it took but cannot give back, or cannot
   * remove once delivered, would be lost or sent again and again.
   */
  const attempt = <T>(operation: (storage: Storage) => T, write?: boolean): T | undefined => {
    if (!failed) {
      try {
        return operation(storage());
      } catch {
        if (!write) {
          failed = true;
          for (const [key, text] of written) if (!memory.has(key)) memory.set(key, text);
        }
      }
    }
  };
  const store: Store = {
    get<T>(key: string) {
      // Memory is newer than anything stored; it is asked again after a read that failed.
      const text = memory.get(key) ?? attempt((s) => s.getItem(key)) ?? memory.get(key);
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
      }, true);
      if (stored) {
        memory.delete(key);
        written.set(key, text);
      } else memory.set(key, text);
      return !!stored;
    },
    remove(key) {
      memory.delete(key);
      written.delete(key);
      attempt((s) => s.removeItem(key));
    },
    keys(prefix) {
      // Its keys are its own properties; Prototype.js and MooTools replace Array.from with one
      // that ignores a map function.
      const stored = attempt((s) => Object.keys(s)) ?? [];
      return [...new Set([...stored, ...memory.keys()])].filter((key) => key.startsWith(prefix));
    },
  };
  return store;
}
