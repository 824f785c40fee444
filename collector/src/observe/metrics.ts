import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../storage/database';

export type VoteOutcome = 'stored' | 'duplicate' | 'rejected';

/** The figures of SPEC §14 "Metrics", on a registry of this collector's own. */
export interface Metrics {
  registry: Registry;
  vote(format: string, outcome: VoteOutcome): void;
  /** `route` is the route's pattern (`/api/feedback/:id`), so labels stay a bounded set. */
  request(method: string, route: string, status: number, seconds: number): void;
}

/**
 * Counters and the request histogram are kept in memory; the delivery gauges are read from the
 * database at each scrape, so every collector on one PostgreSQL reports the same outbox.
 */
export function createMetrics(database: () => Promise<Database>, destinations: string[]): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const votes = new Counter({
    name: 'feedback_votes_total',
    help: 'Votes received, by intake format and outcome (stored, duplicate, rejected).',
    labelNames: ['format', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'feedback_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const deliveries = new Gauge({
    name: 'feedback_deliveries',
    help: 'Deliveries in the forwarding outbox, by destination and status.',
    labelNames: ['destination', 'status'] as const,
    registers: [registry],
    collect: () => refresh(),
  });
  const oldest = new Gauge({
    name: 'feedback_delivery_oldest_pending_seconds',
    help: 'Age of the oldest pending delivery, by destination (0 when none is pending).',
    labelNames: ['destination'] as const,
    registers: [registry],
    collect: () => refresh(),
  });
  async function readOutbox(): Promise<void> {
    const db = await database();
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
    deliveries.reset();
    oldest.reset();
    for (const name of destinations) {
      for (const status of ['pending', 'delivered', 'failed']) {
        deliveries.set({ destination: name, status }, 0);
      }
      oldest.set({ destination: name }, 0);
    }
    for (const row of rows) {
      deliveries.set({ destination: row.destination, status: row.status }, row.count);
      if (row.status === 'pending') oldest.set({ destination: row.destination }, row.oldest ?? 0);
    }
  }
  let reading: Promise<void> | undefined;
  /**
   * One read of the outbox per scrape, which both gauges' collect() await: prom-client gets
   * every metric at once, so a gauge that did not wait would answer the previous scrape's values.
   */
  const refresh = () => {
    reading ??= readOutbox().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  return {
    registry,
    vote: (format, outcome) => votes.inc({ format, outcome }),
    request: (method, route, status, seconds) =>
      duration.observe({ method, route, status: String(status) }, seconds),
  };
}
