import { rmSync } from 'node:fs';
import pg from 'pg';
import type { CollectorOptions } from '../collector/src/config';
import { createRedactor } from '../collector/src/privacy/redact';
import { type Collector, listenCollector, temporaryDir } from '../test/helpers/collector';
import { startTestDatabase } from '../test/helpers/postgres';
import { asQueryable, bulkLoad } from './inbox-seed';
import { autocannon, EVENT } from './ingest';
import { type Row, row } from './stats';

/** A rated answer as a help-center assistant writes one: 2,300 characters with a phone number. */
const ANSWER = (
  'To reset your password, open Settings, then Account, then Security, and choose "Reset ' +
  'password". You will get a code by SMS within 5 minutes; it is valid for 10 minutes. If it ' +
  'does not arrive, check that your number is right (we show its last 4 digits: ***1234) or ' +
  'call support on +49 30 1234567 between 09:00 and 17:00. Orders placed before 2024-01-15 ' +
  'keep their old terms. '
).repeat(6);
const COMMENT =
  'The code never arrived. My number is 0151 2345 6789, mail me at jane.doe@example.com instead.';

/** An event with a comment and its rated text, a new id per request (autocannon's `[<id>]`). */
const TEXT_EVENT = JSON.stringify({
  ...JSON.parse(EVENT),
  comment: COMMENT,
  message_content: ANSWER,
});

interface Cannonade {
  requestsPerSecond: number;
  p99Ms: number;
  maxMs: number;
  failures: number;
}

