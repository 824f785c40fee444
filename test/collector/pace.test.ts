import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test, vi } from 'vitest';
import { restAsLongAsWorked } from '../../collector/src/privacy/pace';

afterEach(() => {
  vi.restoreAllMocks();
});

test('housekeeping rests at least as long as its batch worked', async () => {
  const rest = restAsLongAsWorked(new AbortController().signal);
  await sleep(80);
  const resting = performance.now();
  await rest();
  expect(performance.now() - resting).toBeGreaterThanOrEqual(75);
});

test('a collector that stops ends a long rest at once', { timeout: 5_000 }, async () => {
  const now = vi.spyOn(performance, 'now');
  now.mockReturnValue(0);
  const stopping = new AbortController();
  const rest = restAsLongAsWorked(stopping.signal);
  now.mockReturnValue(600_000);
  const resting = rest();
  stopping.abort();
  await expect(resting).resolves.toBeUndefined();
});
