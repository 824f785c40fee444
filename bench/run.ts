/**
 * `npm run bench`: the performance report. Builds the baselines, drives Debian's Chromium, and
 * writes bench/REPORT.md and bench/results.json.
 *
 *   npx tsx bench/run.ts                 every section, full runs, writes bench/
 *   npx tsx bench/run.ts --quick         fewer runs, writes .bench/ (a try-out, not a report)
 *   npx tsx bench/run.ts size mount      only these sections, writes .bench/
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../test/helpers/browser';
import { OURS, ROOT } from './bundles';
import { measureClick } from './click';
import { type ForwardFigures, measureForward } from './forward';
import { measureHeap } from './heap';
import { measureInbox } from './inbox';
import { type IngestFigures, measureIngest } from './ingest';
import { measureMount } from './mount';
import { measurePrivacy } from './privacy';
import { type CpuPerVote, measureProcesses, type ProcessFigures } from './processes';
import { measureReads } from './reads';
import { type Environment, renderReport, type SectionResult } from './report';
import { type Site, startSite } from './site';
import { measureSize } from './size';
import { measureStartup } from './startup';
import { type Row, row, summarize } from './stats';

interface Section {
  title: string;
  method: string;
  runs: { full: number; quick: number };
  measure(browser: Browser, site: Site, runs: number): Promise<Row[] | unknown>;
}

const SECTIONS: Record<string, Section> = {
  size: {
    title: 'Size',
    method:
      '`dist/feedback-widget.js` as built, against `bench/entries/sentry.ts` (`init` with `feedbackIntegration()`, built with `__SENTRY_DEBUG__` false as Sentry advises for production, and once more without that define, as most pages ship it) and `bench/entries/bare-stack.ts` (preact `h`/`render`, signals-core `signal`/`effect`, `ky.post`), both built by Vite with the settings of our `vite.config.ts` (IIFE, es2022, terser with the same options). gzip is GNU `gzip -9`, brotli is Node’s at quality 11. Bytes do not jitter: one measurement.',
    runs: { full: 1, quick: 1 },
    measure: () => measureSize(),
  },
  startup: {
    title: 'Startup',
    method:
      'A fresh browser context per run (cold HTTP and code cache), the same article page with one `[data-feedback]` element and an `async` script in `<head>`: ours, or the Sentry bundle with a DSN on the local server (which answers 200). From the script’s resource-timing `startTime` (its fetch start) to the first connected, enabled `<button>` in a shadow root, seen by the same `attachShadow` wrapper and MutationObserver for both; Sentry’s is its “Report a Bug” launcher. Loopback HTTP, no compression.',
    runs: { full: 9, quick: 3 },
    measure: measureStartup,
  },
  mount: {
    title: 'Mounting 1,000',
    method:
      'A fresh context per run. Appended: a page with only the script loaded gets 1,000 chat answers appended in one task (one `<li>` each, with a `[data-feedback]` slot for ours, a bare `<div>` that `bench/entries/plain-preact.tsx` renders into for the baseline: the same group, prompt, two `aria-pressed` buttons with icon and label, and status line, with no shadow root, stylesheet, options, storage or signals). Timed from the append until every slot shows a button, then until a frame has been painted after it (`requestAnimationFrame`, then a macrotask). Long tasks and long animation frames from PerformanceObserver (buffered) overlapping that window. In the HTML: the same 1,000 answers in the page, the script `async` at the end of `<body>`; from the script’s fetch start to all showing and a frame painted.',
    runs: { full: 7, quick: 2 },
    measure: measureMount,
  },
  click: {
    title: 'Click to request',
    method:
      'One page; each run appends a new widget (`data-ask="never"`, its own message id and endpoint URL) or a plain button whose click handler calls `fetch(endpoint, { method: "POST", … })`, clicks it with Playwright (real input events), and takes the request’s resource-timing `startTime` minus the click event’s `timeStamp` (read in a capturing listener on `window`). The first run of each kind is cold (code not yet compiled or optimised).',
    runs: { full: 20, quick: 5 },
    measure: measureClick,
  },
  heap: {
    title: 'Memory',
    method:
      'A fresh context per run; over CDP, `HeapProfiler.collectGarbage` twice then `Runtime.getHeapUsage` before mounting 1,000 (as in “Appended” above), right after, and after a further 1 s. Per widget = (after − before) / 1,000, so each figure includes the widget’s chat item and slot, which “slot alone” measures by appending the same list with nothing rendered. JS heap is V8’s `usedSize`; DOM heap is Blink’s garbage-collected heap (`embedderHeapUsedSize`). Goals: JS ≤ 5 KB = 5,120 B, Blink ≤ 16 KB = 16,384 B.',
    runs: { full: 5, quick: 2 },
    measure: measureHeap,
  },
  ingest: {
    title: 'Collector ingest',
    method:
      '`bench/ingest.ts`: autocannon against `POST /api/feedback` of an in-process collector (rate limit off), on PGlite and on PostgreSQL; 10 connections, 10 s per run (3 s with `--quick`). Durable PGlite (fsync on, the default) against PGlite as it was before (fsync off); signed tokens required (`FEEDBACK_SECRET`, every request with a valid HS256 token) against none.',
    runs: { full: 3, quick: 1 },
    async measure(_browser, _site, runs) {
      const figures = await measureIngest({ runs, seconds: runs > 1 ? 10 : 3, connections: 10 });
      return ingestRows(figures);
    },
  },
  reads: {
    title: 'Collector reads',
    method:
      '`bench/reads.ts`: an in-process collector on a fresh PostgreSQL filled with 1,000,000 votes in SQL as the inbox section fills it (`bench/inbox-seed.ts`: 90 days, 20,000 conversations, intake’s count trigger off during the load); `GET /api/feedback/stats` ten times in a row per run (median and 95th percentile of each run); then the median latency of 50 votes in a row, alone and while 1,000 stats requests arrive at once from one client.',
    runs: { full: 3, quick: 1 },
    measure: (_browser, _site, runs) => measureReads(runs),
  },
  forward: {
    title: 'Forwarding',
    method:
      '`bench/forward.ts`: in-process collectors (rate limit off) on fresh PGlite / PostgreSQL storage, one `event` destination on a local fake vendor (127.0.0.1, answers 201 at once). Ingest: autocannon against `POST /api/feedback`, 10 connections, 10 s (3 s with `--quick`), without a FORWARD_FILE and with one (the worker sending meanwhile); lag = from the end of that run until no delivery is pending. Deliveries/s: the vendor holds its answers while 3,000 (PGlite) or 10,000 (PostgreSQL) more votes are posted, then answers; the backlog divided by the time until none is pending. Goal ≥ 1,000 deliveries/s on PostgreSQL.',
    runs: { full: 1, quick: 1 },
    async measure(_browser, _site, runs) {
      return forwardRows(await measureForward(runs > 1 ? 10 : 3));
    },
  },
  processes: {
    title: 'The collector as processes',
    method:
      '`bench/processes.ts`: collectors started as their own processes, as operators run them, each on fresh storage; autocannon in the bench process against `POST /api/feedback`, every vote with its own `Idempotency-Key` as the widget sends it, 10 connections, 10 s per run (3 s with `--quick`), kinds interleaved run by run. Router: the collector of commit 63d2348 (before Hono, checked out into `.bench/`, run with tsx) against the compiled bin, on PGlite and on PostgreSQL. Roles, on PostgreSQL with one `event` destination on a vendor in a thread of the bench process: no FORWARD_FILE; one `ROLE=all` process that takes and sends; `ROLE=web` beside a `ROLE=forwarder` process, all of them on this machine’s two cores with PostgreSQL, the vendor and autocannon; `ROLE=web` alone, its deliveries left waiting as for a forwarder on another machine (what forwarding costs the intake itself). CPU per vote: the busy ticks of every core (`/proc/stat`) and of each collector process (`/proc/PID/stat`, user and kernel) over the run, and the bench process’s own `process.cpuUsage()` (autocannon and the vendor), each divided by the votes accepted; the rest is PostgreSQL and kernel work charged to no process (run on an otherwise idle machine, or it counts what else ran). Goals: after ≥ 0.9× before; split ≥ 0.85× of off.',
    runs: { full: 3, quick: 1 },
    async measure(_browser, _site, runs) {
      return processRows(await measureProcesses(runs, runs > 1 ? 10 : 3));
    },
  },
  privacy: {
    title: 'Privacy',
    method:
      '`bench/privacy.ts`: the redactor alone on one vote’s texts (µs per vote, 1,000 votes per run). Redaction: autocannon against `POST /api/feedback` of in-process collectors (rate limit off), 10 connections, events carrying a 95-character comment with a phone number and an e-mail address and a 2,300-character rated answer (`message_content`) with a phone number, `REDACT` at its default (`email,phone,card`) against `off`, in pairs of 5 s runs (3 s with `--quick`) alternating off-on, on-off, each kind on a PGlite directory and a PostgreSQL database of its own (a collector with redaction on redacts at start-up what one with it off stored); the figure is the median of the pairs’ ratios, goal ≥ 0.95×. Purge: a fresh PostgreSQL database seeded in SQL with 1,000,000 records received 400 days ago, each with a delivered delivery; runs of the same length (the small event of *Collector ingest*) against a collector started with `RETENTION=365d`, one after another until its start-up purge has deleted them in batches of 1,000, against two runs just before and two just after with `RETENTION` off.',
    runs: { full: 8, quick: 4 },
    measure: (_browser, _site, runs) =>
      measurePrivacy({
        pairs: runs,
        seconds: runs > 4 ? 5 : 3,
        purgeCount: 1_000_000,
        backfillCount: 200_000,
      }),
  },
  inbox: {
    title: 'The inbox (issue 17)',
    method:
      '`bench/inbox.ts`: a fresh PostgreSQL filled in SQL (`bench/inbox-seed.ts`) with 1,000,000 votes as ingest stores them (90 days, 30 % down, a comment on one in ten, the rated text on three in ten, a quarter of them on 500 popular answers), then VACUUM ANALYZE; the collector as a process of its own (the compiled bin). Each read 20 times in a row per run (PGlite: 10), the 95th percentile per run, the median of runs. The export streams every vote as CSV to a client that reads as fast as it can; the collector’s VmRSS is sampled every 50 ms. The same reads and export on PGlite with 100,000 votes, one vote posted after another while it exports. Ingest: autocannon, 10 connections, 10 s per run (3 s with `--quick`), runs interleaved, each on a fresh PostgreSQL database: with issue 17’s triage state and two alerts (comment and down_rate, sent to a local sink in a thread of its own), against the same collector on the schema without issue 17’s columns, indexes and triggers and no alerts.',
    runs: { full: 3, quick: 1 },
    measure: (_browser, _site, runs) => measureInbox(runs),
  },
};

function processRows(figures: ProcessFigures): Row[] {
  const verdict = (ratio: number, goal: number) =>
    `Goal ≥ ${goal}×: ${ratio >= goal ? 'met' : 'missed'} (${ratio.toFixed(2)}×).`;
  const median = (runs: number[]) => summarize(runs).median;
  const { off, together, split, web } = figures.roles;
  return [
    ...figures.router.map((item) =>
      row({
        section: 'processes',
        metric: `${item.backend}: accepted events per second, Hono router`,
        unit: 'req/s',
        runs: item.after,
        baselineName: 'before the router (63d2348)',
        baselineRuns: item.before,
        note: verdict(median(item.after) / median(item.before), 0.9),
      }),
    ),
    row({
      section: 'processes',
      metric: 'postgres: accepted events per second, forwarding on, one process (ROLE=all)',
      unit: 'req/s',
      runs: together,
      baselineName: 'forwarding off',
      baselineRuns: off,
    }),
    row({
      section: 'processes',
      metric: 'postgres: accepted events per second, forwarding on, ROLE=web + ROLE=forwarder',
      unit: 'req/s',
      runs: split,
      baselineName: 'forwarding off',
      baselineRuns: off,
      note: verdict(median(split) / median(off), 0.85),
    }),
    row({
      section: 'processes',
      metric:
        'postgres: accepted events per second, forwarding on, ROLE=web with its forwarder on another machine',
      unit: 'req/s',
      runs: web,
      baselineName: 'forwarding off',
      baselineRuns: off,
    }),
    ...(
      [
        ['one process (ROLE=all)', figures.cpu.together, ['the collector']],
        ['ROLE=web + ROLE=forwarder', figures.cpu.split, ['web', 'forwarder']],
        ['ROLE=web, forwarder elsewhere', figures.cpu.web, ['web']],
      ] as const
    ).map(([kind, runs, names]) =>
      row({
        section: 'processes',
        metric: `postgres: CPU per accepted vote, all cores, forwarding on, ${kind}`,
        unit: 'µs',
        runs: runs.map((cpu) => cpu.machine),
        baselineName: 'forwarding off',
        baselineRuns: figures.cpu.off.map((cpu) => cpu.machine),
        note: `${cpuShares(runs, names)}; forwarding off: ${cpuShares(figures.cpu.off, ['the collector'])}.`,
      }),
    ),
  ];
}

/** Where a vote's CPU went, medians of the runs: each collector, the bench, the rest. */
function cpuShares(runs: CpuPerVote[], names: readonly string[]): string {
  const median = (values: number[]) => Math.round(summarize(values).median);
  const parts = names.map(
    (name, index) => `${name} ${median(runs.map((cpu) => cpu.collectors[index] ?? 0))} µs`,
  );
  const rest = runs.map(
    (cpu) => cpu.machine - cpu.bench - cpu.collectors.reduce((sum, part) => sum + part, 0),
  );
  return [
    ...parts,
    `autocannon and the vendor ${median(runs.map((cpu) => cpu.bench))} µs`,
    `PostgreSQL and the rest ${median(rest)} µs`,
  ].join(', ');
}