async function cannonade(url: string, body: string, seconds: number): Promise<Cannonade> {
  const result = (await autocannon({
    url: `${url}api/feedback`,
    connections: 10,
    duration: seconds,
    idReplacement: true,
    requests: [{ method: 'POST', headers: { 'Content-Type': 'application/json' }, body }],
  })) as Awaited<ReturnType<typeof autocannon>> & { latency: { p99: number; max: number } };
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

const collectorFor = (storage: CollectorOptions, extra: CollectorOptions = {}) =>
  listenCollector({ ...storage, port: 0, rateLimit: 0, readRateLimit: 0, ...extra });

/**
 * Ingest of events carrying a comment and a 2,300-character rated answer, redaction on (the
 * default) against off, each on a storage of its own (a collector with redaction on redacts at
 * start-up what one with it off stored), in `pairs` pairs of short runs. A pair's two runs are
 * seconds apart, so the other work on a shared machine weighs on both alike, and each pair gives
 * one ratio; their median is the figure. Pairs alternate off-on and on-off, so that neither kind
 * always runs right after the other's work.
 */
async function measureRedaction(
  backend: 'pglite' | 'postgres',
  storage: Record<'on' | 'off', CollectorOptions>,
  pairs: number,
  seconds: number,
): Promise<Row[]> {
  const results: Record<'on' | 'off', Cannonade[]> = { on: [], off: [] };
  for (let index = 0; index < pairs; index++) {
    for (const kind of index % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const collector = await collectorFor(storage[kind], kind === 'on' ? {} : { redact: 'off' });
      try {
        results[kind].push(await cannonade(collector.url, TEXT_EVENT, seconds));
      } finally {
        await collector.close();
      }
    }
  }
  const failures = [...results.on, ...results.off].reduce((sum, run) => sum + run.failures, 0);
  const rps = (kind: 'on' | 'off') => results[kind].map((run) => run.requestsPerSecond);
  const off = rps('off');
  const ratios = rps('on').map((on, index) => on / (off[index] as number));
  const ratio = median(ratios);
  return [
    row({
      section: 'privacy',
      metric: `${backend}: accepted events per second with a comment and a 2,300-character answer, redaction on`,
      unit: 'req/s',
      runs: rps('on'),
      baselineName: 'redaction off',
      baselineRuns: off,
      note: `${failures} answers other than 2xx over all runs.`,
    }),
    row({
      section: 'privacy',
      metric: `${backend}: redaction on / off, the median of ${pairs} paired runs`,
      unit: '×',
      runs: ratios,
      note: `Goal ≥ 0.95×: ${ratio >= 0.95 ? 'met' : 'missed'}.`,
    }),
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `count` records received 400 days ago, each with one delivered delivery, as SQL writes them. */
async function seedAged(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const db = asQueryable(client);
    await bulkLoad(db, 'aged-', () =>
      db.query(
        `INSERT INTO feedback
         (id, format, rating, score, conversation_id, created_at, received_at, record, redacted)
       SELECT 'aged-' || n, 'event', 'up', 10, 'conv-' || (n % 10000),
         now() - interval '400 days', now() - interval '400 days' + n * interval '1 ms',
         '{"id":"aged"}', 'email,phone,card'
       FROM generate_series(1, $1::int) AS n`,
        [count],
      ),
    );
    await client.query(
      `INSERT INTO deliveries (id, feedback_id, destination, status, url, body, created_at, give_up_at)
       SELECT 'd-aged-' || n, 'aged-' || n, 'events', 'delivered', 'http://127.0.0.1/', '{}',
         now() - interval '400 days', now() - interval '393 days'
       FROM generate_series(1, $1::int) AS n`,
      [count],
    );
    await client.query('ANALYZE feedback; ANALYZE deliveries');
  } finally {
    await client.end();
  }
}

/** `count` records received in the last hour and never redacted, each with a delivery quoting them. */
async function seedUnredacted(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const db = asQueryable(client);
    const record = JSON.stringify({ id: 'unredacted', comment: COMMENT, message_content: ANSWER });
    await bulkLoad(db, 'unredacted-', () =>
      db.query(
        `INSERT INTO feedback (id, format, rating, score, conversation_id, created_at, received_at, record)
       SELECT 'unredacted-' || n, 'event', 'down', 0, 'conv-' || (n % 10000),
         now() - interval '1 hour', now() - interval '1 hour' + n * interval '1 ms', $2
       FROM generate_series(1, $1::int) AS n`,
        [count, record],
      ),
    );
    await client.query(
      `INSERT INTO deliveries (id, feedback_id, destination, status, url, body, created_at, give_up_at)
       SELECT 'd-unredacted-' || n, 'unredacted-' || n, 'events', 'delivered', 'http://127.0.0.1/',
         $2, now() - interval '1 hour', now() + interval '6 days'
       FROM generate_series(1, $1::int) AS n`,
      [count, JSON.stringify({ comment: COMMENT })],
    );
    await client.query('ANALYZE feedback; ANALYZE deliveries');
  } finally {
    await client.end();
  }
}

/** What a housekeeping round logged of its work: how many records, in how many milliseconds. */
interface RoundLine {
  count: number;
  ms: number;
}

function roundLine(collector: Collector, prefix: string): RoundLine | undefined {
  for (const line of collector.logs()) {
    const parsed = JSON.parse(line) as {
      msg: string;
      deleted?: number;
      redacted?: number;
      ms: number;
    };
    if (parsed.msg.startsWith(prefix)) {
      return { count: parsed.deleted ?? parsed.redacted ?? 0, ms: parsed.ms };
    }
  }
  return undefined;
}

/** Short runs of ingest, one after another, until `done()` says to stop (or `most` runs). */
async function slices(url: string, seconds: number, done: () => boolean, most: number) {
  const runs: Cannonade[] = [];
  while (runs.length < most && !done()) runs.push(await cannonade(url, EVENT, seconds));
  return runs;
}

/** Runs of ingest against a collector on `storage` that has no housekeeping to do. */
async function quiet(
  storage: CollectorOptions,
  quietly: CollectorOptions,
  count: number,
  seconds: number,
) {
  const collector = await collectorFor(storage, quietly);
  try {
    return await slices(collector.url, seconds, () => false, count);
  } finally {
    await collector.close();
  }
}

/** A round of housekeeping at start-up whose cost to intake is measured. */
interface Round {
  /** Names the rows: `purging 1,000,000 aged records`. */
  doing: string;
  seed: (url: string) => Promise<void>;
  /** The collector that does the work, and one that finds none to do. */
  busy: CollectorOptions;
  idle: CollectorOptions;
  /** The start of the round's log line. */
  line: string;
  /** What the round did, for the note. */
  did: (line: RoundLine) => string;
}

/**
 * Ingest on PostgreSQL while a start-up round of housekeeping works through a seeded backlog:
 * short runs until the round logs that it is done, against runs of a collector with nothing
 * to do just before and just after, so drift in the machine's load weighs on both.
 */
async function measureRound(round: Round, seconds: number): Promise<Row[]> {
  const database = await startTestDatabase();
  const storage = { databaseUrl: database.url };
  try {
    await (await collectorFor(storage, round.idle)).close();
    const seeding = performance.now();
    await round.seed(database.url);
    const seededMs = performance.now() - seeding;
    const before = await quiet(storage, round.idle, 2, seconds);
    const busy = await collectorFor(storage, round.busy);
    let during: Cannonade[];
    let done: RoundLine | undefined;
    try {
      during = await slices(busy.url, seconds, () => roundLine(busy, round.line) !== undefined, 60);
      done = roundLine(busy, round.line);
      while (done === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        done = roundLine(busy, round.line);
      }
    } finally {
      await busy.close();
    }
    const after = await quiet(storage, round.idle, 2, seconds);
    const alone = [...before, ...after];
    const failures = [...alone, ...during].reduce((sum, run) => sum + run.failures, 0);
    const pick = (runs: Cannonade[], key: keyof Cannonade) => runs.map((run) => run[key]);
    return [
      row({
        section: 'privacy',
        metric: `postgres: accepted events per second while ${round.doing}`,
        unit: 'req/s',
        runs: pick(during, 'requestsPerSecond'),
        baselineName: 'nothing to do (before and after)',
        baselineRuns: pick(alone, 'requestsPerSecond'),
        note: `${round.did(done)} in ${(done.ms / 1000).toFixed(1)} s (${Math.round((done.count / done.ms) * 1000).toLocaleString('en')}/s), over ${during.length} runs of ${seconds} s (the last one may have outlasted it); seeding took ${(seededMs / 1000).toFixed(0)} s. ${failures} answers other than 2xx.`,
      }),
      row({
        section: 'privacy',
        metric: `postgres: 99th percentile vote latency while ${round.doing}`,
        unit: 'ms',
        runs: pick(during, 'p99Ms'),
        baselineName: 'nothing to do',
        baselineRuns: pick(alone, 'p99Ms'),
      }),
      row({
        section: 'privacy',
        metric: `postgres: slowest vote of a run while ${round.doing}`,
        unit: 'ms',
        runs: pick(during, 'maxMs'),
        baselineName: 'nothing to do',
        baselineRuns: pick(alone, 'maxMs'),
      }),
    ];
  } finally {
    await database.stop();
  }
}

/** `RETENTION=365d` deleting `count` records received 400 days ago, with their deliveries. */
const purge = (count: number): Round => ({
  doing: `purging ${count.toLocaleString('en')} aged records`,
  seed: (url) => seedAged(url, count),
  busy: { retention: '365d' },
  idle: {},
  line: 'RETENTION',
  did: (line) =>
    `The purge deleted ${line.count.toLocaleString('en')} records and their deliveries, batches of 1,000,`,
});

/** `REDACT` at its default redacting `count` records stored with it off, and their deliveries. */
const backfill = (count: number): Round => ({
  doing: `redacting ${count.toLocaleString('en')} records stored before REDACT`,
  seed: (url) => seedUnredacted(url, count),
  busy: {},
  idle: { redact: 'off' },
  line: 'REDACT',
  did: (line) =>
    `REDACT went through ${line.count.toLocaleString('en')} records (${count.toLocaleString('en')} seeded with a comment and a 2,300-character answer, and the votes the runs before stored with it off) and their deliveries, batches of 200,`,
});

/** The redactor alone on the same texts: microseconds per vote (a comment and an answer). */
function measureRedactor(): Row {
  const redact = createRedactor(['email', 'phone', 'card']);
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      redact(COMMENT);
      redact(ANSWER);
    }
    times.push(performance.now() - started);
  }
  return row({
    section: 'privacy',
    metric: 'redaction of one vote’s comment and 2,300-character answer',
    unit: 'µs',
    runs: times,
  });
}

