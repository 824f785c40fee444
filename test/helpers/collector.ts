import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { type CreateCollectorOptions, createCollector } from '../../collector/src/collector';
import { lateBound } from './hooks';
import { startTestDatabase } from './postgres';

/** The collector package's bin, as `npx feedback-collector` runs it (the compiled collector). */
export const BIN = new URL('../../collector/bin/feedback-collector.js', import.meta.url).pathname;
/** `npm start`'s collector with the demo's pages. */
const DEMO = new URL('../../demo/main.ts', import.meta.url).pathname;
/** The bin's source, run through tsx: the collector as the working tree has it, unbuilt. */
const SOURCE = new URL('../../collector/src/bin.ts', import.meta.url).pathname;
/** The start-up line, in a JSON log line or a text one. */
const READY = /feedback-widget collector: (http:\/\/[^\s"]+)\//;

/** The `msg` of every JSON line a collector printed, the other lines as they are. */
export function messages(output: string): string[] {
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return (JSON.parse(line) as { msg: string }).msg;
      } catch {
        return line;
      }
    });
}

export interface CollectorProcess {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the collector printed so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once the process has exited. */
  stop(): Promise<number | null>;
}

export function temporaryDir(): string {
  return mkdtempSync(join(tmpdir(), 'feedback-collector-'));
}

/**
 * A fresh PGlite `DATA_DIR` holding a migrated database: a copy of the one the run made before
 * its first test (`global-setup.ts`), in `into` (an empty directory) or in a directory of the
 * run's, removed after it. A collector takes ~0.7 s to open a copy, against ~4.5 s of CPU to
 * make a database (initdb in WebAssembly) and migrate it. Tests of a directory's first start
 * use `temporaryDir()`.
 */
export function pgliteDataDir(into?: string): string {
  const run = inject('pgliteTemplates');
  const dir = into ?? mkdtempSync(join(run, 'copy-'));
  cpSync(join(run, 'migrated'), dir, { recursive: true });
  return dir;
}

/** A maker of temporary directories for a test file, removed after its last test. */
export function useTemporaryDirs(): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const made of dirs) rmSync(made, { recursive: true, force: true });
  });
  return () => {
    const made = temporaryDir();
    dirs.push(made);
    return made;
  };
}

/**
 * Runs the collector's compiled bin (or, with `demo`, `npm start`'s demo; with `source`, the
 * bin's TypeScript source) as a child process on a free port and a fresh temporary DATA_DIR
 * holding a migrated database (unless one is given, removed when the test process exits), and resolves once it printed its
 * URL. The child is killed if the test process exits first.
 */
