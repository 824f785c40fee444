import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Backend,
  type CollectorProcess,
  send,
  startCollector,
  useStorage,
} from '../helpers/collector';
import { type FakeVendor, useFakeVendor, VENDOR_ENV } from '../helpers/fake-vendor';
import { eventBody, forwardFile, secret, waitForCounts } from '../helpers/forward';
import { startTestDatabase, type TestDatabase } from '../helpers/postgres';

function eventsTo(origin: string, name: string) {
  return {
    destinations: [
      {
        name,
        format: 'event',
        url: `${origin}/api/feedback`,
        headers: { Authorization: `Bearer ${secret('EVENT_API_KEY')}` },
      },
    ],
  };
}

/** Posts `count` votes, `parallel` at a time, to the collectors in turn; all must be stored. */
async function postVotes(urls: string[], prefix: string, count: number, parallel = 16) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const url = urls[index % urls.length] as string;
      const { status } = await send(`${url}api/feedback`, {
        body: eventBody(`${prefix}-${index}`),
      });
      expect(status).toBe(201);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** Which Idempotency-Keys each forwarded vote arrived with. */
function keysByVote(vendor: FakeVendor): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const request of vendor.requests) {
    const set = keys.get(request.body.id) ?? new Set<string>();
    set.add(String(request.headers['idempotency-key']));
    keys.set(request.body.id, set);
  }
  return keys;
}

describe.each<Backend>(['pglite', 'postgres'])(
  'forwarding durability on %s',
  { timeout: 120_000 },
  (backend) => {
    const vendor = useFakeVendor({ fresh: true });
    let database: TestDatabase | undefined;

    beforeAll(async () => {
      if (backend === 'postgres') database = await startTestDatabase();
    });

    afterAll(async () => {
      await database?.stop();
    });

    /** The collector's source, not its last build: these tests are about the forwarder's code. */
    function start(file: string, dataDir?: string): Promise<CollectorProcess> {
      const env: Record<string, string> = { ...VENDOR_ENV, RATE_LIMIT: '0', FORWARD_FILE: file };
      if (database) env.DATABASE_URL = database.url;
      return startCollector({ env, source: true, ...(dataDir === undefined ? {} : { dataDir }) });
    }

    /** SIGKILL, and every request the collector wrote before it died received. */
    async function kill(collector: CollectorProcess) {
      const exited = new Promise((resolve) => collector.process.once('exit', resolve));
      collector.process.kill('SIGKILL');
      await exited;
      // What the collector wrote before it died may still sit in the vendor's socket buffers.
      await vendor.idle();
    }

    test('a collector killed mid-delivery resends after a restart: nothing lost, each vote under one key', async () => {
      const file = forwardFile(eventsTo(vendor.origin, 'killed'));
      const releases: (() => void)[] = [];
      vendor.answer = () =>
        new Promise((resolve) => releases.push(() => resolve({ status: 201, body: '{}' })));
      const first = await start(file);
      await postVotes([`${first.origin}/`], 'kill', 40);
      const inFlight = (await vendor.waitFor(1)).length;
      await kill(first);
      const receivedBeforeKill = vendor.requests.length;
      expect(receivedBeforeKill).toBeGreaterThanOrEqual(inFlight);
      vendor.answer = () => ({ status: 201, body: '{}' });
      for (const release of releases) release();

      const second = await start(file, first.dataDir);
      try {
        await waitForCounts(`${second.origin}/`, [
          { destination: 'killed', delivered: 40, pending: 0, failed: 0 },
        ]);
        const keys = keysByVote(vendor);
        expect(keys.size).toBe(40);
        for (const set of keys.values()) expect(set.size).toBe(1);
        // Only what was in flight when the collector died can have been sent twice.
        expect(vendor.requests.length).toBeLessThanOrEqual(40 + receivedBeforeKill);
      } finally {
        await second.stop();
      }
    });

    test('a delivery the vendor answered before the collector was killed is not sent again', async () => {
      const file = forwardFile(eventsTo(vendor.origin, 'answered'));
      // Every fifth vote's first request is never answered; the others are answered at once.
      const hangs = (vote: string) => Number(vote.split('-').at(-1)) % 5 === 0;
      vendor.answer = (request) =>
        hangs(request.body.id) ? new Promise<never>(() => {}) : { status: 201, body: '{}' };
      const first = await start(file);
      await postVotes([`${first.origin}/`], 'answered', 20);
      // Written back about a second after they were sent: a batch with a request that hangs no
      // longer waits for its 10 s timeout.
      await waitForCounts(
        `${first.origin}/`,
        [{ destination: 'answered', delivered: 16, pending: 4 }],
        8_000,
      );
      await kill(first);
      vendor.answer = () => ({ status: 201, body: '{}' });

      const second = await start(file, first.dataDir);
      try {
        // The four in flight at the kill go again once their lease has run out.
        await waitForCounts(`${second.origin}/`, [
          { destination: 'answered', delivered: 20, pending: 0 },
        ]);
        const sent = new Map<string, number>();
        for (const { body } of vendor.requests) sent.set(body.id, (sent.get(body.id) ?? 0) + 1);
        expect(sent.size).toBe(20);
        for (const [vote, times] of sent)
          expect([vote, times]).toEqual([vote, hangs(vote) ? 2 : 1]);
        for (const keys of keysByVote(vendor).values()) expect(keys.size).toBe(1);
      } finally {
        await second.stop();
      }
    });

    test('secrets appear in no answer and no log line, even when a vendor echoes them', async () => {
      const file = forwardFile(eventsTo(vendor.origin, 'echo'));
      vendor.answer = (request) => ({
        status: 403,
        body: JSON.stringify({ error: 'forbidden', seen: request.headers.authorization }),
      });
      const collector = await start(file);
      try {
        const url = `${collector.origin}/`;
        await send(`${url}api/feedback`, { body: eventBody('secret-1') });
        await waitForCounts(url, [{ destination: 'echo', failed: 1 }]);
        const answers = await Promise.all(
          ['api/deliveries', 'api/deliveries/stats', 'api/feedback', 'api/feedback/stats'].map(
            async (path) => JSON.stringify((await send(`${url}${path}`)).body),
          ),
        );
        const { body } = await send(`${url}api/deliveries?destination=echo`);
        expect(body.items[0].last_error).toContain('[secret]');
        for (const answer of answers) expect(answer).not.toContain(VENDOR_ENV.EVENT_API_KEY);
        expect(collector.output()).not.toContain(VENDOR_ENV.EVENT_API_KEY);
        expect(collector.output()).toContain('echo');
      } finally {
        await collector.stop();
      }
      expect(collector.output()).not.toContain(VENDOR_ENV.EVENT_API_KEY);
    });
  },
);

