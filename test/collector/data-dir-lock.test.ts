import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
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
