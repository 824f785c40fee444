import { describe, expect, test } from 'vitest';
import { createStore } from '../../widget/core/store';
import { FullStorage, MemoryStorage, throwingStorage } from '../helpers/storage';

describe('with working storage', () => {
  test('a value set is read back', () => {
    const storage = new MemoryStorage();
    const store = createStore(() => storage);
    store.set('k', { rating: 'up', at: [1, 2] });
    expect(store.get('k')).toEqual({ rating: 'up', at: [1, 2] });
  });

  test('a value set is written to storage as JSON', () => {
    const storage = new MemoryStorage();
    createStore(() => storage).set('k', { rating: 'up' });
    expect(storage.getItem('k')).toBe('{"rating":"up"}');
  });

  test('a key never set reads as undefined', () => {
    expect(createStore(() => new MemoryStorage()).get('missing')).toBeUndefined();
  });

  test('a removed value reads as undefined and is gone from storage', () => {
    const storage = new MemoryStorage();
    const store = createStore(() => storage);
    store.set('k', 1);
    store.remove('k');
    expect([store.get('k'), storage.getItem('k')]).toEqual([undefined, null]);
  });

  test('a value another tab wrote is read', () => {
    const storage = new MemoryStorage();
    const store = createStore(() => storage);
    store.set('k', 'mine');
    storage.setItem('k', '"theirs"');
    expect(store.get('k')).toBe('theirs');
  });

  test('a value another tab removed reads as undefined', () => {
    const storage = new MemoryStorage();
    const store = createStore(() => storage);
    store.set('k', 'mine');
    storage.removeItem('k');
    expect(store.get('k')).toBeUndefined();
  });

  test('garbage JSON under a key reads as undefined and is dropped from storage', () => {
    const storage = new MemoryStorage();
    storage.setItem('k', '{"rating":');
    const store = createStore(() => storage);
    expect(store.get('k')).toBeUndefined();
    expect(storage.getItem('k')).toBeNull();
  });

  test('keys(prefix) lists the stored keys with that prefix only', () => {
    const storage = new MemoryStorage();
    storage.setItem('p:a', '1');
    storage.setItem('q:b', '2');
    const store = createStore(() => storage);
    store.set('p:c', 3);
    expect(store.keys('p:').sort()).toEqual(['p:a', 'p:c']);
  });
});

describe('with storage whose every member throws', () => {
  test('a value set is read back from memory', () => {
    const store = createStore(throwingStorage);
    store.set('k', { rating: 'down' });
    expect(store.get('k')).toEqual({ rating: 'down' });
  });

  test('remove and keys work from memory', () => {
    const store = createStore(throwingStorage);
    store.set('p:a', 1);
    store.set('p:b', 2);
    store.remove('p:a');
    expect([store.keys('p:'), store.get('p:a')]).toEqual([['p:b'], undefined]);
  });
});

describe('when reaching storage throws', () => {
  const unreachable = (): Storage => {
    throw new DOMException('Access is denied for this document.', 'SecurityError');
  };

  test('a value set is read back from memory', () => {
    const store = createStore(unreachable);
    store.set('k', [1, 2]);
    expect(store.get('k')).toEqual([1, 2]);
  });

  test('keys(prefix) lists what memory holds', () => {
    const store = createStore(unreachable);
    store.set('p:a', 1);
    store.set('q:b', 2);
    expect(store.keys('p:')).toEqual(['p:a']);
  });

  test('a missing key reads as undefined', () => {
    expect(createStore(unreachable).get('k')).toBeUndefined();
  });
});

describe('when one member of storage throws, storage is given up for the page', () => {
  const failing = (member: 'getItem' | 'removeItem') => {
    const storage = new MemoryStorage();
    storage[member] = () => {
      throw new DOMException('Blocked by an extension.', 'SecurityError');
    };
    return storage;
  };

  test('getItem: a value stored before is read back from memory', () => {
    const storage = failing('getItem');
    const store = createStore(() => storage);
    store.set('p:a', { rating: 'down' });
    expect(store.get('p:a')).toEqual({ rating: 'down' });
    store.set('p:b', 2);
    expect([store.get('p:b'), store.keys('p:').sort()]).toEqual([2, ['p:a', 'p:b']]);
  });

  test('removeItem: what was removed stays removed in this page', () => {
    const storage = failing('removeItem');
    const store = createStore(() => storage);
    store.set('p:a', 1);
    store.set('p:b', 2);
    store.remove('p:a');
    expect([store.get('p:a'), store.keys('p:'), store.get('p:b')]).toEqual([undefined, ['p:b'], 2]);
  });
});

describe('when storage is full', () => {
  test('a new value is still read back in this page', () => {
    const storage = new FullStorage();
    const store = createStore(() => storage);
    store.set('k', { due: 1 });
    expect([store.get('k'), storage.getItem('k')]).toEqual([{ due: 1 }, null]);
  });

  test('an updated value reads back as the update, not as the stale stored one', () => {
    const storage = new FullStorage();
    storage.data.set('k', '{"due":1}');
    const store = createStore(() => storage);
    store.set('k', { due: 2 });
    expect(store.get('k')).toEqual({ due: 2 });
  });

  test('keys(prefix) is the union of storage and memory', () => {
    const storage = new FullStorage();
    storage.data.set('p:stored', '1');
    storage.data.set('q:other', '1');
    const store = createStore(() => storage);
    store.set('p:memory', 2);
    expect(store.keys('p:').sort()).toEqual(['p:memory', 'p:stored']);
  });

  test('a key in both storage and memory is listed once', () => {
    const storage = new FullStorage();
    storage.data.set('p:a', '1');
    const store = createStore(() => storage);
    store.set('p:a', 2);
    expect(store.keys('p:')).toEqual(['p:a']);
  });
});
