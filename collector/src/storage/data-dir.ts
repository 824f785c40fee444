import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { CollectorConfigError } from '../config';

/** Lock files this process holds, so a pid reused after a crash is not mistaken for a holder. */
const held = new Set<string>();

/** Why a data directory cannot be used, by the error code of the first thing that failed on it. */
const REASONS: Record<string, string> = {
  EACCES: 'is not writable by this user',
  EPERM: 'is not writable by this user',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'is on a full disk',
  EDQUOT: 'is over its disk quota',
  ENOTDIR: 'is not a directory',
  EEXIST: 'is not a directory',
};

/** Turns a file-system failure on `DATA_DIR` into one line naming it, the path and the cause. */
function dataDirError(dataDir: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason === undefined) return error;
  return new CollectorConfigError('DATA_DIR', `"${resolve(dataDir)}" ${reason} (${code}).`);
}

function alive(pid: number, lockFile: string): boolean {
  if (pid === process.pid) return held.has(lockFile);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function read(lockFile: string): string | undefined {
  try {
    return readFileSync(lockFile, 'utf8');
  } catch {
    return undefined;
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Makes this process the only collector on `dataDir`: PGlite keeps its database in memory
 * and writes it back, so two processes on one directory would each lose the other's votes.
 * The lock is a file holding the owner's pid; one left by a process that died is taken over,
 * under a second lock (a directory, created atomically) so two starters cannot both do it.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lockFile = resolve(join(dataDir, 'collector.lock'));
  try {
    mkdirSync(dataDir, { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(lockFile, 'wx');
        try {
          writeSync(fd, String(process.pid));
        } finally {
          closeSync(fd);
        }
        held.add(lockFile);
        return {
          release() {
            if (!held.delete(lockFile)) return;
            if (read(lockFile) === String(process.pid)) unlinkSync(lockFile);
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = read(lockFile);
      const pid = Number(holder);
      if (holder !== undefined && /^\d+$/.test(holder) && alive(pid, lockFile)) {
        throw new CollectorConfigError(
          'DATA_DIR',
          `"${resolve(dataDir)}" is in use by another collector (pid ${pid}); stop it, or give this one another DATA_DIR.`,
        );
      }
      const takeover = `${lockFile}.takeover`;
      try {
        mkdirSync(takeover);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // Left by a process killed between the two synchronous steps below: long gone.
        if (Date.now() - statSync(takeover).mtimeMs > 10_000) rmdirSync(takeover);
        else await new Promise((done) => setTimeout(done, 50));
        continue;
      }
      try {
        if (read(lockFile) === holder) unlinkSync(lockFile);
      } finally {
        rmdirSync(takeover);
      }
    }
  } catch (error) {
    throw dataDirError(dataDir, error);
  }
  throw new CollectorConfigError(
    'DATA_DIR',
    `"${resolve(dataDir)}" is being taken over by another collector starting at the same time.`,
  );
}
