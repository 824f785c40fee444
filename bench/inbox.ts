import { readFileSync, rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import {
  type CollectorProcess,
  listenCollector,
  send,
  startCollector,
  temporaryDir,
} from '../test/helpers/collector';
import { startTestDatabase } from '../test/helpers/postgres';
import { measureIngestWithAlerts } from './inbox-ingest';
import { asQueryable, seedDatabase, seedVotes } from './inbox-seed';
import { type Row, row } from './stats';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

/** The inbox's reads, as the inbox sends them. */
const READS = {
  'the list (`is:open`, the inbox’s default)': 'api/feedback?q=is%3Aopen',
  'a search, a word and two fields (`refund rating:down is:open`)': `api/feedback?q=${encodeURIComponent('refund rating:down is:open')}`,
  'attention over 7 days, by message': 'api/feedback/attention',
  'attention over 7 days, by page': 'api/feedback/attention?by=page',
  'the counts per status': 'api/feedback/counts',
};
type Read = keyof typeof READS;
const GOALS: Partial<Record<Read, number>> = {
  'the list (`is:open`, the inbox’s default)': 150,
  'a search, a word and two fields (`refund rating:down is:open`)': 150,
  'attention over 7 days, by message': 300,
  'attention over 7 days, by page': 300,
};

/** `times` requests in a row; their latencies in ms, sorted. */
async function timed(url: string, times: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b);
}

/** The collector process's resident memory, in bytes. */
function rss(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/**
 * Exports everything as CSV, reading the stream as fast as it comes; resolves with rows per
 * second and, when `pid` is the collector's, the most its RSS grew meanwhile (sampled every
 * 50 ms). `during` runs while the export streams (PGlite: votes, to see how long they wait).
 */
async function exportAll(
  base: string,
  rows: number,
  pid?: number,
  during?: (done: () => boolean) => Promise<void>,
) {
  const before = pid === undefined ? 0 : rss(pid);
  let peak = before;
  const sampler =
    pid === undefined ? undefined : setInterval(() => (peak = Math.max(peak, rss(pid))), 50);
  const start = performance.now();
  let finished = false;
  const side = during?.(() => finished);
  const response = await fetch(`${base}api/feedback/export`);
  let lines = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    for (const byte of chunk) if (byte === 10) lines++;
  }
  const seconds = (performance.now() - start) / 1000;
  finished = true;
  await side;
  clearInterval(sampler);
  // The seeded texts hold no newline: one per row, and one after the header. Votes stored
  // before the first page was read are exported too.
  const exported = lines - 1;
  if (exported < rows) throw new Error(`the export held ${exported} rows, not ${rows}`);
  return { rowsPerSecond: exported / seconds, rssGrowth: peak - before };
}

function readRows(backend: string, label: string, ms: Record<Read, number[][]>): Row[] {
  return (Object.keys(READS) as Read[]).flatMap((read) => {
    const goal = GOALS[read];
    return [
      row({
        section: 'inbox',
        metric: `${backend}, ${label}: ${read}, 95th percentile`,
        unit: 'ms',
        runs: ms[read].map((run) => percentile(run, 95)),
        ...(goal === undefined || backend !== 'PostgreSQL'
          ? {}
          : { goal: { on: 'ours', max: goal } }),
        note: `Median ${percentile(
          ms[read].flat().sort((a, b) => a - b),
          50,
        ).toFixed(1)} ms.`,
      }),
    ];
  });
}

async function measureReads(base: string, runs: number, times: number) {
  const ms = Object.fromEntries(
    Object.keys(READS).map((read) => [read, [] as number[][]]),
  ) as Record<Read, number[][]>;
  for (let run = 0; run < runs; run++) {
    for (const [read, path] of Object.entries(READS) as [Read, string][]) {
      ms[read].push(await timed(`${base}${path}`, times));
    }
  }
  return ms;
}

