import type { CollectorConfig } from '../config';
import type { FeedbackRecord } from '../intake/record';
import type { Logger } from '../observe/logger';
import type { Database, Queryable } from '../storage/database';
import { alertDeliveries } from './alert-outbox';
import type { Alert } from './alerts';
import type { Recipient } from './attempt';
import type { Destination } from './destinations';
import { loadForwardFile } from './forward-file';
import { destinationDeliveries, insertDeliveries } from './outbox';
import { startWorker, type Worker } from './worker';

/** Forwarding as the collector uses it: destinations, alerts, the intake hook and the worker. */
export interface Forwarding {
  destinations: Destination[];
  alerts: Alert[];
  /** Every destination's and alert's name, in the file's order: what the outbox reports on. */
  names: string[];
  /** How long a delivery to `name` is tried: `FORWARD_MAX_AGE`, or an alert's `max_age`. */
  maxAgeOf(name: string): number;
  /** For `ingest`: writes the record's deliveries and alerts in its transaction. */
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
  const { destinations, alerts } = config.forwardFile
    ? loadForwardFile(config.forwardFile, env)
    : { destinations: [], alerts: [] };
  // Links in alerts lead to the inbox, when the collector knows where browsers reach it.
  const inbox =
    config.publicOrigin === undefined ? undefined : `${config.publicOrigin}${config.basePath}`;
  const recipients: Recipient[] = [
    ...destinations.map(({ name, headers, secrets }) => ({
      name,
      headers,
      secrets,
      sendsLate: true,
    })),
    ...alerts.map(({ name, headers, secrets, url }) => ({
      name,
      headers,
      secrets,
      url,
      sendsLate: false,
    })),
  ];
  const alertAges = new Map(alerts.map((alert) => [alert.name, alert.maxAgeMs]));
  let worker: Worker | undefined;
  return {
    destinations,
    alerts,
    names: recipients.map((recipient) => recipient.name),
    maxAgeOf: (name) => alertAges.get(name) ?? config.forwardMaxAgeMs,
    async enqueue(tx, record) {
      const deliveries = destinationDeliveries(destinations, record, config.forwardMaxAgeMs);
      if (alerts.length > 0) deliveries.push(...(await alertDeliveries(tx, alerts, record, inbox)));
      await insertDeliveries(tx, deliveries);
    },
    start(db, logger) {
      worker = startWorker(db, { recipients, shared: config.databaseUrl !== undefined, logger });
    },
    stop: () => worker?.stop() ?? Promise.resolve(),
  };
}
