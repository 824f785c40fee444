import { fsyncSync, readFileSync, statfsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import { CollectorConfigError } from '../config';
import { StorageFullError, StorageLostError } from '../errors';
import { dataDirError, keepPrivate, lockDataDir } from './data-dir';
import type { Database, Queryable } from './database';

type Emscripten = Parameters<NodeFS['init']>[1];
interface SyncedStream {
  nfd: number;
}

/**
 * PGlite's Node file system with a working fsync. Emscripten's NODEFS has none, so the
 * `fsync()` PostgreSQL issues at every commit would do nothing; here it reaches the disk.
 */
class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Emscripten) {
    const options = await super.init(pg, opts);
    const { preRun = [] } = options.emscriptenOpts;
    options.emscriptenOpts.preRun = [
      ...(Array.isArray(preRun) ? preRun : [preRun]),
      (mod: { NODEFS: { stream_ops: { fsync?: (stream: SyncedStream) => number } } }) => {
        mod.NODEFS.stream_ops.fsync = (stream) => {
          fsyncSync(stream.nfd);
          return 0;
        };
      },
    ];
    return options;
  }
}

/**
 * Every relation file PostgreSQL touches stays open, up to `max_files_per_process` (1,000 by
 * default): with this schema's tables and indexes PGlite held about 140 of the process's file
 * descriptors once housekeeping had run, more than the 128 the HTTP server leaves free of
 * connections (`RESERVED_FDS`), so a flood of idle connections made `accept()` fail. Past 64 it
 * closes the least recently used ones, and a vote touches about 30.
 */
const BOUNDED_FILES = ['-c', 'max_files_per_process=64'];

/**
 * PGlite starts PostgreSQL with `-F` (fsync off); without it, and with the WAL synced by
 * fsync (the one call Emscripten forwards), a commit is on disk before the vote is answered.
 */
const DURABLE_START = [
  ...PGlite.defaultStartParams.filter((param) => param !== '-F'),
  '-c',
  'wal_sync_method=fsync',
  ...BOUNDED_FILES,
];

/** The inbox's word search is served by trigram indexes (migration 005). */
const EXTENSIONS = { pg_trgm };

/** The PostgreSQL that PGlite is, whose data directories alone it opens. */
const POSTGRES_MAJOR = '18';

/**
 * The Node codes of the WASI error numbers PGlite's file system throws (as objects that are
 * not `Error`s, `{ name: 'ErrnoError', errno }`).
 */
const WASI_CODES: Record<number, string> = {
  2: 'EACCES',
  19: 'EDQUOT',
  29: 'EIO',
  44: 'ENOENT',
  51: 'ENOSPC',
  63: 'EPERM',
  69: 'EROFS',
};

/**
 * Why PGlite could not open `dataDir`, as one line naming `DATA_DIR`: a file-system error, a
 * directory of another PostgreSQL, or one it aborted on (damaged, or partly unreadable).
 */
function openFailure(dataDir: string, error: unknown): unknown {
  const where = `"${resolve(dataDir)}"`;
  const { errno } = (error ?? {}) as { errno?: unknown };
  if (!(error instanceof Error) && typeof errno === 'number') {
    const code = WASI_CODES[errno] ?? `errno ${errno}`;
    const known = dataDirError(dataDir, { code });
    return known instanceof CollectorConfigError
      ? known
      : new CollectorConfigError('DATA_DIR', `${where} could not be opened (${code}).`);
  }
  const aborted =
    error instanceof WebAssembly.RuntimeError ||
    (error instanceof Error && error.message === 'PGlite failed to initialize properly');
  if (!aborted) return error;
  let version: string | undefined;
  try {
    version = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim();
  } catch {}
  if (version !== undefined && version !== POSTGRES_MAJOR) {
    return new CollectorConfigError(
      'DATA_DIR',
      `${where} holds a PostgreSQL ${version} database, which the embedded PostgreSQL ${POSTGRES_MAJOR} cannot open; for a PostgreSQL server, set DATABASE_URL instead.`,
    );
  }
  return new CollectorConfigError(
    'DATA_DIR',
    `${where} holds a database that could not be opened: damaged, or not all readable by this user. Restore it from a backup, or move it away to start afresh.`,
  );
}

/**
 * Room the embedded database's disk keeps free. PostgreSQL stops (PANIC) when it cannot write
 * its log, and PGlite then spins in WebAssembly on the collector's thread: no request, not even
 * a SIGTERM, was answered again once the log needed its next 16 MB segment on a full disk.
 * Short of this, queries are refused before they reach it.
 */