export function startCollector(
  options: {
    env?: Record<string, string>;
    dataDir?: string;
    demo?: boolean;
    source?: boolean;
  } = {},
): Promise<CollectorProcess> {
  const dataDir = options.dataDir ?? (options.env?.DATABASE_URL ? temporaryDir() : pgliteDataDir());
  // A directory this helper made outlives stop(), so a test can restart on it; it goes at exit.
  if (options.dataDir === undefined) {
    process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  }
  const args = options.demo
    ? ['--import', 'tsx', DEMO]
    : options.source
      ? ['--import', 'tsx', SOURCE]
      : [BIN];
  const child = spawn(process.execPath, args, {
    // Tests poll reads far faster than a person: no read limit unless a test sets one.
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, READ_RATE_LIMIT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      process.off('exit', kill);
      resolve(code);
    });
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = READY.exec(output)?.[1];
      if (url === undefined) return;
      child.stdout?.off('data', onData);
      child.stdout?.on('data', (more: Buffer) => {
        output += more.toString();
      });
      resolve({
        origin: url,
        dataDir,
        process: child,
        output: () => output,
        stop() {
          child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    exited.then((code) => reject(new Error(`The collector exited with ${code}:\n${output}`)));
  });
}

export type Backend = 'pglite' | 'postgres';

/** An in-process collector listening on a free port. */
export interface Collector {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** The JSON lines it logged so far. */
  logs(): string[];
  close(): Promise<void>;
}

/** Starts a collector in this process on a free port, its log lines kept rather than printed. */
export async function listenCollector(options: CreateCollectorOptions): Promise<Collector> {
  const lines: string[] = [];
  const collector = createCollector({
    port: 0,
    logDestination: { write: (line) => lines.push(line) },
    ...options,
  });
  const { url } = await collector.listen();
  return { url, logs: () => lines, close: () => collector.close() };
}

/** Storage for in-process collectors: a PGlite directory, or a fresh PostgreSQL database. */
export interface TestStorage {
  /**
   * Options for a collector on this storage; each PGlite collector gets its own directory, with
   * a migrated database in it unless `empty`.
   */
  options(place?: { empty: boolean }): Promise<CreateCollectorOptions>;
  /**
   * Starts a collector on this storage on a free port, without rate limits unless asked,
   * that closes idle connections at once when it stops (tests hold no request on them).
   */
  start(overrides?: CreateCollectorOptions): Promise<Collector>;
  stop(): Promise<void>;
}

export async function openStorage(backend: Backend): Promise<TestStorage> {
  const dirs: string[] = [];
  const database = backend === 'postgres' ? await startTestDatabase() : undefined;
  const options = async (place = { empty: false }): Promise<CreateCollectorOptions> => {
    if (database) return { databaseUrl: database.url };
    const dir = place.empty ? temporaryDir() : pgliteDataDir();
    dirs.push(dir);
    return { dataDir: dir };
  };
  return {
    options,
    start: async (overrides = {}) =>
      listenCollector({
        rateLimit: 0,
        readRateLimit: 0,
        shutdownGraceMs: 0,
        ...(await options()),
        ...overrides,
      }),
    async stop() {
      await database?.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Storage a `describe` shares: new collectors on it, never its end (that is an `afterAll`'s). */
export type SharedStorage = Pick<TestStorage, 'options' | 'start'>;

/**
 * Storage on `backend` for the tests of the enclosing `describe`: opened before them, dropped
 * after them. Hooks run as a stack, so the `afterAll`s registered after this call (closing the
 * collectors on it) run before the storage is dropped.
 *
 * @example
 * const storage = useStorage(backend);
 * test('…', async () => { const collector = await storage.start(); … });
 */
export function useStorage(backend: Backend): SharedStorage {
  let storage: TestStorage | undefined;
  beforeAll(async () => {
    storage = await openStorage(backend);
  });
  afterAll(async () => {
    await storage?.stop();
  });
  return lateBound<SharedStorage>('useStorage()', () => storage);
}

/**
 * An in-process collector on `backend` for the tests of the enclosing `describe`, started with
 * `start` before them (then `seed`, if given) and stopped with its storage after them.
 */
export function useCollector(
  backend: Backend,
  setup: { start?: CreateCollectorOptions; seed?: (url: string) => Promise<void> } = {},
): Pick<Collector, 'url' | 'logs'> & { readonly storage: SharedStorage } {
  const storage = useStorage(backend);
  let collector: Collector | undefined;
  beforeAll(async () => {
    collector = await storage.start(setup.start);
    await setup.seed?.(collector.url);
  });
  afterAll(async () => {
    await collector?.close();
  });
  return {
    get url() {
      return (collector as Collector).url;
    },
    logs: () => (collector as Collector).logs(),
    storage,
  };
}

/** A response as tests look at it: status, headers and the parsed JSON body. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are JSON that tests compare with toEqual.
  body: any;
}

/** Sends `body` as JSON (strings are sent as they are) and parses the JSON answer. */
export async function send(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const body =
    init.body === undefined || typeof init.body === 'string'
      ? init.body
      : JSON.stringify(init.body);
  const response = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers:
      body === undefined
        ? { ...init.headers }
        : { 'Content-Type': 'application/json', ...init.headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

/** The smallest valid `event` body (an up vote on a 0..1 scale), with `overrides` on top. */
export function minimalEvent(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    rating: 'up',
    sentiment: 'positive',
    value: 1,
    scale: { min: 0, max: 1 },
    page_url: 'https://help.example.com/a',
    locale: 'en',
    created_at: '2026-11-21T10:00:00.000Z',
    ...overrides,
  };
}
