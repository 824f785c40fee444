import type { Database } from '../storage/database';

/** The forwarding outbox as one read of the database found it. */
export interface OutboxReading {
  /** Deliveries per destination and status; a pair without any is absent. */
  counts: { destination: string; status: string; count: number }[];
  /** Seconds since the oldest pending delivery of each destination with one was created. */
  oldestPending: Map<string, number>;
}

/** How long a scrape waits for the database before it answers without the outbox. */
export const OUTBOX_WAIT_MS = 2_000;

/**
 * Reads the outbox of `destinations` for /metrics: undefined when the database fails, or does
 * not answer within `OUTBOX_WAIT_MS`. One query is in flight at a time: a scrape while the
 * database hangs waits on the query already waiting, instead of taking another connection.
 */
export function createOutboxReader(
  database: () => Promise<Database>,
  destinations: string[],
): () => Promise<OutboxReading | undefined> {
  async function query(): Promise<OutboxReading> {
    const db = await database();
    if (destinations.length === 0) {
      await db.query('SELECT 1');
      return { counts: [], oldestPending: new Map() };
    }
    const rows = await db.query<{
      destination: string;
      status: string;
      count: number;
      oldest: number | null;
    }>(
      `SELECT destination, status, count(*)::int AS count,
         extract(epoch FROM now() - min(created_at))::float8 AS oldest
       FROM deliveries WHERE destination = ANY($1) GROUP BY destination, status`,
      [destinations],
    );
    return {
      counts: rows,
      oldestPending: new Map(
        rows
          .filter((row) => row.status === 'pending')
          .map((row) => [row.destination, row.oldest ?? 0]),
      ),
    };
  }
  let querying: Promise<OutboxReading> | undefined;
  return async () => {
    querying ??= query().finally(() => {
      querying = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), OUTBOX_WAIT_MS);
    });
    try {
      return await Promise.race([querying, late]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
}
