import { afterEach, expect, test, vi } from 'vitest';
import { uuid } from '../../widget/core/uuid';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => {
  vi.unstubAllGlobals();
});

test('is a version 4 UUID', () => {
  expect(uuid()).toMatch(V4);
});

test('is different every time', () => {
  const ids = new Set(Array.from({ length: 1000 }, uuid));

  expect(ids.size).toBe(1000);
});

test('is crypto.randomUUID where the origin has it', () => {
  vi.stubGlobal('crypto', { randomUUID: () => '0d9c5e1a-2b3c-4d5e-8f60-718293a4b5c6' });
  expect(uuid()).toBe('0d9c5e1a-2b3c-4d5e-8f60-718293a4b5c6');
});

test('is a version 4 UUID, different every time, on an origin without crypto.randomUUID', () => {
  vi.stubGlobal('crypto', {});
  const ids = new Set(Array.from({ length: 100 }, uuid));
  expect([...ids].every((id) => V4.test(id))).toBe(true);
  expect(ids.size).toBe(100);
});
