import { fsyncSync } from 'node:fs';
import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import { lockDataDir } from './data-dir';
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
 * PGlite starts PostgreSQL with `-F` (fsync off); without it, and with the WAL synced by
 * fsync (the one call Emscripten forwards), a commit is on disk before the vote is answered.
 */
const DURABLE_START = [
  ...PGlite.defaultStartParams.filter((param) => param !== '-F'),
  '-c',
  'wal_sync_method=fsync',
];

/**
 * PostgreSQL keeps up to `max_files_per_process` table and index files open, and each is one of
 * the collector's own file descriptors: bounded, they leave the connections their room under
 * the open-file limit (the inbox's indexes of migration 005 took PGlite to 120 open files).
 */
const BOUNDED_FILES = ['-c', 'max_files_per_process=64'];

/** The inbox's word search is served by trigram indexes (migration 005). */
const EXTENSIONS = { pg_trgm };

/** The embedded backend: a PostgreSQL compiled to WebAssembly, its files in `dataDir`. */
export async function openPglite(dataDir: string, durable = true): Promise<Database> {
  const lock = await lockDataDir(dataDir);
  let db: PGlite;
  try {
    db = durable
      ? await PGlite.create({
          fs: new DurableNodeFS(dataDir),
          startParams: [...DURABLE_START, ...BOUNDED_FILES],
          extensions: EXTENSIONS,
        })
      : await PGlite.create(dataDir, {
          extensions: EXTENSIONS,
          startParams: [...PGlite.defaultStartParams, ...BOUNDED_FILES],
        });
  } catch (error) {
    lock.release();
    throw error;
  }
  const wrap = (target: Pick<PGliteInterface, 'query' | 'exec'>): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      return (await target.query(sql, [...params])).rows as T[];
    },
    async exec(sql) {
      await target.exec(sql);
    },
  });
  return {
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async close() {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}
