import { setMaxListeners } from 'node:events';
import type { Logger } from '../observe/logger';
import type { Database, Queryable } from '../storage/database';
import { attempt, type Recipient } from './attempt';
import { due, type Settled, settle } from './outbox';

export interface WorkerOptions {
  /** The destinations and alerts this collector sends to; it never touches another's rows. */
  recipients: Recipient[];
  /**
   * PostgreSQL: several loops, each claiming its rows with `FOR UPDATE SKIP LOCKED` in a
   * transaction held while they are sent, so other collectors on the same database skip them and
   * a collector killed mid-way releases them at once. PGlite belongs to one process: one loop,
   * and no transaction held across the network (it would block every other query).
   */
  shared: boolean;
  logger: Logger;
}

export interface Worker {
  /** Stops claiming, aborts the attempts in flight (left pending) and waits for the loops. */
  stop(): Promise<void>;
}

const BATCH = 100;
const SHARED_LOOPS = 3;
/** How long an idle loop waits before looking for due deliveries again. */
const POLL_MS = 100;

/** Sends due deliveries until stopped (SPEC §11). */
export function startWorker(db: Database, options: WorkerOptions): Worker {
  const byName = new Map(options.recipients.map((recipient) => [recipient.name, recipient]));
  const stopping = new AbortController();
  /** One signal per batch, which goes with it: each attempt in flight listens to it. */
  const batches = new Set<AbortController>();
  stopping.signal.addEventListener('abort', () => {
    for (const controller of batches) controller.abort();
  });
  const sleepers = new Set<() => void>();

  /** Claims and sends one batch; resolves with how many were due. */
  async function batch(tx: Queryable): Promise<number> {
    const claimed = await due(tx, new Date(), BATCH, [...byName.keys()], options.shared);
    const controller = new AbortController();
    setMaxListeners(BATCH * 2, controller.signal);
    batches.add(controller);
    if (stopping.signal.aborted) controller.abort();
    const outcomes = await Promise.all(
      claimed.map((delivery) =>
        attempt(
          delivery,
          byName.get(delivery.destination) as Recipient,
          controller.signal,
          Math.random,
        ),
      ),
    ).finally(() => batches.delete(controller));
    const settled = outcomes.filter((outcome): outcome is Settled => outcome !== undefined);
    await settle(tx, settled, new Date());
    claimed.forEach((delivery, index) => {
      const outcome = outcomes[index];
      if (outcome?.status !== 'failed') return;
      // Status only: the answer's body may echo what was sent, and it is kept in the row.
      options.logger.warn(
        {
          delivery: delivery.id,
          destination: delivery.destination,
          ...(outcome.last_status === null ? {} : { status: outcome.last_status }),
        },
        'delivery failed',
      );
    });
    return claimed.length;
  }

  async function loop() {
    while (!stopping.signal.aborted) {
      let count = 0;
      try {
        count = options.shared ? await db.transaction(batch) : await batch(db);
      } catch (error) {
        if (stopping.signal.aborted) return;
        options.logger.error({ err: error }, 'a batch of deliveries failed and will be retried');
      }
      if (count < BATCH && !stopping.signal.aborted) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            sleepers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, POLL_MS);
          sleepers.add(wake);
        });
      }
    }
  }

  const loops =
    options.recipients.length === 0
      ? []
      : Array.from({ length: options.shared ? SHARED_LOOPS : 1 }, loop);
  return {
    async stop() {
      stopping.abort();
      for (const wake of [...sleepers]) wake();
      await Promise.all(loops);
    },
  };
}