/**
 * SPEC §13's costs: ingest with redaction on against off (goal ≥ 0.95×) on PGlite and
 * PostgreSQL, and ingest on PostgreSQL while a purge deletes `purgeCount` aged records and while
 * `REDACT` goes through `backfillCount` records stored before it.
 *
 * @example
 * const rows = await measurePrivacy({ pairs: 8, seconds: 5, purgeCount: 1_000_000, backfillCount: 200_000 });
 */
export async function measurePrivacy(options: {
  pairs: number;
  seconds: number;
  purgeCount: number;
  backfillCount: number;
}): Promise<Row[]> {
  const rows: Row[] = [measureRedactor()];
  const dataDirs = { on: temporaryDir(), off: temporaryDir() };
  try {
    const storage = { on: { dataDir: dataDirs.on }, off: { dataDir: dataDirs.off } };
    rows.push(...(await measureRedaction('pglite', storage, options.pairs, options.seconds)));
  } finally {
    for (const dir of Object.values(dataDirs)) rmSync(dir, { recursive: true, force: true });
  }
  const databases = { on: await startTestDatabase(), off: await startTestDatabase() };
  try {
    const storage = {
      on: { databaseUrl: databases.on.url },
      off: { databaseUrl: databases.off.url },
    };
    rows.push(...(await measureRedaction('postgres', storage, options.pairs, options.seconds)));
  } finally {
    await databases.on.stop();
    await databases.off.stop();
  }
  rows.push(...(await measureRound(purge(options.purgeCount), options.seconds)));
  rows.push(...(await measureRound(backfill(options.backfillCount), options.seconds)));
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const purgeCount = Number(process.argv[2] ?? 1_000_000);
  const backfillCount = Number(process.argv[3] ?? 200_000);
  for (const item of await measurePrivacy({ pairs: 4, seconds: 3, purgeCount, backfillCount })) {
    console.log(
      `${item.metric}: ${item.ours.toFixed(1)} ${item.unit}`,
      item.baseline === undefined
        ? ''
        : `vs ${item.baseline.toFixed(1)} (${item.ratio?.toFixed(2)}×)`,
      item.note ?? '',
    );
  }
}