function forwardRows(figures: ForwardFigures[]): Row[] {
  return figures.flatMap((item) => [
    row({
      section: 'forward',
      metric: `${item.backend}: deliveries per second (backlog of ${item.backlog})`,
      unit: '/s',
      runs: [item.deliveriesPerSecond],
      note:
        item.backend === 'postgres'
          ? `Goal ≥ 1,000/s: ${item.deliveriesPerSecond >= 1000 ? 'met' : 'missed'}.`
          : 'One process owns PGlite: one loop sends batches of 100; two more join while a batch has waited over 100 ms on a slow vendor.',
    }),
    row({
      section: 'forward',
      metric: `${item.backend}: accepted events per second, forwarding on`,
      unit: 'req/s',
      runs: [item.ingestOn],
      baselineName: 'forwarding off',
      baselineRuns: [item.ingestOff],
      note: `Every delivery made ${item.lagMs} ms after the run ended; ${item.stored} votes stored, ${item.delivered} delivered.`,
    }),
  ]);
}

const VARIANT_NAMES = {
  plain: '',
  'no-fsync': ', fsync off (before)',
  tokens: ', signed tokens required',
};

/** One row per backend and variant; durable PGlite and token checks beside their baseline. */
function ingestRows(figures: IngestFigures[]): Row[] {
  const plain = (backend: string) =>
    figures.find((item) => item.backend === backend && item.variant === 'plain');
  return figures.flatMap((item) => {
    const name = `${item.backend}${VARIANT_NAMES[item.variant]}`;
    const baseline =
      item.variant === 'plain'
        ? figures.find((other) => other.backend === item.backend && other.variant === 'no-fsync')
        : item.variant === 'tokens'
          ? plain(item.backend)
          : undefined;
    const against = baseline && {
      baselineRuns: baseline.runs.map((run) => run.requestsPerSecond),
      baselineName: `${baseline.backend}${VARIANT_NAMES[baseline.variant]}`,
    };
    return [
      row({
        section: 'ingest',
        metric: `${name}: accepted events per second`,
        unit: 'req/s',
        runs: item.runs.map((run) => run.requestsPerSecond),
        ...against,
        note: `${item.failures} answers other than 2xx, errors or timeouts over all runs; ${item.acknowledged} acknowledged, ${item.stored} stored.`,
      }),
      row({
        section: 'ingest',
        metric: `${name}: 99th percentile latency`,
        unit: 'ms',
        runs: item.runs.map((run) => run.p99Ms),
      }),
    ];
  });
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function commit(): string {
  const head = git('rev-parse', '--short=12', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--untracked-files=no')
    ? `${head} + uncommitted changes`
    : head;
}

const isRows = (value: unknown): value is Row[] =>
  Array.isArray(value) &&
  value.every((item) => typeof item === 'object' && item !== null && 'metric' in item);

function printRows(rows: Row[]) {
  for (const item of rows) {
    const ratio = item.ratio === undefined ? '' : ` ${item.ratio.toFixed(2)}×`;
    const goal = item.goal ? ` goal ${item.goal} ${item.met ? 'met' : 'MISSED'}` : '';
    const spread = item.summary ? ` ±${Math.round(item.summary.spread * 100)}%` : '';
    console.log(
      `  ${item.metric}: ${+item.ours.toFixed(2)} ${item.unit}${spread}` +
        (item.baseline === undefined
          ? ''
          : ` vs ${+item.baseline.toFixed(2)} ${item.unit} (${item.baselineName})${ratio}`) +
        goal,
    );
  }
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const names = args.filter((arg) => !arg.startsWith('--'));
  const unknown = [
    ...names.filter((name) => !(name in SECTIONS)),
    ...args.filter((arg) => arg.startsWith('--') && arg !== '--quick'),
  ];
  if (unknown.length) {
    console.error(
      `bench: unknown ${unknown.join(', ')}; sections are ${Object.keys(SECTIONS).join(', ')}, option --quick`,
    );
    process.exitCode = 2;
    return;
  }
  if (!existsSync(OURS)) {
    console.error('bench: dist/feedback-widget.js is missing; run `npm run build` first');
    process.exitCode = 2;
    return;
  }
  const chosen = names.length ? names : Object.keys(SECTIONS);
  // Only a complete, full run replaces the committed report.
  const complete = !quick && !names.length;
  const outDir = fileURLToPath(new URL(complete ? './' : '../.bench/', import.meta.url));
  const runs = Object.fromEntries(
    chosen.map((name) => [name, (SECTIONS[name] as Section).runs[quick ? 'quick' : 'full']]),
  );
  const startLoad = loadavg()[0] as number;

  const browser = await launchBrowser();
  const chromium = browser.version();
  const results: SectionResult[] = [];
  let site: Site | undefined;
  try {
    site = await startSite();
    for (const name of chosen) {
      const section = SECTIONS[name] as Section;
      const result: SectionResult = {
        name,
        title: section.title,
        method: section.method,
        rows: [],
      };
      results.push(result);
      console.log(`${section.title} (${runs[name]} runs per kind)…`);
      const began = Date.now();
      try {
        const output = await section.measure(browser, site, runs[name] as number);
        if (isRows(output)) result.rows = output;
        else result.raw = output;
        printRows(result.rows);
      } catch (problem) {
        result.problem = `failed: ${problem instanceof Error ? problem.message : String(problem)}`;
        console.error(`  ${result.problem}`);
        process.exitCode = 1;
      }
      console.log(`  (${((Date.now() - began) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await site?.close();
    await browser.close();
  }

  const environment: Environment = {
    date: new Date().toISOString(),
    commit: commit(),
    node: process.version,
    chromium,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    os: `${type()} ${release()}`,
    load: [startLoad, loadavg()[0] as number],
    quick,
    runs,
  };

  const findingsFile = fileURLToPath(new URL('./findings.md', import.meta.url));
  const findings =
    complete && existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8') : undefined;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}REPORT.md`, renderReport(environment, results, findings));
  writeFileSync(
    `${outDir}results.json`,
    `${JSON.stringify({ environment, sections: results }, null, 2)}\n`,
  );
  console.log(`\nWrote ${outDir}REPORT.md and results.json`);
  if (!complete) console.log('(a partial or quick run: bench/REPORT.md is left as it was)');
}

await main();
