import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BIN, temporaryDir } from '../test/helpers/collector';
import { startTestDatabase } from '../test/helpers/postgres';
import { autocannon, EVENT } from './ingest';
import { summarize } from './stats';

const median = (runs: number[]) => summarize(runs).median;

/**
 * The collector as operators run it: separate processes, loaded over loopback by autocannon in
 * this one. Two comparisons, each measured in the same run against its baseline:
 * - the router: the collector of the last commit before Hono (`BEFORE_ROUTER`, checked out
 *   into `.bench/`) against today's compiled bin, on PGlite and on PostgreSQL;
 * - the roles: on PostgreSQL, ingest with forwarding on, when one process takes votes and
 *   sends them, when `ROLE=web` takes them while a `ROLE=forwarder` process sends, and when
 *   `ROLE=web` takes them with its forwarder elsewhere (here: none, so deliveries wait): what
 *   forwarding costs the intake itself once the sending has a machine of its own.
 */
export const BEFORE_ROUTER = '63d2348';

const ROOT = new URL('..', import.meta.url).pathname;

interface Started {
  origin: string;
  /** The collectors' process ids: the one that takes the votes first. */
  pids: number[];
  stop(): Promise<void>;
}

/** CPU time, in µs, per accepted vote of one run. */
export interface CpuPerVote {
  /** Every core of the machine, whatever ran on it. */
  machine: number;
  /** Each collector process, in the order of `Started.pids`. */
  collectors: number[];
  /** This process: autocannon and the vendor's thread. */
  bench: number;
}

