import type { Database } from '../storage/database';

/** The forwarding outbox as /metrics reports it. */
export interface OutboxReading {
  /** Each destination with pending deliveries: how many, and the seconds since the oldest. */
  pending: Map<string, { count: number; oldest: number }>;
  /** Delivered and failed deliveries per destination and status; undefined until counted. */
  settled: Count[] | undefined;
}

/** A pair of a destination and a status with deliveries; one without any is absent. */
interface Count {
  destination: string;
  status: string;
  count: number;
}

/** How long a scrape waits for the database before it answers without the outbox. */
export const OUTBOX_WAIT_MS = 2_000;
/**
 * How long a count of the delivered and failed deliveries is reported before it is made again.
 * It reads every row the outbox ever kept (0.3–1.1 s per 1,000,000 on PostgreSQL on the bench
 * machine, and on PGlite intake waits meanwhile); longer than a scrape interval, so that most
 * scrapes cost only the pending rows, which a partial index holds.
 */
const SETTLED_REUSE_MS = 60_000;

/** `work` run once at a time: a call while it runs shares that run. */
function single<T>(work: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= work().finally(() => {
      running = undefined;
    });
    return running;
  };
}

/**
 * Reads the outbox of `destinations` for /metrics: the pending deliveries at every call, the
 * delivered and failed ones counted again once their count is `SETTLED_REUSE_MS` old (by `now`);
 * undefined when the database fails, or does not answer within `OUTBOX_WAIT_MS`. One query of
 * each kind is in flight at a time: a scrape while the database hangs waits on the query already
 * waiting, instead of taking another connection.
 */
export function createOutboxReader(
  database: () => Promise<Database>,
  destinations: string[],
  now: () => number,
): () => Promise<OutboxReading | undefined> {
  const pending = single(async (): Promise<OutboxReading['pending']> => {
    const db = await database();
    if (destinations.length === 0) {
      await db.query('SELECT 1');
      return new Map();
    }
    // The partial index of the pending deliveries (`deliveries_due`) holds every row read.
    const rows = await db.query<{ destination: string; count: number; oldest: number }>(
      `SELECT destination, count(*)::int AS count,
         extract(epoch FROM now() - min(created_at))::float8 AS oldest
       FROM deliveries WHERE status = 'pending' AND destination = ANY($1) GROUP BY destination`,
      [destinations],
    );
    return new Map(rows.map(({ destination, count, oldest }) => [destination, { count, oldest }]));
  });
  let settled: { at: number; counts: Count[] } | undefined;
  /** Counts the delivered and failed deliveries; a failed count leaves the last one standing. */
  const countSettled = single(async () => {
    const at = now();
    try {
      const db = await database();
      const counts = await db.query<Count>(
        `SELECT destination, status, count(*)::int AS count FROM deliveries
         WHERE status <> 'pending' AND destination = ANY($1) GROUP BY destination, status`,
        [destinations],
      );
      settled = { at, counts };
    } catch {
      // The pending deliveries' read says whether the database answers.
    }
  });
  return async () => {
    const stale = settled === undefined || now() - settled.at >= SETTLED_REUSE_MS;
    const counting = stale && destinations.length > 0 ? countSettled() : undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), OUTBOX_WAIT_MS);
    });
    try {
      const waiting = await Promise.race([pending(), late]);
      if (waiting === undefined) return undefined;
      if (counting) await Promise.race([counting, late]);
      return { pending: waiting, settled: settled?.counts };
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
}
