import { setMaxListeners } from 'node:events';
import type { Logger } from '../observe/logger';
import type { Database, Queryable } from '../storage/database';
import { attempt, type Recipient, TIMEOUT_MS } from './attempt';
import { type Claimed, due, type Settled } from './outbox';
import { settle, settleLeased } from './settle';

export interface WorkerOptions {
  /** The destinations and alerts this collector sends to; it never touches another's rows. */
  recipients: Recipient[];
  /**
   * PostgreSQL: several loops, each claiming its rows with `FOR UPDATE SKIP LOCKED` in a
   * transaction held until the batch is settled, so other collectors on the same database skip
   * them and a collector killed mid-way releases them at once. PGlite belongs to one process:
   * one loop, and no transaction held across the network (it would block every other query).
   */
  shared: boolean;
  logger: Logger;
}

export interface Worker {
  /**
   * Stops claiming, aborts the attempts in flight and waits for the loops and for what they
   * write. What was in flight is left pending: due at once, or once its lease has run out.
   */
  stop(): Promise<void>;
}

const BATCH = 100;
/** Batches under way at once. */
const LOOPS = 3;
/** How long an idle loop waits before looking for due deliveries again. */
const POLL_MS = 100;
/**
 * After `failures` batches failed in a row (the database restarting or out of reach), a loop
 * waits 200 ms doubling to 30 s, so it neither hammers the database nor fills the log.
 */
const backoffMs = (failures: number) => Math.min(30_000, POLL_MS * 2 ** failures);
/**
 * How long a batch waits for its answers before it is written back: one vendor that hangs must
 * not hold back the other vendors' deliveries, the retries due meanwhile, or (on PostgreSQL) the
 * claimed rows' locks for the 10 s of its timeout. Vendors answer well within it, so a batch is
 * still written back in one statement.
 */
const PATIENCE_MS = 1_000;
/** A straggler's lease outlasts its attempt's timeout, with time for its own write to land. */
const LEASE_MS = TIMEOUT_MS + 5_000;
/**
 * Attempts one collector keeps open to one destination; past it, the destination is not claimed
 * from until some end, so a vendor that hangs cannot take every socket.
 */
const MAX_IN_FLIGHT = BATCH * LOOPS;

/** One attempt of a batch. */
interface Sending {
  delivery: Claimed;
  done: Promise<Settled | undefined>;
  /** Set once the attempt has ended; without an outcome, its row is left as it is. */
  ended?: { outcome: Settled | undefined };
}

/** A batch written back: its size, and the attempts still in flight, leased until `until`. */
interface Sent {
  count: number;
  stragglers: Sending[];
  until: Date;
}

/** Resolves once every attempt has ended, or `PATIENCE_MS` after they started. */
function patience(sendings: Sending[]): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, PATIENCE_MS);
    Promise.all(sendings.map((sending) => sending.done)).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Status only: the answer's body may echo what was sent, and it is kept in the row. */
function reportFailure(logger: Logger, delivery: Claimed, outcome: Settled) {
  logger.warn(
    {
      delivery: delivery.id,
      destination: delivery.destination,
      ...(outcome.last_status === null ? {} : { status: outcome.last_status }),
    },
    'delivery failed',
  );
}

