import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
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
/** How often the holder of a lock sets its file's time, to show collectors that cannot see it. */
const HEARTBEAT_MS = 5_000;
/**
 * A lock whose holder is out of sight (another PID namespace, as in another container, or
 * another machine) and whose time has not been set for this long was left by a process gone.
 */
const LEASE_MS = 30_000;
/** How often a starter looks at the time of a lock whose holder it cannot see. */
const LEASE_POLL_MS = 250;

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

/** Where pids mean what they say (Linux): this boot, and this PID namespace. */
interface Sight {
  boot: string;
  namespace: string;
}

/**
 * This process's sight: the boot's id and its PID namespace's inode. A collector in another
 * container, or on another machine sharing the directory, has another; its pid means nothing
 * here, so only its lock file's time tells whether it still runs.
 */
function sight(): Sight | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const namespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    return boot && namespace ? { boot, namespace } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What tells process `pid` from any other given the same pid later, where the system says
 * (Linux): its start, in clock ticks since the boot. After a reboot, or in a container started
 * afresh, pids are handed out again from the start.
 */
function started(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The 22nd field; counted after the 2nd, the command's name, which may hold spaces and ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] || undefined;
  } catch {
    return undefined;
  }
}

/** A lock file's text: the holder's pid, then its boot, namespace and start where known. */
function lockText(pid: number, here: Sight | undefined): string {
  const start = started(pid);
  return here === undefined || start === undefined
    ? String(pid)
    : `${pid} ${here.boot}:${here.namespace}/${start}`;
}

/** The holder of a lock as a starter sees it; one `unseen` runs elsewhere. */
type Holder = { pid: number; seen: 'running' | 'unseen' } | undefined;

/**
 * The collector holding `text`, or undefined when it is gone: no process has the pid, or the
 * one that has it now is another (its start differs). One in another namespace or boot is
 * `unseen`. A lock of an older collector (no namespace) is judged by its boot, pid and start,
 * one without a start, or whose process's start cannot be read, by the pid alone.
 */
function holder(text: string, lockFile: string, here: Sight | undefined): Holder {
  const [, digits, boot, namespace, start] =
    /^(\d+)(?: ([^\s:/]+)(?::(\d+))?\/(\d+))?$/.exec(text) ?? [];
  if (digits === undefined) return undefined;
  const pid = Number(digits);
  if (boot !== undefined && here !== undefined) {
    if (namespace === undefined && boot !== here.boot) return undefined;
    if (namespace !== undefined && (boot !== here.boot || namespace !== here.namespace)) {
      return { pid, seen: 'unseen' };
    }
  }
  if (pid === process.pid) return held.has(lockFile) ? { pid, seen: 'running' } : undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return undefined;
  }
  const now = start === undefined ? undefined : started(pid);
  return now === undefined || now === start ? { pid, seen: 'running' } : undefined;
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

/**
 * What a directory of the collector's own holds: a database's files (those a first start that
 * was killed may have left, before PG_VERSION), its lock, and a new volume's lost+found.
 */
const OWN_ENTRY =
  /^(PG_VERSION|base|global|pg_.*|postgresql\..*|postmaster\..*|collector\.lock.*|lost\+found)$/;

/**
 * Refuses a `dataDir` that holds other files, as `DATA_DIR=.` in the directory the collector
 * is installed in: PGlite would write its files among them, and `keepPrivate` would take the
 * permissions of group and others off every one (all of /var/lib, for `DATA_DIR=/var/lib`).
 * One with PG_VERSION holds a database, whose own checks follow.
 */
function ensureOwn(dataDir: string): void {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const other = readdirSync(dataDir).find((name) => !OWN_ENTRY.test(name));
  if (other !== undefined) {
    throw new CollectorConfigError(
      'DATA_DIR',
      `"${resolve(dataDir)}" holds files that are not the collector's database, such as "${other}": give it a directory of its own, new or empty.`,
    );
  }
}