/** Ticks of the kernel's clock (10 ms at USER_HZ 100) every core spent busy since boot. */
function machineTicks(): number {
  const [user, nice, system, , , irq, softirq, steal] = (
    readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  )
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

/** Ticks a process spent on a core, in user space and in the kernel on its behalf. */
function processTicks(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const TICK_US = 10_000;

/** Starts `args` with `env` and resolves once it printed its URL. */
function startProcess(args: string[], env: Record<string, string>, cwd = ROOT): Promise<Started> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, PORT: '0', RATE_LIMIT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk;
      const origin = /feedback-widget collector: (http:\/\/[^\s"]+)\//.exec(output)?.[1];
      if (origin === undefined) return;
      child.stdout?.off('data', read);
      child.stdout?.resume();
      resolve({
        origin,
        pids: [child.pid as number],
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    exited.then(() => reject(new Error(`exited before it listened:\n${output}`)));
  });
}

/** The collector as it was before the router, from git, with this checkout's node_modules. */
function beforeRouter(): string {
  const dir = join(ROOT, '.bench/before-router');
  if (!existsSync(join(dir, 'demo/collector/main.ts'))) {
    rmSync(dir, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'add', '--force', '--detach', dir, BEFORE_ROUTER], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  }
  return dir;
}

/** Loads `started` for `seconds`: votes per second, and the CPU each vote took. */
async function measured(
  started: Started,
  seconds: number,
): Promise<{ rate: number; cpu: CpuPerVote }> {
  const machine = machineTicks();
  const collectors = started.pids.map(processTicks);
  const bench = process.cpuUsage();
  const rate = await load(started.origin, seconds);
  const votes = rate * seconds;
  const used = process.cpuUsage(bench);
  return {
    rate,
    cpu: {
      machine: ((machineTicks() - machine) * TICK_US) / votes,
      collectors: started.pids.map(
        (pid, index) => ((processTicks(pid) - (collectors[index] ?? 0)) * TICK_US) / votes,
      ),
      bench: (used.user + used.system) / votes,
    },
  };
}

async function load(origin: string, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `${origin}/api/feedback`,
    connections: 10,
    duration: seconds,
    idReplacement: true,
    // Every vote with its own Idempotency-Key, as the widget sends it (SPEC §5).
    requests: [
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': '[<id>]' },
        body: EVENT,
      },
    ],
  });
  if (result.non2xx + result.errors + result.timeouts > 0) {
    throw new Error(`${origin}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return result.requests.average;
}

/** A vendor in a thread of its own that answers 201 at once: a real one is another machine. */
async function startVendor(): Promise<{ url: string; close(): Promise<number> }> {
  const thread = new Worker(
    `const { createServer } = require('node:http');
     const { parentPort } = require('node:worker_threads');
     const server = createServer((request, response) => {
       request.resume();
       request.on('end', () => response.writeHead(201).end('{}'));
     });
     server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`,
    { eval: true },
  );
  const port = await new Promise((resolve) => thread.once('message', resolve));
  return { url: `http://127.0.0.1:${port}/api/feedback`, close: () => thread.terminate() };
}

export interface ProcessFigures {
  /** Requests per second, one figure per run. */
  router: { backend: 'pglite' | 'postgres'; before: number[]; after: number[] }[];
  roles: { off: number[]; together: number[]; split: number[]; web: number[] };
  /** The CPU per vote of each run of each role's kind. */
  cpu: { off: CpuPerVote[]; together: CpuPerVote[]; split: CpuPerVote[]; web: CpuPerVote[] };
}

/** Runs each kind `runs` times, interleaved, so a slow minute of the machine hits every kind. */
async function interleaved(
  kinds: Record<string, () => Promise<Started>>,
  runs: number,
  seconds: number,
): Promise<Record<string, { rate: number; cpu: CpuPerVote }[]>> {
  const figures: Record<string, { rate: number; cpu: CpuPerVote }[]> = Object.fromEntries(
    Object.keys(kinds).map((name) => [name, []]),
  );
  for (let run = 0; run < runs; run++) {
    for (const [name, start] of Object.entries(kinds)) {
      const started = await start();
      try {
        figures[name]?.push(await measured(started, seconds));
      } finally {
        await started.stop();
      }
    }
  }
  return figures;
}

const rates = (runs: { rate: number }[] | undefined) => (runs ?? []).map((run) => run.rate);
const cpus = (runs: { cpu: CpuPerVote }[] | undefined) => (runs ?? []).map((run) => run.cpu);

export async function measureProcesses(runs: number, seconds: number): Promise<ProcessFigures> {
  const before = beforeRouter();
  const oldMain = ['--import', 'tsx', join(before, 'demo/collector/main.ts')];
  const dirs: string[] = [];
  const fresh = () => {
    const dir = temporaryDir();
    dirs.push(dir);
    return dir;
  };
  const databases: { stop(): Promise<void> }[] = [];
  const database = async () => {
    const created = await startTestDatabase();
    databases.push(created);
    return created.url;
  };
  const vendor = await startVendor();
  const forward = join(fresh(), 'forward.json');
  writeFileSync(
    forward,
    JSON.stringify({ destinations: [{ name: 'bench', format: 'event', url: vendor.url }] }),
  );
  try {
    const pglite = await interleaved(
      {
        before: () => startProcess(oldMain, { DATA_DIR: fresh() }, before),
        after: () => startProcess([BIN], { DATA_DIR: fresh() }),
      },
      runs,
      seconds,
    );
    const postgres = await interleaved(
      {
        before: async () => startProcess(oldMain, { DATABASE_URL: await database() }, before),
        after: async () => startProcess([BIN], { DATABASE_URL: await database() }),
      },
      runs,
      seconds,
    );
    const roles = await interleaved(
      {
        off: async () => startProcess([BIN], { DATABASE_URL: await database() }),
        together: async () =>
          startProcess([BIN], { DATABASE_URL: await database(), FORWARD_FILE: forward }),
        split: async () => {
          const url = await database();
          const env = { DATABASE_URL: url, FORWARD_FILE: forward };
          const web = await startProcess([BIN], { ...env, ROLE: 'web' });
          const forwarder = await startProcess([BIN], { ...env, ROLE: 'forwarder' });
          return {
            origin: web.origin,
            pids: [...web.pids, ...forwarder.pids],
            stop: async () => {
              await web.stop();
              await forwarder.stop();
            },
          };
        },
        web: async () =>
          startProcess([BIN], {
            DATABASE_URL: await database(),
            FORWARD_FILE: forward,
            ROLE: 'web',
          }),
      },
      runs,
      seconds,
    );
    return {
      router: [
        { backend: 'pglite', before: rates(pglite.before), after: rates(pglite.after) },
        { backend: 'postgres', before: rates(postgres.before), after: rates(postgres.after) },
      ],
      roles: {
        off: rates(roles.off),
        together: rates(roles.together),
        split: rates(roles.split),
        web: rates(roles.web),
      },
      cpu: {
        off: cpus(roles.off),
        together: cpus(roles.together),
        split: cpus(roles.split),
        web: cpus(roles.web),
      },
    };
  } finally {
    await vendor.close();
    for (const created of databases) await created.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measureProcesses(
    Number(process.argv[2] ?? 3),
    Number(process.argv[3] ?? 5),
  );
  for (const item of figures.router) {
    console.log(
      `${item.backend}: before the router ${median(item.before).toFixed(0)} req/s, after ${median(item.after).toFixed(0)} (${(median(item.after) / median(item.before)).toFixed(2)}×)`,
    );
  }
  const { off, together, split, web } = figures.roles;
  const of = (runs: number[]) => `${(median(runs) / median(off)).toFixed(2)}×`;
  console.log(
    `postgres, forwarding on: one process ${of(together)} of off, web + forwarder ${of(split)}, web alone ${of(web)} (off ${median(off).toFixed(0)} req/s)`,
  );
  for (const [kind, runs] of Object.entries(figures.cpu)) {
    const each = (pick: (cpu: CpuPerVote) => number) => median(runs.map(pick)).toFixed(0);
    const collectors = runs[0]?.collectors.map((_, index) =>
      each((cpu) => cpu.collectors[index] ?? 0),
    );
    console.log(
      `${kind}: ${each((cpu) => cpu.machine)} µs of CPU per vote; collectors ${collectors?.join(' + ')} µs, bench ${each((cpu) => cpu.bench)} µs`,
    );
  }
}
