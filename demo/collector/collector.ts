import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CollectorOptions, resolveCollectorConfig } from './config';
import { createOriginPolicy } from './cors';
import { openDatabase } from './database';
import { loadForwarding } from './forward/forwarding';
import { migrate } from './migrate';
import { createRateLimit } from './rate-limit';
import { createRouter } from './routes';
import { handle } from './server';

export interface Collector {
  /** `http://HOST:PORT/` */
  url: string;
  /** Stops accepting, lets every request in flight finish, then closes the database. */
  close(): Promise<void>;
}

/**
 * Starts the bundled collector: opens (and migrates) the database, then listens.
 *
 * @example
 * const collector = await createCollector({ port: 0, dataDir: '/tmp/votes' });
 * await fetch(`${collector.url}api/feedback`);
 * await collector.close();
 */
export async function createCollector(options: CollectorOptions = {}): Promise<Collector> {
  const config = resolveCollectorConfig(options);
  const forwarding = loadForwarding(config, process.env);
  const db = await openDatabase(config);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const inFlight = new Set<Promise<void>>();
  let closing = false;
  const rateLimit = createRateLimit(config.rateLimit);
  const dispatch = {
    router: createRouter(db, config, forwarding),
    originPolicy: createOriginPolicy(config.allowedOrigins),
    rateLimit,
    closing: () => closing,
  };
  const server = createServer((request, response) => {
    const done = handle(request, response, dispatch)
      .catch((error) => {
        console.error('Writing a response failed:', error);
        response.destroy();
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  forwarding.start(db);
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closed: Promise<void> | undefined;
  const close = async () => {
    closing = true;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    server.closeAllConnections();
    await stopped;
    rateLimit.stop();
    await forwarding.stop();
    await db.close();
  };
  return {
    url: `http://${host}:${port}/`,
    close: () => {
      closed ??= close();
      return closed;
    },
  };
}
