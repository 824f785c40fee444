import type { RecordingServer } from './recording-server';
import { WAIT_MS } from './wait';

/** Every event of one type that bubbled up to the document, in order, until `signal` aborts. */
export function collect<Detail = unknown>(
  type: string,
  signal: AbortSignal,
): CustomEvent<Detail>[] {
  const events: CustomEvent<Detail>[] = [];
  document.addEventListener(type, (event) => events.push(event as CustomEvent<Detail>), {
    signal,
  });
  return events;
}

/**
 * Counts the votes cast in the page, so a test can let their requests arrive and be answered
 * before it closes the server. Closing under a request in flight resets it: the widget retries
 * it at a closed port, and a retry whose timer fires after the test file's environment is gone
 * throws there (`navigator is not defined`), failing the run.
 */
export function countVotes(): {
  readonly cast: number;
  settle(server: RecordingServer): Promise<void>;
  stop(): void;
} {
  let cast = 0;
  const listener = () => {
    cast += 1;
  };
  document.addEventListener('feedback:vote', listener);
  return {
    get cast() {
      return cast;
    },
    async settle(server) {
      await server.waitFor(cast, WAIT_MS);
      await server.quiet();
    },
    stop() {
      document.removeEventListener('feedback:vote', listener);
    },
  };
}

/** A request's JSON body. */
export function bodyOf(request: { body: unknown } | undefined): Record<string, unknown> {
  return (request?.body ?? {}) as Record<string, unknown>;
}
