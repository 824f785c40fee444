import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import { listenCollector, send, startCollector, useTemporaryDirs } from '../helpers/collector';
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
const identifiable = existsSync('/proc/self/stat') && existsSync('/proc/sys/kernel/random/boot_id');

/** Opens the database on `dataDir` in this process; resolves once it took a vote. */
async function startHere(dataDir: string) {
  const collector = await listenCollector({ dataDir, rateLimit: 0 });
  const posted = await send(`${collector.url}api/feedback`, { body: eventBody('taken') });
  expect(posted.status).toBe(201);
  return collector;
}

describe('the lock on a PGlite data directory', { timeout: 60_000 }, () => {
  test('a collector running on it keeps it: another refuses, naming DATA_DIR and its pid', async () => {
    const first = await startCollector({ source: true, dataDir: dir() });
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
    const dataDir = dir();
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
      const dataDir = dir();
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

  test('a stale lock another starter is taking over is waited for, not given up on', async () => {
    const dataDir = dir();
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

  test('a path too long stops start-up naming DATA_DIR', async () => {
    const dataDir = join(dir(), 'x'.repeat(300));
    expect(await refusal(dataDir)).toBe(
      `\`DATA_DIR\` "${dataDir}" is too long a path (ENAMETOOLONG).`,
    );
  });

  // A small tmpfs, which only root may mount.
  test.skipIf(process.getuid?.() !== 0)(
    'one on a full disk stops start-up naming DATA_DIR and ENOSPC',
    async () => {
      const disk = dir();
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', disk]);
      try {
        const dataDir = join(disk, 'data');
        expect(await refusal(dataDir)).toBe(
          `\`DATA_DIR\` "${dataDir}" is on a full disk (ENOSPC).`,
        );
      } finally {
        // Lazily: PGlite keeps the files it had open when it failed.
        execFileSync('umount', ['-l', disk]);
      }
    },
  );
});
