import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import {
  BIN,
  listenCollector,
  pgliteDataDir,
  send,
  startCollector,
  useTemporaryDirs,
} from '../helpers/collector';
import { eventBody } from '../helpers/forward';

const dir = useTemporaryDirs();

const lockOf = (dataDir: string) => join(dataDir, 'collector.lock');

/** Starts and stops a collector on `dataDir`, and resolves with the lock it held meanwhile. */
async function lockTextOf(dataDir: string): Promise<string> {
  const collector = await listenCollector({ dataDir });
  try {
    return readFileSync(lockOf(dataDir), 'utf8');
  } finally {
    await collector.close();
  }
}

/** A pid no process has: one that has just exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

/** A live process that is not a collector, for a pid a lock may name. */
function otherProcess() {
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  return { pid: other.pid as number, stop: () => other.kill('SIGKILL') };
}

/** Whether this system tells a process from a later one given its pid (Linux's /proc). */
const identifiable =
  existsSync('/proc/self/stat') &&
  existsSync('/proc/sys/kernel/random/boot_id') &&
  existsSync('/proc/self/ns/pid');

/** Whether this test may start a process in a PID namespace of its own, as a container is. */
const canUnshare =
  identifiable &&
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

/** `lock` as a collector in another container leaves it: another PID namespace. */
const fromAnotherContainer = (lock: string) => lock.replace(/:\d+\//, ':1/');

/** Writes `file` until its disk has no room left. */
function fillDisk(file: string) {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

/** Sets `file`'s time to `ago` ms before now. */
function touch(file: string, ago = 0) {
  const at = new Date(Date.now() - ago);
  utimesSync(file, at, at);
}

/** Opens the database on `dataDir` in this process; resolves once it took a vote. */
async function startHere(dataDir: string) {
  const collector = await listenCollector({ dataDir, rateLimit: 0 });
  const posted = await send(`${collector.url}api/feedback`, { body: eventBody('taken') });
  expect(posted.status).toBe(201);
  return collector;
}

describe('the lock on a PGlite data directory', { timeout: 60_000 }, () => {
  test('a collector running on it keeps it: another refuses, naming DATA_DIR and its pid', async () => {
    const first = await startCollector({ source: true, dataDir: pgliteDataDir(dir()) });
    const second = createCollector({ dataDir: first.dataDir, logDestination: { write() {} } });
    try {
      await expect(second.listen({ port: 0 })).rejects.toThrow(
        `\`DATA_DIR\` "${first.dataDir}" is in use by another collector (pid ${first.process.pid}); stop it, or give this one another DATA_DIR.`,
      );
    } finally {
      await second.close();
      expect(await first.stop()).toBe(0);
    }
  });

  test('the lock of a collector killed with SIGKILL is taken over', async () => {
    const dataDir = pgliteDataDir(dir());
    const killed = await startCollector({ source: true, dataDir });
    killed.process.kill('SIGKILL');
    await new Promise((resolve) => killed.process.once('exit', resolve));
    expect(existsSync(lockOf(dataDir))).toBe(true);
    const next = await startHere(dataDir);
    await next.close();
    expect(existsSync(lockOf(dataDir))).toBe(false);
  });

  test.runIf(identifiable)(
    'a lock whose pid now belongs to another process, as after a reboot, is taken over',
    async () => {
      const dataDir = pgliteDataDir(dir());
      const lock = await lockTextOf(dataDir);
      const other = otherProcess();
      try {
        writeFileSync(lockOf(dataDir), lock.replace(/^\d+/, String(other.pid)));
        const next = await startHere(dataDir);
        await next.close();
      } finally {
        other.stop();
      }
    },
  );

  test('a lock naming a live pid alone, with nothing to tell its process by, still refuses', async () => {
    const dataDir = dir();
    const other = otherProcess();
    const collector = createCollector({ dataDir, logDestination: { write() {} } });
    try {
      writeFileSync(lockOf(dataDir), String(other.pid));
      await expect(collector.listen({ port: 0 })).rejects.toThrow(
        `is in use by another collector (pid ${other.pid})`,
      );
    } finally {
      await collector.close();
      other.stop();
    }
  });

  test.runIf(canUnshare)(
    'a collector in another container (PID namespace) on the same directory is refused',
    async () => {
      const first = await startCollector({ dataDir: pgliteDataDir(dir()) });
      try {
        const second = spawnSync(
          'unshare',
          ['--pid', '--fork', '--mount-proc', process.execPath, BIN],
          {
            env: { ...process.env, PORT: '0', DATA_DIR: first.dataDir },
            encoding: 'utf8',
            timeout: 40_000,
          },
        );
        expect(second.status).toBe(1);
        expect(second.stdout).toContain(
          `is in use by another collector (pid ${first.process.pid}, in another container or on another machine); stop it, or give this one another DATA_DIR.`,
        );
        const posted = await send(`${first.origin}/api/feedback`, { body: eventBody('kept') });
        expect(posted.status).toBe(201);
      } finally {
        expect(await first.stop()).toBe(0);
      }
    },
  );

  test.runIf(identifiable)(
    'a lock from another container whose time keeps being set is refused',
    async () => {
      const dataDir = pgliteDataDir(dir());
      writeFileSync(lockOf(dataDir), fromAnotherContainer(await lockTextOf(dataDir)));
      const beating = setInterval(() => touch(lockOf(dataDir)), 200);
      const collector = createCollector({ dataDir, logDestination: { write() {} } });
      try {
        await expect(collector.listen({ port: 0 })).rejects.toThrow(
          `is in use by another collector (pid ${process.pid}, in another container or on another machine)`,
        );
      } finally {
        clearInterval(beating);
        await collector.close();
      }
    },
  );

  test.runIf(identifiable)(
    'a lock from another container whose time has stood for 30 s is taken over',
    async () => {
      const dataDir = pgliteDataDir(dir());
      writeFileSync(lockOf(dataDir), fromAnotherContainer(await lockTextOf(dataDir)));
      touch(lockOf(dataDir), 29_000);
      const next = await startHere(dataDir);
      await next.close();
      expect(existsSync(lockOf(dataDir))).toBe(false);
    },
  );

  test('a collector whose directory another took over stops using it: 503, and its lock is left', async () => {
    const dataDir = pgliteDataDir(dir());
    const collector = await startHere(dataDir);
    try {
      writeFileSync(lockOf(dataDir), '1');
      await vi.waitFor(
        async () => {
          const posted = await send(`${collector.url}api/feedback`, { body: eventBody('late') });
          expect(posted.status).toBe(503);
        },
        { timeout: 10_000, interval: 250 },
      );
      expect((await fetch(`${collector.url}readyz`)).status).toBe(503);
    } finally {
      await collector.close();
    }
    expect(readFileSync(lockOf(dataDir), 'utf8')).toBe('1');
  });

  test('a stale lock another starter is taking over is waited for, not given up on', async () => {
    const dataDir = pgliteDataDir(dir());
    writeFileSync(lockOf(dataDir), String(deadPid()));
    // As a starter killed 9 s ago between its two steps left it: abandoned in a second.
    const takeover = `${lockOf(dataDir)}.takeover`;
    mkdirSync(takeover);
    const made = new Date(Date.now() - 9_000);
    utimesSync(takeover, made, made);
    const next = await startHere(dataDir);
    await next.close();
    expect(existsSync(takeover)).toBe(false);
  });
});

describe('a PGlite data directory', { timeout: 60_000 }, () => {
  /** A data directory a collector has made and closed. */
  async function made(): Promise<string> {
    const dataDir = join(dir(), 'data');
    await (await listenCollector({ dataDir })).close();
    return dataDir;
  }

  /** The message a collector on `dataDir` refuses to start with. */
  async function refusal(dataDir: string): Promise<string> {
    const collector = createCollector({ dataDir, logDestination: { write() {} } });
    try {
      await collector.listen({ port: 0 });
      return 'the collector started';
    } catch (error) {
      return (error as Error).message;
    } finally {
      await collector.close();
    }
  }

  test('is made private to this user, its files and one made open before included', async () => {
    const dataDir = await made();
    const modeOf = (path: string) => statSync(path).mode & 0o777;
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'PG_VERSION'))).toBe(0o600);
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'PG_VERSION'), 0o666);
    await (await listenCollector({ dataDir })).close();
    expect([modeOf(dataDir), modeOf(join(dataDir, 'PG_VERSION'))]).toEqual([0o700, 0o600]);
  });

  test('one that is damaged stops start-up naming DATA_DIR and what to do', async () => {
    const dataDir = await made();
    truncateSync(join(dataDir, 'global', 'pg_control'), 100);
    expect(await refusal(dataDir)).toBe(
      `\`DATA_DIR\` "${dataDir}" holds a database that could not be opened: damaged, or not all readable by this user. Restore it from a backup, or move it away to start afresh.`,
    );
  });

  test('one of another PostgreSQL stops start-up naming its version', async () => {
    const dataDir = await made();
    writeFileSync(join(dataDir, 'PG_VERSION'), '15\n');
    expect(await refusal(dataDir)).toMatch(
      new RegExp(
        `^\`DATA_DIR\` "${dataDir}" holds a PostgreSQL 15 database, which the embedded PostgreSQL \\d+ cannot open; for a PostgreSQL server, set DATABASE_URL instead\\.$`,
      ),
    );
  });

  test('one that holds other files stops start-up naming one, and leaves them as they were', async () => {
    // As DATA_DIR=. in the directory the collector is installed in, or DATA_DIR=/var/lib.
    const dataDir = dir();
    const notes = join(dataDir, 'notes.txt');
    writeFileSync(notes, 'not a database');
    chmodSync(notes, 0o644);
    expect(await refusal(dataDir)).toBe(
      `\`DATA_DIR\` "${dataDir}" holds files that are not the collector's database, such as "notes.txt": give it a directory of its own, new or empty.`,
    );
    expect(readdirSync(dataDir)).toEqual(['notes.txt']);
    expect(statSync(notes).mode & 0o777).toBe(0o644);
  });

  test("a new volume's lost+found is no bar to making the database beside it", async () => {
    const dataDir = dir();
    mkdirSync(join(dataDir, 'lost+found'));
    await (await listenCollector({ dataDir })).close();
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
  });

  test('a path too long stops start-up naming DATA_DIR', async () => {
    const dataDir = join(dir(), 'x'.repeat(300));
    expect(await refusal(dataDir)).toBe(
      `\`DATA_DIR\` "${dataDir}" is too long a path (ENAMETOOLONG).`,
    );
  });

  /** A tmpfs of `megabytes` at `disk` (only root may mount one), unmounted after `use`. */
  async function onTmpfs(megabytes: number, use: (disk: string) => Promise<void>) {
    const disk = dir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', disk]);
    try {
      await use(disk);
    } finally {
      // Lazily: PGlite keeps the files it had open.
      execFileSync('umount', ['-l', disk]);
    }
  }

  /** What `/readyz` and the log say while the disk has less room than the collector keeps. */
  const SHORT_OF_ROOM = /^`DATA_DIR` ".+" has \d+ MB free on its disk, less than the 64 MB/;

  test.skipIf(process.getuid?.() !== 0)(
    'one whose disk fills while running answers 503 and says so at /readyz, until there is room',
    () =>
      onTmpfs(160, async (disk) => {
        const collector = await listenCollector({
          dataDir: pgliteDataDir(join(disk, 'data')),
          rateLimit: 0,
        });
        const vote = (id: string) =>
          send(`${collector.url}api/feedback`, {
            body: eventBody(id, { comment: 'x'.repeat(4_000) }),
          });
        const readiness = () => send(`${collector.url}readyz`);
        try {
          expect((await vote('room')).status).toBe(201);
          const filler = join(disk, 'filler');
          fillDisk(filler);
          // The collector reads the free space once a second.
          const soon = { timeout: 10_000, interval: 200 };
          await vi.waitFor(async () => expect((await vote('full')).status).toBe(503), soon);
          expect((await vote('full')).body.error).toBe(
            'The database is unavailable; try again shortly.',
          );
          const { status, body } = await readiness();
          expect(status).toBe(503);
          expect(body.error).toMatch(SHORT_OF_ROOM);
          rmSync(filler);
          await vi.waitFor(async () => expect((await vote('room-again')).status).toBe(201), soon);
          expect(await readiness()).toMatchObject({ status: 200, body: { status: 'ready' } });
        } finally {
          await collector.close();
        }
      }),
  );

  // PostgreSQL stops when it cannot write its log, and PGlite then spun on the collector's
  // thread: nothing answered again, SIGTERM included. Its next 16 MB segment would not fit here.
  test.skipIf(process.getuid?.() !== 0)(
    'one whose disk has less room than the database log needs refuses votes and stops on SIGTERM',
    () =>
      onTmpfs(160, async (disk) => {
        const collector = await startCollector({
          dataDir: pgliteDataDir(join(disk, 'data')),
          env: { RATE_LIMIT: '0' },
        });
        const vote = (id: string) =>
          send(`${collector.origin}/api/feedback`, { body: eventBody(id) });
        try {
          expect((await vote('room')).status).toBe(201);
          const filler = join(disk, 'filler');
          fillDisk(filler);
          truncateSync(filler, statSync(filler).size - 15 * (1 << 20));
          for (let count = 0; count < 5_000; count++) {
            const { status } = await vote(`almost-full-${count}`);
            if (status !== 201) {
              expect(status).toBe(503);
              break;
            }
          }
          expect((await vote('last')).status).toBe(503);
          expect((await send(`${collector.origin}/readyz`)).body.error).toMatch(SHORT_OF_ROOM);
        } finally {
          expect(await collector.stop()).toBe(0);
        }
        expect(collector.output()).toContain('less than the 64 MB the collector keeps');
      }),
  );

  test.skipIf(process.getuid?.() !== 0)(
    'one on a disk with less room than it keeps free stops start-up naming DATA_DIR',
    () =>
      onTmpfs(20, async (disk) => {
        const dataDir = join(disk, 'data');
        expect(await refusal(dataDir)).toMatch(
          new RegExp(
            `^\`DATA_DIR\` "${dataDir}" has 1\\d MB free on its disk; the collector needs 64 MB there\\.$`,
          ),
        );
      }),
  );
});