/** PostgreSQL with `votes` votes: the reads, and an export of all of them from a collector process. */
async function measurePostgres(runs: number, votes: number): Promise<Row[]> {
  const database = await startTestDatabase();
  let collector: CollectorProcess | undefined;
  try {
    collector = await startCollector({
      env: { DATABASE_URL: database.url, RATE_LIMIT: '0', READ_RATE_LIMIT: '0' },
    });
    await seedDatabase(database.url, votes);
    const base = `${collector.origin}/`;
    const label = `${(votes / 1e6).toLocaleString('en')} M votes`;
    const ms = await measureReads(base, runs, 20);
    const exports = [];
    for (let run = 0; run < Math.min(runs, 2); run++) {
      exports.push(await exportAll(base, votes, collector.process.pid));
    }
    return [
      ...readRows('PostgreSQL', label, ms),
      row({
        section: 'inbox',
        metric: `PostgreSQL, ${label}: export of every vote as CSV`,
        unit: 'rows/s',
        runs: exports.map((item) => item.rowsPerSecond),
        goal: { on: 'ours', max: 50_000, atLeast: true },
      }),
      row({
        section: 'inbox',
        metric: `PostgreSQL, ${label}: the collector’s RSS growth during that export`,
        unit: 'MB',
        runs: exports.map((item) => item.rssGrowth / 1e6),
        goal: { on: 'ours', max: 100 },
        note: 'The collector in a process of its own (the compiled bin), its VmRSS sampled every 50 ms.',
      }),
    ];
  } finally {
    await collector?.stop();
    await database.stop();
  }
}

/** PGlite with `votes` votes: the same reads, the export, and how long votes wait during it. */
async function measurePglite(runs: number, votes: number): Promise<Row[]> {
  const dataDir = temporaryDir();
  try {
    await (await listenCollector({ dataDir })).close();
    const db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
    try {
      await seedVotes(asQueryable(db), votes);
    } finally {
      await db.close();
    }
    const collector = await listenCollector({ dataDir, rateLimit: 0, readRateLimit: 0 });
    try {
      const label = `${(votes / 1e3).toLocaleString('en')} k votes`;
      const ms = await measureReads(collector.url, runs, 10);
      const vote = async (conversation: string, into: number[]) => {
        const start = performance.now();
        const response = await send(`${collector.url}api/sentiment`, {
          body: { conversation_id: conversation, sentiment: 'positive' },
        });
        if (response.status !== 201) throw new Error(`a vote answered ${response.status}`);
        into.push(performance.now() - start);
      };
      const alone: number[] = [];
      for (let i = 0; i < 200; i++) await vote(`alone-${i}`, alone);
      const waits: number[] = [];
      const exported = await exportAll(collector.url, votes, undefined, async (done) => {
        for (let i = 0; !done(); i++) await vote(`during-export-${i}`, waits);
      });
      alone.sort((a, b) => a - b);
      waits.sort((a, b) => a - b);
      return [
        ...readRows('PGlite', label, ms),
        row({
          section: 'inbox',
          metric: `PGlite, ${label}: export of every vote as CSV, votes arriving meanwhile`,
          unit: 'rows/s',
          runs: [exported.rowsPerSecond],
          note: `${waits.length} votes posted one after another during the export.`,
        }),
        row({
          section: 'inbox',
          metric: `PGlite, ${label}: a vote’s latency during that export, 95th percentile`,
          unit: 'ms',
          runs: [percentile(waits, 95)],
          baselineName: '200 votes before it, no export',
          baselineRuns: [percentile(alone, 95)],
          note: `Median ${percentile(waits, 50).toFixed(1)} ms (alone ${percentile(alone, 50).toFixed(1)} ms), slowest ${(waits[waits.length - 1] as number).toFixed(1)} ms (alone ${(alone[alone.length - 1] as number).toFixed(1)} ms); the export reads 500 records per query, so a vote waits for one query at most. Durable PGlite: every vote is fsynced.`,
        }),
      ];
    } finally {
      await collector.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Issue 17's figures: the inbox's reads on PostgreSQL with 1,000,000 votes and on PGlite with
 * 100,000, the export's speed and memory, and what triage state and alerts cost intake.
 */
export async function measureInbox(runs: number): Promise<Row[]> {
  const seconds = runs > 1 ? 10 : 3;
  return [
    ...(await measurePostgres(runs, 1_000_000)),
    ...(await measurePglite(runs, 100_000)),
    ...(await measureIngestWithAlerts(runs, seconds)),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const item of await measureInbox(1)) {
    console.log(`${item.metric}: ${item.ours.toFixed(1)} ${item.unit}`, item.baseline ?? '');
  }
}
