import { expect, test } from 'vitest';
import { createRateLimit, MAX_CLIENTS } from '../../collector/src/http/rate-limit';

test('a client over its limit waits until its bucket refills', () => {
  let time = 0;
  const limit = createRateLimit(2, () => time);
  try {
    expect([limit.take('a'), limit.take('a'), limit.take('a')]).toEqual([0, 0, 30]);
    time = 30_000;
    expect(limit.take('a')).toBe(0);
  } finally {
    limit.stop();
  }
});

test('memory stays bounded when more clients than MAX_CLIENTS arrive within a minute', () => {
  const time = 0;
  const limit = createRateLimit(1, () => time);
  try {
    expect(limit.take('first')).toBe(0);
    expect(limit.take('first')).toBeGreaterThan(0);
    for (let i = 0; i < MAX_CLIENTS; i++) limit.take(`client-${i}`);
    // The oldest bucket was let go to make room: `first` is a stranger again.
    expect(limit.take('first')).toBe(0);
    expect(limit.take(`client-${MAX_CLIENTS - 1}`)).toBeGreaterThan(0);
  } finally {
    limit.stop();
  }
});
