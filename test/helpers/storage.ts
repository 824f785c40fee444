/**
 * A `localStorage` stand-in backed by a Map, so every test starts empty and two stores can
 * share one as two tabs of the same origin share theirs.
 */
export class MemoryStorage implements Storage {
  [name: string]: unknown;
  declare readonly data: Map<string, string>;

  constructor() {
    const data = new Map<string, string>();
    Object.defineProperty(this, 'data', { value: data, configurable: true });
    // As the browser's: what it holds is its own properties, so Object.keys lists the keys.
    // biome-ignore lint/correctness/noConstructorReturn: a Storage's items are its properties
    return new Proxy(this, {
      ownKeys: () => [...data.keys()],
      getOwnPropertyDescriptor: (_, key) =>
        typeof key === 'string' && data.has(key)
          ? { value: data.get(key), enumerable: true, configurable: true, writable: true }
          : undefined,
    });
  }

  get length(): number {
    return this.data.size;
  }

  key(index: number): string | null {
    return [...this.data.keys()][index] ?? null;
  }

  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.data.set(key, String(value));
  }

  removeItem(key: string): void {
    this.data.delete(key);
  }

  clear(): void {
    this.data.clear();
  }
}

/** Storage whose every member throws, as in a sandboxed frame or with cookies disabled. */
export function throwingStorage(): Storage {
  return new Proxy({} as Storage, {
    get() {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    },
  });
}

/** Storage that reads and removes but whose writes hit the quota. */
export class FullStorage extends MemoryStorage {
  override setItem(): void {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
}