/** Sends due deliveries until stopped (SPEC §11). */
export function startWorker(db: Database, options: WorkerOptions): Worker {
  const { logger } = options;
  const byName = new Map(options.recipients.map((recipient) => [recipient.name, recipient]));
  const stopping = new AbortController();
  /** One signal per batch, which goes once its attempts have ended: each listens to it. */
  const batches = new Set<AbortController>();
  stopping.signal.addEventListener('abort', () => {
    for (const controller of batches) controller.abort();
  });
  const sleepers = new Set<() => void>();
  const inFlight = new Map<string, number>();
  /** The writes of stragglers' outcomes, which stop() waits for. */
  const writing = new Set<Promise<void>>();
  /**
   * Without row locks (PGlite) the loops claim one after the other, each leaving out what the
   * others are sending and have not written back yet; so one vendor that hangs, holding its
   * batch for `PATIENCE_MS`, does not hold back every delivery behind it. There the first loop
   * alone claims while batches end quickly (each claim and write-back takes PGlite's one
   * connection from intake); the others only while a batch has waited longer than `POLL_MS`.
   */
  const unwritten = new Set<string>();
  const waiting = new Set<{ since: number }>();
  const stalled = () => [...waiting].some(({ since }) => performance.now() - since > POLL_MS);
  let claiming: Promise<unknown> = Promise.resolve();
  function claim(tx: Queryable, names: string[]): Promise<Claimed[]> {
    if (options.shared) return due(tx, new Date(), BATCH, names, true);
    const claimed = claiming.then(async () => {
      const rows = await due(tx, new Date(), BATCH, names, false, [...unwritten]);
      for (const row of rows) unwritten.add(row.id);
      return rows;
    });
    claiming = claimed.catch(() => undefined);
    return claimed;
  }

  function send(delivery: Claimed, signal: AbortSignal): Sending {
    const { destination } = delivery;
    inFlight.set(destination, (inFlight.get(destination) ?? 0) + 1);
    const sending: Sending = {
      delivery,
      done: attempt(delivery, byName.get(destination) as Recipient, signal, Math.random)
        .catch((error) => {
          logger.error({ err: error, delivery: delivery.id, destination }, 'an attempt failed');
          return undefined;
        })
        .then((outcome) => {
          inFlight.set(destination, (inFlight.get(destination) ?? 1) - 1);
          sending.ended = { outcome };
          if (outcome?.status === 'failed') reportFailure(logger, delivery, outcome);
          return outcome;
        }),
    };
    return sending;
  }

  /**
   * Claims due deliveries and sends them; once every attempt has ended or `PATIENCE_MS` passed,
   * writes back in one statement what ended and leases what is still in flight.
   */
  async function batch(tx: Queryable, controller: AbortController): Promise<Sent> {
    const names = [...byName.keys()].filter((name) => (inFlight.get(name) ?? 0) < MAX_IN_FLIGHT);
    const claimed = names.length === 0 ? [] : await claim(tx, names);
    const sendings = claimed.map((delivery) => send(delivery, controller.signal));
    Promise.all(sendings.map((sending) => sending.done)).then(() => batches.delete(controller));
    const wait = { since: performance.now() };
    waiting.add(wait);
    await patience(sendings);
    waiting.delete(wait);
    const stragglers = sendings.filter((sending) => sending.ended === undefined);
    const until = new Date(Date.now() + LEASE_MS);
    try {
      await settle(
        tx,
        sendings.flatMap((sending) => sending.ended?.outcome ?? []),
        stragglers.map((sending) => sending.delivery.id),
        until,
        new Date(),
      );
    } catch (error) {
      // Nothing written: every one of them is due again.
      for (const { delivery } of sendings) unwritten.delete(delivery.id);
      throw error;
    }
    for (const { delivery, ended } of sendings) if (ended) unwritten.delete(delivery.id);
    return { count: claimed.length, stragglers, until };
  }

  /**
   * Writes a straggler's outcome once it has one; called once its lease is committed. One the
   * collector stopped keeps its lease, and is sent again once the lease has run out.
   */
  function follow({ delivery, done }: Sending, until: Date) {
    const lease = { id: delivery.id, attempts: delivery.attempts, until };
    const written = done
      .then((outcome) => outcome && settleLeased(db, lease, outcome, new Date()))
      .catch((error) => {
        logger.error(
          { err: error, delivery: delivery.id, destination: delivery.destination },
          'a delivery’s outcome was not written; it is sent again once its lease ends',
        );
      })
      .finally(() => {
        writing.delete(written);
        unwritten.delete(delivery.id);
      });
    writing.add(written);
  }

  async function loop(index: number) {
    /** Batches failed in a row: the database out of reach is asked again less and less often. */
    let failures = 0;
    while (!stopping.signal.aborted) {
      if (!options.shared && index > 0 && !stalled()) {
        await rest(POLL_MS);
        continue;
      }
      const controller = new AbortController();
      setMaxListeners(BATCH * 2, controller.signal);
      batches.add(controller);
      let count = 0;
      try {
        const sent = options.shared
          ? await db.transaction((tx) => batch(tx, controller))
          : await batch(db, controller);
        count = sent.count;
        failures = 0;
        for (const straggler of sent.stragglers) follow(straggler, sent.until);
      } catch (error) {
        // Nothing of the batch was written: its deliveries are due again, so none stays in flight.
        controller.abort();
        batches.delete(controller);
        if (stopping.signal.aborted) return;
        failures++;
        logger.error(
          { err: error, failures, retry_ms: backoffMs(failures) },
          'a batch of deliveries failed and will be retried',
        );
      }
      if (count < BATCH || failures) await rest(failures ? backoffMs(failures) : POLL_MS);
    }
  }

  /** Waits `ms`, or until stopped. */
  function rest(ms: number): Promise<void> {
    if (stopping.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  }

  const loops =
    options.recipients.length === 0 ? [] : Array.from({ length: LOOPS }, (_, index) => loop(index));
  return {
    async stop() {
      stopping.abort();
      for (const wake of [...sleepers]) wake();
      await Promise.all(loops);
      await Promise.all(writing);
    },
  };
}
