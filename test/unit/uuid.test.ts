import { expect, test } from 'vitest';
import { uuid } from '../../widget/core/uuid';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('is a version 4 UUID', () => {
  expect(uuid()).toMatch(V4);
});

test('is different every time', () => {
  const ids = new Set(Array.from({ length: 1000 }, uuid));

  expect(ids.size).toBe(1000);
});
