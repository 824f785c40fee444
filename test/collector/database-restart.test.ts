import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { type CollectorProcess, send, startCollector } from '../helpers/collector';
import { type FakeVendor, startFakeVendor, VENDOR_ENV } from '../helpers/fake-vendor';
import { eventBody, forwardFile, secret, waitForCounts } from '../helpers/forward';
import { type RestartableDatabase, startRestartableDatabase } from '../helpers/postgres';

/** What Node prints when an 'error' event has no listener, as the collector died of. */
const UNHANDLED = "Unhandled 'error' event";

/**
 * Upvotes conversations from `workers` loops until `stop` is called; collects the statuses. Under
 * VOTE_WINDOW (24h by default) each such vote is stored in a transaction, its connection checked
 * out of the pool meanwhile.
 */
function keepVoting(origin: string, prefix: string, workers = 4) {
  const statuses: number[] = [];
  let voting = true;
  let next = 0;
  const loops = Array.from({ length: workers }, async () => {
    while (voting) {
      const conversation = `${prefix}-${next++}`;
      try {
        const { status } = await send(`${origin}/api/conversations/${conversation}/upvote`, {
          body: { value: 100 },
        });
        statuses.push(status);
      } catch {
        // No answer at all: the collector is gone.
        statuses.push(0);
        return;
      }
    }
  });
  return {
    statuses,
    async stop() {
      voting = false;
      await Promise.all(loops);
    },
  };
}

describe('PostgreSQL restarting under a running collector', { timeout: 120_000 }, () => {
  let database: RestartableDatabase;
  let vendor: FakeVendor;

  beforeAll(async () => {
    database = await startRestartableDatabase();
    vendor = await startFakeVendor();
  });

  afterAll(async () => {
    await vendor?.close();
    await database?.stop();
  });

  beforeEach(() => {
    vendor.requests.length = 0;
    vendor.answer = () => ({ status: 201, body: '{}' });
  });

  /** The collector as a process of its own (its death is the failure looked for), from source. */
  function start(env: Record<string, string> = {}): Promise<CollectorProcess> {
    return startCollector({
      source: true,
      env: { ...VENDOR_ENV, DATABASE_URL: database.url, RATE_LIMIT: '0', ...env },
    });
  }

  const eventsTo = (name: string) =>
    forwardFile({
      destinations: [
        {
          name,
          format: 'event',
          url: `${vendor.origin}/api/feedback`,
          headers: { Authorization: `Bearer ${secret('EVENT_API_KEY')}` },
        },
      ],
    });

  test('votes posted across a restart are stored or answered an error, and are taken again once it is back', async () => {
    const collector = await start();
    try {
      const voting = keepVoting(collector.origin, 'across');
      await vi.waitFor(() => expect(voting.statuses).toContain(200), 30_000);
      await database.restart(async () => {
        const ready = await send(`${collector.origin}/readyz`);
        expect([ready.status, ready.body.status]).toEqual([503, 'unavailable']);
      });
      const before = voting.statuses.length;
      await vi.waitFor(() => expect(voting.statuses.slice(before)).toContain(200), 30_000);
      await voting.stop();
      expect(collector.process.exitCode).toBeNull();
      expect(collector.output()).not.toContain(UNHANDLED);
      // Refused connections and connections the server ended: the database is unavailable.
      expect(voting.statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
      expect(voting.statuses).toContain(503);
      const ready = await send(`${collector.origin}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });

  test('a batch being sent when the server restarts is sent again once it is back', async () => {
    let slow = true;
    vendor.answer = async () => {
      if (slow) await sleep(2_000);
      return { status: 201, body: '{}' };
    };
    const collector = await start({ FORWARD_FILE: eventsTo('restarted') });
    try {
      for (const id of ['batch-1', 'batch-2', 'batch-3']) {
        const posted = await send(`${collector.origin}/api/feedback`, { body: eventBody(id) });
        expect(posted.status).toBe(201);
      }
      // The forwarder holds the batch's transaction while the vendor takes its time.
      await vendor.waitFor(1);
      const restarting = performance.now();
      // Down for 2 s, long enough for the loops to find it down again and again.
      await database.restart(() => sleep(2_000));
      const downMs = performance.now() - restarting;
      slow = false;
      await waitForCounts(`${collector.origin}/`, [
        { destination: 'restarted', pending: 0, delivered: 3, failed: 0 },
      ]);
      expect(collector.process.exitCode).toBeNull();
      expect(collector.output()).not.toContain(UNHANDLED);
      // Each of the three loops asks again after 200 ms doubling, not every 100 ms.
      const failed = collector.output().split('a batch of deliveries failed').length - 1;
      expect(failed).toBeLessThanOrEqual(3 * (Math.log2(downMs / 100 + 1) + 2));
      expect(vendor.keys().size).toBe(3);
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });

  test('a server ending transactions idle for 1 s lets a batch wait 2 s on its vendor', async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const name = new URL(database.url).pathname.slice(1);
    await admin.query(`ALTER DATABASE ${name} SET idle_in_transaction_session_timeout = '1s'`);
    vendor.answer = async () => {
      await sleep(2_000);
      return { status: 201, body: '{}' };
    };
    const collector = await start({ FORWARD_FILE: eventsTo('idle') });
    try {
      const posted = await send(`${collector.origin}/api/feedback`, { body: eventBody('idle-1') });
      expect(posted.status).toBe(201);
      await waitForCounts(`${collector.origin}/`, [
        { destination: 'idle', pending: 0, delivered: 1, failed: 0 },
      ]);
      // Once: a batch ended under it would have been claimed and sent again, and again.
      expect(vendor.requests).toHaveLength(1);
      expect(collector.process.exitCode).toBeNull();
    } finally {
      const code = await collector.stop();
      await admin.query(`ALTER DATABASE ${name} RESET idle_in_transaction_session_timeout`);
      await admin.end();
      expect(code).toBe(0);
    }
  });
});
