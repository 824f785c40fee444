import type { CollectorConfig } from '../config';
import type { FeedbackRecord } from '../intake/record';
import type { Logger } from '../observe/logger';
import type { Database, Queryable } from '../storage/database';
import { type Destination, loadDestinations } from './destinations';
import { enqueue } from './outbox';
import { startWorker, type Worker } from './worker';

/** Forwarding as the collector uses it: destinations, the intake hook and the worker. */
export interface Forwarding {
  destinations: Destination[];
  maxAgeMs: number;
  /** For `ingest`: writes the record's deliveries in its transaction. */
  enqueue(tx: Queryable, record: FeedbackRecord): Promise<void>;
  /** Starts sending (`ROLE` all or forwarder); until then deliveries only accumulate. */
  start(db: Database, logger: Logger): void;
  stop(): Promise<void>;
}

/**
 * Reads `FORWARD_FILE` (with `${NAME}` from `env`) before anything else starts, so a bad file
 * stops the collector at once with a message naming it.
 */
export function loadForwarding(config: CollectorConfig, env: NodeJS.ProcessEnv): Forwarding {
  const destinations = config.forwardFile ? loadDestinations(config.forwardFile, env) : [];
  let worker: Worker | undefined;
  return {
    destinations,
    maxAgeMs: config.forwardMaxAgeMs,
    enqueue: (tx, record) => enqueue(tx, destinations, record, config.forwardMaxAgeMs),
    start(db, logger) {
      worker = startWorker(db, {
        destinations,
        shared: config.databaseUrl !== undefined,
        logger,
      });
    },
    stop: () => worker?.stop() ?? Promise.resolve(),
  };
}
