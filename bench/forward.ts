import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CollectorOptions } from '../collector/src/config';
import { type Collector, listenCollector, temporaryDir } from '../test/helpers/collector';
import { startTestDatabase } from '../test/helpers/postgres';
import { autocannon, EVENT } from './ingest';

export interface ForwardFigures {
  backend: 'pglite' | 'postgres';
  /** `POST /api/feedback` per second without a FORWARD_FILE. */
  ingestOff: number;
  /** The same with one destination, the worker sending to a local fake vendor meanwhile. */
  ingestOn: number;
  /** Deliveries per second while working off a backlog of `backlog` deliveries. */
  deliveriesPerSecond: number;
  backlog: number;
  /** After the ingest run with forwarding on: how long until every delivery was made. */
  lagMs: number;
  /** Votes stored and deliveries made in the ingest-on run: must be equal. */
  stored: number;
  delivered: number;
}

/**
 * A vendor on 127.0.0.1 in a thread of its own (a real vendor is another machine, so its work
 * must not be counted as the collector's): answers 201 at once, or holds every answer while
 * told to.
 */
const VENDOR = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
const held = [];
let hold = false;
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (hold) held.push(response);
    else response.writeHead(201, { 'Content-Type': 'application/json' }).end('{}');
  });
});
parentPort.on('message', (message) => {
  hold = message === 'hold';
  if (!hold) for (const response of held.splice(0)) response.writeHead(201).end('{}');
  parentPort.postMessage('done');
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

/** The fake vendor, in a thread of its own; other sections post alerts to it too. */
export async function startVendor() {
  const thread = new Worker(VENDOR, { eval: true });
  const reply = () => new Promise<unknown>((resolve) => thread.once('message', resolve));
  const port = await reply();
  const tell = async (message: string) => {
    const done = reply();
    thread.postMessage(message);
    await done;
  };
  return {
    url: `http://127.0.0.1:${port}/api/public/scores`,
    hold: () => tell('hold'),
    release: () => tell('release'),
    close: () => thread.terminate(),
  };
}

async function ingest(collector: Collector, seconds: number, amount?: number) {
  const result = await autocannon({
    url: `${collector.url}api/feedback`,
    connections: 10,
    ...(amount === undefined ? { duration: seconds } : { amount }),
    idReplacement: true,
    requests: [{ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: EVENT }],
  });
  return result.requests.average;
}

async function counts(collector: Collector) {
  const response = await fetch(`${collector.url}api/deliveries/stats`);
  const { destinations } = (await response.json()) as {
    destinations: { pending: number; delivered: number; failed: number }[];
  };
  return destinations[0] as { pending: number; delivered: number; failed: number };
}

async function drained(collector: Collector, timeoutMs = 120_000) {
  const began = Date.now();
  for (;;) {
    const now = await counts(collector);
    if (now.pending === 0) return { ...now, ms: Date.now() - began };
    if (Date.now() - began > timeoutMs) throw new Error(`${now.pending} deliveries still pending`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function measureBackend(
  backend: ForwardFigures['backend'],
  storage: () => CollectorOptions,
  seconds: number,
): Promise<ForwardFigures> {
  const vendor = await startVendor();
  const dir = temporaryDir();
  const forwardFile = join(dir, 'forward.json');
  writeFileSync(
    forwardFile,
    JSON.stringify({ destinations: [{ name: 'bench', format: 'event', url: vendor.url }] }),
  );
  try {
    const off = await listenCollector({ ...storage(), rateLimit: 0 });
    const ingestOff = await ingest(off, seconds).finally(() => off.close());

    const on = await listenCollector({ ...storage(), rateLimit: 0, forwardFile });
    try {
      const ingestOn = await ingest(on, seconds);
      const { delivered, ms: lagMs } = await drained(on);
      const list = await fetch(`${on.url}api/feedback?conversation_id=bench&limit=1`);
      const { total: stored } = (await list.json()) as { total: number };

      await vendor.hold();
      const backlogVotes = backend === 'postgres' ? 10_000 : 3_000;
      await ingest(on, seconds, backlogVotes);
      const before = await counts(on);
      const began = Date.now();
      await vendor.release();
      const after = await drained(on);
      const backlog = after.delivered - before.delivered;
      return {
        backend,
        ingestOff,
        ingestOn,
        deliveriesPerSecond: backlog / ((Date.now() - began) / 1000),
        backlog,
        lagMs,
        stored,
        delivered,
      };
    } finally {
      await on.close();
    }
  } finally {
    await vendor.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Forwarding against a local fake vendor, on PGlite and on PostgreSQL: the ingest rate with
 * forwarding off and on (autocannon, 10 connections, `seconds` each, on fresh storage), how long
 * the deliveries trail the votes, and the rate at which a backlog is worked off.
 */
export async function measureForward(seconds: number): Promise<ForwardFigures[]> {
  const dirs: string[] = [];
  const figures: ForwardFigures[] = [];
  try {
    figures.push(
      await measureBackend(
        'pglite',
        () => {
          const dataDir = temporaryDir();
          dirs.push(dataDir);
          return { dataDir };
        },
        seconds,
      ),
    );
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  const off = await startTestDatabase();
  const on = await startTestDatabase();
  try {
    const urls = [off.url, on.url];
    figures.push(
      await measureBackend('postgres', () => ({ databaseUrl: urls.shift() ?? on.url }), seconds),
    );
  } finally {
    await off.stop();
    await on.stop();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const item of await measureForward(5)) {
    console.log(
      `${item.backend}: ingest ${item.ingestOff.toFixed(0)} req/s off, ${item.ingestOn.toFixed(0)} on; ` +
        `${item.deliveriesPerSecond.toFixed(0)} deliveries/s over a backlog of ${item.backlog}; ` +
        `lag ${item.lagMs} ms; stored ${item.stored}, delivered ${item.delivered}`,
    );
  }
}
