import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CollectorOptions } from '../collector/src/config';
import { signFeedbackToken } from '../collector/src/token';
import { listenCollector, temporaryDir } from '../test/helpers/collector';
import { startTestDatabase } from '../test/helpers/postgres';
import { type Summary, summarize } from './stats';

/** The part of autocannon's API and result this bench uses (the package ships no types). */
export interface AutocannonResult {
  '2xx': number;
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface IngestFigures {
  backend: 'pglite' | 'postgres';
  /** What differs from the plain run: fsync off (the PGlite default before), or signed tokens. */
  variant: 'plain' | 'no-fsync' | 'tokens';
  /** Requests per second, one figure per run. */
  requestsPerSecond: Summary;
  /** 99th percentile latency in ms. */
  p99Ms: Summary;
  /** Answers other than 2xx, plus connection errors and timeouts, over every run: must be 0. */
  failures: number;
  /** Requests answered 2xx, and records the collector holds afterwards: must be equal. */
  acknowledged: number;
  stored: number;
  runs: { requestsPerSecond: number; p99Ms: number; non2xx: number; errors: number }[];
}

// autocannon swaps `[<id>]` for a fresh random id in every request, so no event is a repeat.
export const EVENT = JSON.stringify({
  id: '[<id>]',
  rating: 'down',
  sentiment: 'negative',
  value: -100,
  scale: { min: -100, max: 100 },
  conversation_id: 'bench',
  reason: 'Wrong',
  comment: 'Too vague',
  page_url: 'https://help.example.com/articles/42',
  locale: 'en',
  created_at: '2026-11-21T10:00:00.000Z',
});

const SECRET = 'bench-secret-'.padEnd(40, '0');

async function measureBackend(
  backend: IngestFigures['backend'],
  variant: IngestFigures['variant'],
  storage: CollectorOptions,
  options: { runs: number; seconds: number; connections: number },
): Promise<IngestFigures> {
  const collector = await listenCollector({
    ...storage,
    port: 0,
    rateLimit: 0,
    durable: variant !== 'no-fsync',
    ...(variant === 'tokens' ? { feedbackSecret: SECRET } : {}),
  });
  // One token for every request: the check (an HMAC and the claims) is the same work per vote.
  const token = await signFeedbackToken({ conversation_id: 'bench' }, SECRET);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (variant === 'tokens') headers.Authorization = `Bearer ${token}`;
  const runs: IngestFigures['runs'] = [];
  let acknowledged = 0;
  let stored = 0;
  try {
    for (let run = 0; run < options.runs; run++) {
      const result = await autocannon({
        url: `${collector.url}api/feedback`,
        connections: options.connections,
        duration: options.seconds,
        idReplacement: true,
        requests: [
          {
            method: 'POST',
            headers,
            body: EVENT,
          },
        ],
      });
      acknowledged += result['2xx'];
      runs.push({
        requestsPerSecond: result.requests.average,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
      });
    }
    const list = await fetch(`${collector.url}api/feedback?conversation_id=bench&limit=1`);
    stored = ((await list.json()) as { total: number }).total;
  } finally {
    await collector.close();
  }
  return {
    backend,
    variant,
    requestsPerSecond: summarize(runs.map((run) => run.requestsPerSecond)),
    p99Ms: summarize(runs.map((run) => run.p99Ms)),
    failures: runs.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
    acknowledged,
    stored,
    runs,
  };
}

/**
 * Drives `POST /api/feedback` of an in-process collector (rate limit off) with autocannon, on
 * PGlite in a temporary directory and on a fresh PostgreSQL database, `runs` × `seconds` each:
 * plain, with signed tokens required, and on PGlite also with fsync off (as before issue 9).
 *
 * @example
 * const figures = await measureIngest({ runs: 3, seconds: 5, connections: 10 });
 */
export async function measureIngest(options: {
  runs: number;
  seconds: number;
  connections: number;
}): Promise<IngestFigures[]> {
  const figures: IngestFigures[] = [];
  for (const variant of ['plain', 'no-fsync', 'tokens'] as const) {
    const dataDir = temporaryDir();
    try {
      figures.push(await measureBackend('pglite', variant, { dataDir }, options));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  for (const variant of ['plain', 'tokens'] as const) {
    const database = await startTestDatabase();
    try {
      figures.push(
        await measureBackend('postgres', variant, { databaseUrl: database.url }, options),
      );
    } finally {
      await database.stop();
    }
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measureIngest({ runs: 3, seconds: 5, connections: 10 });
  for (const { backend, variant, requestsPerSecond: rps, p99Ms: p99, ...counts } of figures) {
    console.log(
      `${backend} ${variant}: ${rps.median.toFixed(0)} req/s [${rps.min.toFixed(0)}–${rps.max.toFixed(0)}], ` +
        `p99 ${p99.median} ms [${p99.min}–${p99.max}], failures ${counts.failures}, ` +
        `acknowledged ${counts.acknowledged}, stored ${counts.stored}`,
    );
  }
}
