import { createRequire } from 'node:module';
import { listenCollector, send } from '../test/helpers/collector';
import { startTestDatabase } from '../test/helpers/postgres';
import { seedDatabase } from './inbox-seed';
import { type Row, row } from './stats';

interface AutocannonResult {
  '2xx': number;
  non2xx: number;
}
type Autocannon = ((options: Record<string, unknown>) => Promise<AutocannonResult>) & {
  track?: unknown;
};
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

async function timed(url: string, times: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    const response = await send(url);
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b);
}

async function postLatencies(url: string, times: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    const response = await send(url, {
      body: { conversation_id: `reads-${i}`, sentiment: 'positive' },
    });
    if (response.status !== 201) throw new Error(`a vote answered ${response.status}`);
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b);
}

/**
 * Stats latency with `votes` stored on PostgreSQL (p50 and p95 of sequential requests, each
 * run), and vote latency alone against vote latency under 1,000 concurrent stats requests.
 */
export async function measureReads(runs: number, votes = 1_000_000): Promise<Row[]> {
  const database = await startTestDatabase();
  const collector = await listenCollector({ databaseUrl: database.url, rateLimit: 0 });
  try {
    await seedDatabase(database.url, votes);
    const stats = `${collector.url}api/feedback/stats`;
    const p50: number[] = [];
    const p95: number[] = [];
    for (let run = 0; run < runs; run++) {
      const ms = await timed(stats, 10);
      p50.push(percentile(ms, 50));
      p95.push(percentile(ms, 95));
    }
    const alone: number[] = [];
    const flooded: number[] = [];
    for (let run = 0; run < runs; run++) {
      alone.push(percentile(await postLatencies(`${collector.url}api/sentiment`, 50), 50));
      const flood = autocannon({ url: stats, connections: 1000, amount: 1000 });
      flooded.push(percentile(await postLatencies(`${collector.url}api/sentiment`, 50), 50));
      await flood;
    }
    const label = `${(votes / 1e6).toLocaleString('en')} M votes`;
    return [
      row({
        section: 'reads',
        metric: `stats on PostgreSQL with ${label}: median`,
        unit: 'ms',
        runs: p50,
      }),
      row({
        section: 'reads',
        metric: `stats on PostgreSQL with ${label}: 95th percentile`,
        unit: 'ms',
        runs: p95,
        goal: { on: 'ours', max: 200 },
      }),
      row({
        section: 'reads',
        metric: 'vote latency (median) under 1,000 concurrent stats requests',
        unit: 'ms',
        runs: flooded,
        baselineRuns: alone,
        baselineName: 'no reads',
        note: 'One client: beyond READ_RATE_LIMIT (120/min) reads answer 429; the rest reach the database 2 at a time.',
      }),
    ];
  } finally {
    await collector.close();
    await database.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const item of await measureReads(1, Number(process.argv[2] ?? 1_000_000))) {
    console.log(`${item.metric}: ${item.ours.toFixed(1)} ${item.unit}`, item.baseline ?? '');
  }
}
