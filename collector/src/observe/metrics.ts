import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../storage/database';
import { createOutboxReader, OUTBOX_WAIT_MS } from './outbox';

export type VoteOutcome = 'stored' | 'duplicate' | 'rejected';

/**
 * The methods the request histogram names: those the collector has routes for, HEAD and
 * OPTIONS. Any other is `other`, as Node accepts 35, and each would add series under every
 * route that answers it 405.
 */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS']);

/** The figures of SPEC §14 "Metrics", on a registry of this collector's own. */
export interface Metrics {
  registry: Registry;
  vote(format: string, outcome: VoteOutcome): void;
  /** `route` is the route's pattern (`/api/feedback/:id`), so labels stay a bounded set. */
  request(method: string, route: string, status: number, seconds: number): void;
}

/**
 * Counters and the request histogram are kept in memory, and always answered; the delivery
 * gauges are read from the database (pending at each scrape, delivered and failed at most once a
 * minute), so every collector on one PostgreSQL reports the same outbox, and left out when it
 * does not answer.
 */
export function createMetrics(
  database: () => Promise<Database>,
  destinations: string[],
  now: () => number,
): Metrics {
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
    help: 'Time to answer a request, by method (other for any but GET, HEAD, POST, PATCH, DELETE and OPTIONS), route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const deliveries = new Gauge({
    name: 'feedback_deliveries',
    help: 'Deliveries in the forwarding outbox, by destination and status (pending at each scrape, delivered and failed counted at most once a minute).',
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
  const up = new Gauge({
    name: 'feedback_database_up',
    help: `Whether the database answered this scrape within ${OUTBOX_WAIT_MS / 1000} s (1) or not (0); without it the outbox is left out.`,
    registers: [registry],
    collect: () => refresh(),
  });
  const readOutbox = createOutboxReader(database, destinations, now);
  async function fill(): Promise<void> {
    const reading = await readOutbox();
    deliveries.reset();
    oldest.reset();
    up.set(reading === undefined ? 0 : 1);
    if (reading === undefined) return;
    for (const name of destinations) {
      const waiting = reading.pending.get(name);
      deliveries.set({ destination: name, status: 'pending' }, waiting?.count ?? 0);
      oldest.set({ destination: name }, waiting?.oldest ?? 0);
      if (reading.settled === undefined) continue;
      for (const status of ['delivered', 'failed'])
        deliveries.set({ destination: name, status }, 0);
    }
    for (const { destination, status, count } of reading.settled ?? []) {
      deliveries.set({ destination, status }, count);
    }
  }
  let filling: Promise<void> | undefined;
  /**
   * One read of the outbox per scrape, which every gauge of it awaits: prom-client gets every
   * metric at once, so a gauge that did not wait would answer the previous scrape's values.
   */
  const refresh = () => {
    filling ??= fill().finally(() => {
      filling = undefined;
    });
    return filling;
  };
  return {
    registry,
    vote: (format, outcome) => votes.inc({ format, outcome }),
    request: (method, route, status, seconds) =>
      duration.observe(
        { method: METHODS.has(method) ? method : 'other', route, status: String(status) },
        seconds,
      ),
  };
}