const RESERVE_BYTES = 64 * 1024 * 1024;
/** How often the free space is read; a vote writes a few kilobytes. */
const ROOM_CHECK_MS = 1_000;

const megabytes = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MB`;

/** Free bytes on `dataDir`'s disk for this user, or undefined where the system does not tell. */
function freeBytes(dataDir: string): number | undefined {
  try {
    const { bavail, bsize } = statfsSync(dataDir);
    return bavail * bsize;
  } catch {
    return undefined;
  }
}

/** Throws a `StorageFullError` while `dataDir`'s disk has less than the reserve free. */
function roomGuard(dataDir: string): () => void {
  let checkedAt = Number.NEGATIVE_INFINITY;
  let short: StorageFullError | undefined;
  return () => {
    const now = performance.now();
    if (now - checkedAt >= ROOM_CHECK_MS) {
      checkedAt = now;
      const free = freeBytes(dataDir);
      short =
        free === undefined || free >= RESERVE_BYTES
          ? undefined
          : new StorageFullError(
              `\`DATA_DIR\` "${resolve(dataDir)}" has ${megabytes(free)} free on its disk, less than the ${megabytes(RESERVE_BYTES)} the collector keeps for the database: nothing is stored until there is room.`,
            );
    }
    if (short) throw short;
  };
}

/** The embedded backend: a PostgreSQL compiled to WebAssembly, its files in `dataDir`. */
export async function openPglite(dataDir: string, durable = true): Promise<Database> {
  /** Set if another collector took `dataDir` over: from then on nothing is written to it. */
  let lost: StorageLostError | undefined;
  const lock = await lockDataDir(dataDir, (text) => {
    lost = new StorageLostError(
      `\`DATA_DIR\` "${resolve(dataDir)}" was taken over by another collector (its lock now reads "${text.slice(0, 100)}") while this one stalled; this one no longer uses it. Restart it once the other has stopped, or give it a DATA_DIR of its own.`,
    );
  });
  const free = freeBytes(dataDir);
  if (free !== undefined && free < RESERVE_BYTES) {
    lock.release();
    throw new CollectorConfigError(
      'DATA_DIR',
      `"${resolve(dataDir)}" has ${megabytes(free)} free on its disk; the collector needs ${megabytes(RESERVE_BYTES)} there.`,
    );
  }
  const room = roomGuard(dataDir);
  let db: PGlite;
  try {
    db = durable
      ? await PGlite.create({
          fs: new DurableNodeFS(dataDir),
          startParams: DURABLE_START,
          extensions: EXTENSIONS,
        })
      : await PGlite.create(dataDir, {
          startParams: [...PGlite.defaultStartParams, ...BOUNDED_FILES],
          extensions: EXTENSIONS,
        });
  } catch (error) {
    lock.release();
    throw openFailure(dataDir, error);
  }
  try {
    // The files PGlite made on a first start; the directory has been private since it was made.
    keepPrivate(dataDir);
  } catch (error) {
    await db.close();
    lock.release();
    throw dataDirError(dataDir, error);
  }
  const wrap = (target: Pick<PGliteInterface, 'query' | 'exec'>): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      if (lost) throw lost;
      room();
      return (await target.query(sql, [...params])).rows as T[];
    },
    async exec(sql) {
      if (lost) throw lost;
      room();
      await target.exec(sql);
    },
  });
  // PGlite belongs to this process alone, so no other collector can hold a lock on it.
  const running = new Set<number>();
  return {
    ...wrap(db),
    async transaction(fn) {
      if (lost) throw lost;
      room();
      return db.transaction((tx) => fn(wrap(tx)));
    },
    async exclusively(lock, fn) {
      if (running.has(lock)) return undefined;
      running.add(lock);
      try {
        return await fn();
      } finally {
        running.delete(lock);
      }
    },
    async maintain(analyze) {
      if (lost) throw lost;
      room();
      await db.exec(analyze ? 'VACUUM (ANALYZE)' : 'VACUUM');
      await db.exec('CHECKPOINT');
    },
    async close() {
      // Closing writes a checkpoint, into files another collector now owns.
      if (lost) return;
      try {
        // Or onto a disk too full for its log; the next start replays the log instead.
        room();
      } catch {
        lock.release();
        return;
      }
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}
