/**
 * Stands for a value a hook makes (once in `beforeAll`, or anew in each `beforeEach`), so that
 * a test file can name it where it declares it: every property read or set goes to the value
 * `current()` returns at that moment, which must exist by then.
 *
 * @example
 * let made: Server | undefined;
 * beforeAll(async () => { made = await startServer(); });
 * const server = lateBound('the server', () => made);
 */
export function lateBound<T extends object>(what: string, current: () => T | undefined): T {
  const value = (): T => {
    const made = current();
    if (made === undefined) throw new Error(`${what} is made in a hook: use it in a hook or test`);
    return made;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(value(), key),
    set: (_, key, to) => Reflect.set(value(), key, to),
  });
}