describe('two collectors on one PostgreSQL', () => {
  const storage = useStorage('postgres');
  const vendor = useFakeVendor({ env: true });

  test('share 1,000 votes and deliver each exactly once', async () => {
    const forward = forwardFile(eventsTo(vendor.origin, 'shared'));
    const a = await storage.start({ forwardFile: forward });
    const b = await storage.start({ forwardFile: forward });
    try {
      await postVotes([a.url, b.url], 'shared', 1000, 32);
      await waitForCounts(a.url, [{ destination: 'shared', delivered: 1000, pending: 0 }], 60_000);
      // Sent again only after a write-back that failed, which then wrote nothing (on two loaded
      // cores one outlasted the 5 s query timeout: 1,040 requests), and with the same key; never
      // because both collectors claimed a delivery.
      const failed = [...a.logs(), ...b.logs()].filter((line) =>
        /will be retried|sent again once its lease ends/.test(line),
      );
      if (failed.length === 0) expect(vendor.requests).toHaveLength(1000);
      expect(vendor.keys().size).toBe(1000);
      expect(keysByVote(vendor).size).toBe(1000);
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);

  test('share votes the vendor answers slowly, past their batch, and send none twice', async () => {
    const forward = forwardFile(eventsTo(vendor.origin, 'slow'));
    // One vote in five is answered after 2.5 s: after its batch was written back, which leases
    // it, and before its 10 s timeout.
    vendor.answer = async (request) => {
      if (Number(request.body.id.split('-').at(-1)) % 5 === 0) {
        await new Promise((resolve) => setTimeout(resolve, 2_500));
      }
      return { status: 201, body: '{}' };
    };
    const before = vendor.requests.length;
    const a = await storage.start({ forwardFile: forward });
    const b = await storage.start({ forwardFile: forward });
    try {
      await postVotes([a.url, b.url], 'slow', 300, 32);
      await waitForCounts(a.url, [{ destination: 'slow', delivered: 300, pending: 0 }], 60_000);
      const received = vendor.requests.slice(before);
      expect(received).toHaveLength(300);
      expect(new Set(received.map((request) => request.headers['idempotency-key'])).size).toBe(300);
    } finally {
      vendor.answer = () => ({ status: 201, body: '{}' });
      await a.close();
      await b.close();
    }
  }, 120_000);

  test('two web and two forwarder collectors deliver each of 1,000 votes exactly once', async () => {
    const forward = forwardFile(eventsTo(vendor.origin, 'roles'));
    const webs = [
      await storage.start({ forwardFile: forward, role: 'web' }),
      await storage.start({ forwardFile: forward, role: 'web' }),
    ];
    const forwarders = [
      await storage.start({ forwardFile: forward, role: 'forwarder' }),
      await storage.start({ forwardFile: forward, role: 'forwarder' }),
    ];
    const before = vendor.requests.length;
    try {
      // A forwarder serves only health and metrics: intake is the web processes'.
      expect((await send(`${forwarders[0]?.url}api/feedback/stats`)).status).toBe(404);
      expect((await send(`${forwarders[0]?.url}readyz`)).status).toBe(200);
      await postVotes(
        webs.map((web) => web.url),
        'roles',
        1000,
        32,
      );
      await waitForCounts(
        webs[0]?.url as string,
        [{ destination: 'roles', delivered: 1000, pending: 0 }],
        60_000,
      );
      const received = vendor.requests.slice(before);
      expect(received).toHaveLength(1000);
      expect(new Set(received.map((request) => request.headers['idempotency-key'])).size).toBe(
        1000,
      );
    } finally {
      for (const collector of [...webs, ...forwarders]) await collector.close();
    }
  }, 120_000);
});
