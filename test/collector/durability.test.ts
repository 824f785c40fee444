import * as fs from 'node:fs';
import { expect, test, vi } from 'vitest';
import { send, useCollector } from '../helpers/collector';

// Counts the collector's fsync calls while leaving them real.
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, fsyncSync: vi.fn(real.fsyncSync) };
});

const collector = useCollector('pglite');

test('PGlite reaches the disk before a vote is acknowledged: one fsync or more per vote', async () => {
  const fsync = vi.mocked(fs.fsyncSync);
  fsync.mockClear();
  for (let i = 0; i < 20; i++) {
    const response = await send(`${collector.url}api/sentiment`, {
      body: { conversation_id: 'conv-durable', sentiment: 'positive' },
    });
    expect(response.status).toBe(201);
  }
  expect(fsync.mock.calls.length).toBeGreaterThanOrEqual(20);
});