export interface DataDirLock {
  release(): void;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** When `file` was last written or had its time set, or undefined if it is gone. */
const touchedAt = (file: string) => unlessGone(() => statSync(file).mtimeMs);

/**
 * Whether the collector out of sight that holds `lockFile` (as `text`) still runs: true as soon
 * as it sets the file's time again, false once the time has stood for `LEASE_MS` (measured on
 * this clock from the time it shows, and for `LEASE_MS` at most, whatever the other clock says),
 * or the file no longer holds `text`.
 */
async function stillRunning(lockFile: string, text: string): Promise<boolean> {
  const first = touchedAt(lockFile);
  if (first === undefined) return false;
  const wait = Math.min(Math.max(LEASE_MS - (Date.now() - first), 0), LEASE_MS);
  const until = Date.now() + wait;
  while (Date.now() < until) {
    await sleep(LEASE_POLL_MS);
    if (read(lockFile) !== text) return false;
    if (touchedAt(lockFile) !== first) return true;
  }
  return false;
}

/**
 * Sets `lockFile`'s time every `HEARTBEAT_MS`, for collectors that cannot see this process
 * (`stillRunning`); if the file no longer holds `mine` (taken over by a collector that waited
 * out a stall longer than `LEASE_MS`), stops and calls `lost` with what it holds instead.
 */
function heartbeat(lockFile: string, mine: string, lost: (text: string) => void) {
  const timer = setInterval(() => {
    try {
      const text = read(lockFile) ?? '';
      if (text !== mine) {
        clearInterval(timer);
        held.delete(lockFile);
        lost(text);
        return;
      }
      const now = new Date();
      utimesSync(lockFile, now, now);
    } catch {
      // A file system that failed for a moment; the next beat tries again.
    }
  }, HEARTBEAT_MS);
  timer.unref();
  return timer;
}

/**
 * Makes this process the only collector on `dataDir`: PGlite keeps its database in memory
 * and writes it back, so two processes on one directory would each lose the other's votes.
 * The lock is a file naming the owner, its time set every few seconds; one left by a process
 * that is gone is taken over, at once where this process can see that it is gone, else once
 * its time has stood for `LEASE_MS`. `lost` is called if another collector takes it over all
 * the same (after this process stalled that long): this one must stop writing to `dataDir`.
 */
export async function lockDataDir(
  dataDir: string,
  lost: (text: string) => void,
): Promise<DataDirLock> {
  const lockFile = resolve(join(dataDir, 'collector.lock'));
  const here = sight();
  const mine = lockText(process.pid, here);
  // Long enough to outwait a takeover directory left by a starter that was killed.
  const patience = () => Date.now() + 2 * ABANDONED_TAKEOVER_MS;
  let deadline = patience();
  try {
    mkdirSync(dataDir, { recursive: true });
    ensureOwn(dataDir);
    keepPrivate(dataDir);
    while (Date.now() < deadline) {
      if (create(lockFile, mine)) {
        held.add(lockFile);
        const timer = heartbeat(lockFile, mine, lost);
        return {
          release() {
            clearInterval(timer);
            if (!held.delete(lockFile)) return;
            if (read(lockFile) === mine) unlinkSync(lockFile);
          },
        };
      }
      const stale = read(lockFile);
      if (stale === undefined) continue;
      const found = holder(stale, lockFile, here);
      if (found?.seen === 'unseen' && !(await stillRunning(lockFile, stale))) {
        deadline = patience();
      } else if (found !== undefined) {
        const where = found.seen === 'unseen' ? ', in another container or on another machine' : '';
        throw new CollectorConfigError(
          'DATA_DIR',
          `"${resolve(dataDir)}" is in use by another collector (pid ${found.pid}${where}); stop it, or give this one another DATA_DIR.`,
        );
      }
      if (!takeOver(lockFile, stale)) await sleep(TAKEOVER_POLL_MS);
    }
  } catch (error) {
    throw dataDirError(dataDir, error);
  }
  throw new CollectorConfigError(
    'DATA_DIR',
    `"${resolve(dataDir)}" is being taken over by another collector starting at the same time.`,
  );
}
