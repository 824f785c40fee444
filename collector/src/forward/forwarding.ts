import { type CollectorConfig, type Naming, namer } from '../config';
import type { StoreParts } from '../intake/ingest';
import type { FeedbackRecord } from '../intake/record';
import type { Logger } from '../observe/logger';
import type { Database } from '../storage/database';
import { commentAlertDeliveries, downRateCounts } from './alert-outbox';
import type { Alert, DownRateAlert } from './alerts';
import type { Recipient } from './attempt';
import type { Destination } from './destinations';
import { loadForwardFile } from './forward-file';
import { destinationDeliveries, type NewDelivery } from './outbox';
import { startWorker, type Worker } from './worker';

/** Forwarding as the collector uses it: destinations, alerts, the intake hook and the worker. */
export interface Forwarding {
  destinations: Destination[];
  alerts: Alert[];
  /** Every destination's and alert's name, in the file's order: what the outbox reports on. */
  names: string[];
  /** The setting that names them, as its reader spells it: `forwardFile` or `FORWARD_FILE`. */
  setting: string;
  /** How long a delivery to `name` is tried: `FORWARD_MAX_AGE`, or an alert's `max_age`. */
  maxAgeOf(name: string): number;
  /**
   * For `ingest`: the record's deliveries known from it alone (to destinations, comment alerts),
   * written in the statement that stores it.
   */
  deliveriesOf(record: FeedbackRecord): NewDelivery[];
  /** For `ingest`, only when down_rate alerts are configured: their counts at each vote. */
  counts?: StoreParts;
  /** Starts sending (`ROLE` all or forwarder); until then deliveries only accumulate. */
  start(db: Database, logger: Logger): void;
  stop(): Promise<void>;
}

/**
 * Reads `FORWARD_FILE` (with `${NAME}` from `env`) before anything else starts, so a bad file
 * stops the collector at once with a message naming it, as `naming` says: `forwardFile` for a
 * caller of `createCollector`, `FORWARD_FILE` for the bin.
 */
export function loadForwarding(
  config: CollectorConfig,
  env: NodeJS.ProcessEnv,
  naming: Naming,
): Forwarding {
  const setting = namer(naming)('forwardFile');
  const { destinations, alerts } = config.forwardFile
    ? loadForwardFile(config.forwardFile, env, setting)
    : { destinations: [], alerts: [] };
  // Links in alerts lead to the inbox, when the collector knows where browsers reach it.
  const inbox =
    config.publicOrigin === undefined ? undefined : `${config.publicOrigin}${config.basePath}`;
  const recipients: Recipient[] = [
    ...destinations.map(({ name, headers, secrets, variables }) => ({
      name,
      headers,
      secrets,
      variables,
      sendsLate: true,
    })),
    ...alerts.map(({ name, headers, secrets, variables }) => ({
      name,
      headers,
      secrets,
      variables,
      sendsLate: false,
    })),
  ];
  const downRates = alerts.filter((alert): alert is DownRateAlert => alert.when === 'down_rate');
  const alertAges = new Map(alerts.map((alert) => [alert.name, alert.maxAgeMs]));
  const names = recipients.map((recipient) => recipient.name);
  let worker: Worker | undefined;
  return {
    destinations,
    alerts,
    names,
    setting,
    maxAgeOf: (name) => alertAges.get(name) ?? config.forwardMaxAgeMs,
    deliveriesOf: (record) => [
      ...destinationDeliveries(destinations, record, config.forwardMaxAgeMs),
      ...commentAlertDeliveries(alerts, record, inbox),
    ],
    ...(downRates.length > 0 ? { counts: downRateCounts(downRates, inbox) } : {}),
    start(db, logger) {
      worker = startWorker(db, { recipients, shared: config.databaseUrl !== undefined, logger });
      void reportUnsendable(db, names, setting, logger);
    },
    stop: () => worker?.stop() ?? Promise.resolve(),
  };
}

/**
 * Says, once at start-up, which deliveries wait for a name `setting` no longer holds (a
 * destination renamed or removed): nothing sends them, and `/api/deliveries/stats` lists only
 * the names configured. A database out of reach now is the worker's to report.
 */
async function reportUnsendable(
  db: Database,
  names: string[],
  setting: string,
  logger: Logger,
): Promise<void> {
  const rows = await db
    .query<{ destination: string; pending: number }>(
      `SELECT destination, count(*)::int AS pending FROM deliveries
       WHERE status = 'pending' AND NOT (destination = ANY($1::text[]))
       GROUP BY destination ORDER BY destination`,
      [names],
    )
    .catch(() => []);
  for (const { destination, pending } of rows) {
    logger.warn(
      { destination, pending },
      `deliveries wait for a destination ${setting} no longer names: none is sent until it names it again`,
    );
  }
}
