import type { CollectorConfig } from '../config';
import { pruneIdempotencyKeys } from '../intake/ingest';
import type { Logger } from '../observe/logger';
import type { Database } from '../storage/database';
import { redactStored } from './backfill';
import { type Rest, restAsLongAsWorked } from './pace';
import { DELETE_BATCH, deleteRecords, deleteSubjectAlerts } from './records';

/** Any fixed number: it names the lock that lets one collector on a database keep house. */
export const HOUSEKEEPING_LOCK = 8_787_016;
const EVERY_MS = 3_600_000;
const VOTERS_EVERY_MIN_MS = 60_000;
/** How often PGlite is vacuumed and checkpointed (`Database.maintain`). */
export const MAINTAIN_EVERY_MS = 60_000;
const DAY_MS = 86_400_000;

type HousekeepingConfig = Pick<CollectorConfig, 'retentionDays' | 'voteWindowMs' | 'redact'>;

export interface Housekeeping {
  /** Stops the timer and waits for a run in progress to finish its batch. */
  stop(): Promise<void>;
}

/** Erases the voter of every vote whose `VOTE_WINDOW` has passed (SPEC §13), in batches. */
async function forgetVoters(
  db: Database,
  windowMs: number,
  now: Date,
  signal: AbortSignal,
  rest: Rest,
) {
  if (windowMs === Number.POSITIVE_INFINITY) return 0;
  const before = new Date(now.getTime() - windowMs).toISOString();
  let total = 0;
  while (!signal.aborted) {
    const [row] = await db.query<{ forgotten: number }>(
      `WITH stale AS (
         SELECT id FROM feedback WHERE voter IS NOT NULL AND received_at <= $1::timestamptz
         LIMIT ${DELETE_BATCH} FOR UPDATE SKIP LOCKED),
       done AS (UPDATE feedback SET voter = NULL WHERE id IN (SELECT id FROM stale) RETURNING 1)
       SELECT count(*)::int AS forgotten FROM done`,
      [before],
    );
    total += row?.forgotten ?? 0;
    if ((row?.forgotten ?? 0) < DELETE_BATCH) break;
    await rest();
  }
  return total;
}

/**
 * Keeps house at start-up and hourly, one collector per database at a time: forgets voters past
 * `VOTE_WINDOW` (more often when the window is shorter than an hour), prunes idempotency keys,
 * redacts records stored before `REDACT` applied to them, and with `RETENTION` deletes the
 * records received longer ago (SPEC §13), logging how many. Between two batches it rests as long
 * as the batch took, leaving intake at least half of the database. On PGlite it also vacuums and
 * checkpoints every minute, and with the planner's statistics after each whole round. Ages are measured on `clock`, the
 * one that dates what the collector receives.
 */
export function startHousekeeping(
  db: Database,
  config: HousekeepingConfig,
  logger: Logger,
  clock: () => Date,
): Housekeeping {
  const stopping = new AbortController();
  const { signal } = stopping;
  /** The whole round, or (`votersOnly`) the voters past their window alone. */
  async function run(votersOnly: boolean) {
    const ran = await db.exclusively(HOUSEKEEPING_LOCK, async () => {
      await round(votersOnly);
      return true;
    });
    if (ran === undefined) logger.debug('Another collector is keeping house on this database.');
    // After a whole round (a purge or a backfill may have left many dead rows), with statistics.
    else if (!votersOnly) await maintain(true);
  }
  /** One round of keeping house, under the lock. */
  async function round(votersOnly: boolean) {
    const now = clock();
    const rest = restAsLongAsWorked(signal);
    const forgotten = await forgetVoters(db, config.voteWindowMs, now, signal, rest);
    if (forgotten > 0) {
      logger.info({ forgotten }, `Forgot the voters of ${forgotten} votes past VOTE_WINDOW.`);
    }
    if (votersOnly) return;
    await pruneIdempotencyKeys(db);
    const kinds = config.redact.join(',');
    const redacting = performance.now();
    // A failure here must not keep RETENTION from deleting what it should.
    const redacted = await redactStored(db, config.redact, signal, rest).catch((error) => {
      logger.error({ err: error }, `REDACT ${kinds}: redacting stored records failed.`);
      return 0;
    });
    if (redacted > 0) {
      logger.info(
        { redacted, ms: Math.round(performance.now() - redacting) },
        `REDACT ${kinds}: went through ${redacted} records stored before it applied to them.`,
      );
    }
    const days = config.retentionDays;
    if (days === undefined || signal.aborted) return;
    const started = performance.now();
    const before = new Date(now.getTime() - days * DAY_MS).toISOString();
    const deleted = await deleteRecords(db, 'received_at < $1::timestamptz', [before], {
      signal,
      rest,
    });
    const { alerts, subjects } = await deleteSubjectAlerts(db, before, signal, rest);
    logger.info(
      {
        deleted,
        alerts,
        subjects,
        retention_days: days,
        ms: Math.round(performance.now() - started),
      },
      `RETENTION ${days}d: deleted ${deleted} records received before ${before}, with their deliveries, and ${alerts} down_rate alerts sent before it with ${subjects} subjects they fired for.`,
    );
  }
  /** PGlite's vacuum and checkpoint; a run still going when the next is due skips that one. */
  let maintaining: Promise<void> | undefined;
  function maintain(analyze: boolean) {
    if (db.maintain === undefined || maintaining || signal.aborted) return maintaining;
    const started = performance.now();
    maintaining = db
      .maintain(analyze)
      .then(
        () => {
          const ms = Math.round(performance.now() - started);
          logger.debug({ ms, analyze }, 'Vacuumed and checkpointed the embedded database.');
        },
        (error) => {
          if (!signal.aborted) {
            logger.warn(
              { err: error },
              'Vacuuming the embedded database failed; it is tried again.',
            );
          }
        },
      )
      .finally(() => {
        maintaining = undefined;
      });
    return maintaining;
  }
  let running: Promise<void> = Promise.resolve();
  const next = (votersOnly: boolean) => () => {
    running = running
      .then(() => run(votersOnly))
      .catch((error) => {
        if (!signal.aborted)
          logger.error({ err: error }, 'Housekeeping failed; it runs again within an hour.');
      });
  };
  next(false)();
  const timers = [setInterval(next(false), EVERY_MS)];
  if (db.maintain !== undefined)
    timers.push(setInterval(() => void maintain(false), MAINTAIN_EVERY_MS));
  // A window shorter than the hour: its voters are forgotten within a quarter of it after it
  // passes (a minute at the soonest), not up to an hour later.
  const votersEvery = Math.max(VOTERS_EVERY_MIN_MS, config.voteWindowMs / 4);
  if (config.voteWindowMs > 0 && votersEvery < EVERY_MS) {
    timers.push(setInterval(next(true), votersEvery));
  }
  for (const timer of timers) timer.unref();
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      stopping.abort();
      await running;
      await maintaining;
    },
  };
}
