import { setTimeout as sleep } from 'node:timers/promises';

/** Awaited by housekeeping between two batches; resolves at once once its signal aborts. */
export type Rest = () => Promise<void>;

/** For the batches that go on back to back where nothing waits for them: no rest. */
export const noRest: Rest = async () => {};

/**
 * Housekeeping's pace: after each batch it rests as long as the batch took since the last rest,
 * so it holds the database (and PGlite's one connection) at most half the time and intake
 * beside a purge or a REDACT backfill keeps the rest. A round takes about twice as long.
 */
export function restAsLongAsWorked(signal: AbortSignal): Rest {
  let since = performance.now();
  return async () => {
    const worked = performance.now() - since;
    await sleep(worked, undefined, { signal }).catch(() => {});
    since = performance.now();
  };
}
