import {
  chmodSync,
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { CollectorConfigError } from '../config';

/** Lock files this process holds, so a pid reused after a crash is not mistaken for a holder. */
const held = new Set<string>();

/**
 * A starter holds the takeover directory for two synchronous steps: one older than this (or
 * dated this far ahead, by a clock set back since) was left by a starter killed between them.
 */
const ABANDONED_TAKEOVER_MS = 10_000;
/** How often a starter looks again while another takes a stale lock over. */
const TAKEOVER_POLL_MS = 50;

/** Why a data directory cannot be used, by the error code of the first thing that failed on it. */
const REASONS: Record<string, string> = {
  EACCES: 'is not writable by this user',
  EPERM: 'is not writable by this user',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'is on a full disk',
  EDQUOT: 'is over its disk quota',
  ENOTDIR: 'is not a directory',
  EEXIST: 'is not a directory',
  EIO: 'could not be read or written (an I/O error)',
  ENAMETOOLONG: 'is too long a path',
  ELOOP: 'is a loop of symbolic links',
  // mkdir answers ENOENT where a parent cannot hold a new directory (a read-only mount).
  ENOENT: 'cannot be created there',
};

/** Turns a file-system failure on `DATA_DIR` into one line naming it, the path and the cause. */
export function dataDirError(dataDir: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason === undefined) return error;
  return new CollectorConfigError('DATA_DIR', `"${resolve(dataDir)}" ${reason} (${code}).`);
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** Runs `step` on a path another starter may have removed meanwhile, which is then no matter. */
function unlessGone<T>(step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * What tells process `pid` from any other given the same pid later, where the system says
 * (Linux): the boot's id and the process's start time, in clock ticks since that boot. After a
 * reboot, or in a container started afresh, pids are handed out again from the start.
 */
function identity(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The 22nd field; counted after the 2nd, the command's name, which may hold spaces and ')'.
    const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return boot && started ? `${boot}/${started}` : undefined;
  } catch {
    return undefined;
  }
}

/** A lock file's text: the holder's pid, then its identity where there is one. */
function lockText(pid: number): string {
  const known = identity(pid);
  return known === undefined ? String(pid) : `${pid} ${known}`;
}

/**
 * The pid of the collector holding `text`, or undefined when that process is gone: no process
 * has the pid, or the one that has it now is another (its identity differs). A lock without an
 * identity, or a process whose identity cannot be read, is judged by the pid alone.
 */
function holder(text: string, lockFile: string): number | undefined {
  const [, digits, recorded] = /^(\d+)(?: (\S+))?$/.exec(text) ?? [];
  if (digits === undefined) return undefined;
  const pid = Number(digits);
  if (pid === process.pid) return held.has(lockFile) ? pid : undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return undefined;
  }
  const now = recorded === undefined ? undefined : identity(pid);
  return now === undefined || now === recorded ? pid : undefined;
}

/** A file's text, or undefined if there is no such file. */
const read = (file: string) => unlessGone(() => readFileSync(file, 'utf8'));

/** Creates `lockFile` holding `text`; false if it exists. */
function create(lockFile: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes `lockFile` if it still holds `stale`, under a second lock (a directory, created
 * atomically) so two starters cannot both do it; false if another starter is doing it.
 */
function takeOver(lockFile: string, stale: string): boolean {
  const takeover = `${lockFile}.takeover`;
  try {
    mkdirSync(takeover);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    const made = unlessGone(() => statSync(takeover).mtimeMs);
    if (made !== undefined && Math.abs(Date.now() - made) > ABANDONED_TAKEOVER_MS) {
      unlessGone(() => rmdirSync(takeover));
    }
    return false;
  }
  try {
    if (read(lockFile) === stale) unlinkSync(lockFile);
  } finally {
    rmdirSync(takeover);
  }
  return true;
}

/** Takes group and other permissions off `path` and all below it that this user owns. */
function restrict(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink() || stat.uid !== process.getuid?.()) return;
  if ((stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o700);
  if (stat.isDirectory()) for (const name of readdirSync(path)) restrict(join(path, name));
}

/**
 * Makes `dataDir` (where a link leads) and its contents this user's alone: PGlite creates its
 * files 0666, and they hold every comment and the voters' HMAC key (PostgreSQL itself refuses
 * a data directory open to others).
 */
export function keepPrivate(dataDir: string): void {
  restrict(realpathSync(dataDir));
}

export interface DataDirLock {
  release(): void;
}

/**
 * Makes this process the only collector on `dataDir`: PGlite keeps its database in memory
 * and writes it back, so two processes on one directory would each lose the other's votes.
 * The lock is a file naming the owner; one left by a process that is gone is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lockFile = resolve(join(dataDir, 'collector.lock'));
  const mine = lockText(process.pid);
  // Long enough to outwait a takeover directory left by a starter that was killed.
  const deadline = Date.now() + 2 * ABANDONED_TAKEOVER_MS;
  try {
    mkdirSync(dataDir, { recursive: true });
    keepPrivate(dataDir);
    while (Date.now() < deadline) {
      if (create(lockFile, mine)) {
        held.add(lockFile);
        return {
          release() {
            if (!held.delete(lockFile)) return;
            if (read(lockFile) === mine) unlinkSync(lockFile);
          },
        };
      }
      const stale = read(lockFile);
      if (stale === undefined) continue;
      const pid = holder(stale, lockFile);
      if (pid !== undefined) {
        throw new CollectorConfigError(
          'DATA_DIR',
          `"${resolve(dataDir)}" is in use by another collector (pid ${pid}); stop it, or give this one another DATA_DIR.`,
        );
      }
      if (!takeOver(lockFile, stale)) {
        await new Promise((done) => setTimeout(done, TAKEOVER_POLL_MS));
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
