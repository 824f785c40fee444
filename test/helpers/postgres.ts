import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A PostgreSQL database of its own for one test file. */
export interface TestDatabase {
  /** `postgres://…/<fresh database>` */
  url: string;
  /** Drops the database and stops the throwaway server, if one was started. */
  stop(): Promise<void>;
}

interface Server {
  /** A URL whose database is `postgres`, to create the test database from. */
  adminUrl: string;
  stop(): Promise<void>;
}

interface Cluster extends Server {
  /**
   * Stops the server as `pg_ctl -m fast` does, ending every connection, runs `whileDown`, then
   * starts the server again.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function binaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/**
 * A throwaway cluster in a temp dir, listening on 127.0.0.1 only, trusting local connections.
 * initdb refuses to run as root, so as root the dir goes to `postgres` and the binaries run as it.
 */
async function startCluster(bin: string): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'feedback-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout), Number(group));
  }
  const exec = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
      : run(join(bin, tool), args);
  const data = join(dir, 'data');
  await exec('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`;
  const start = () =>
    exec('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  await start();
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(whileDown) {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      try {
        await whileDown?.();
      } finally {
        await start();
      }
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function provideServer(): Promise<Server> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { adminUrl: given, stop: async () => {} };
  const bin = binaries();
  if (!bin) {
    throw new Error(
      'PostgreSQL tests need TEST_DATABASE_URL or the server binaries: apt-get install postgresql',
    );
  }
  return startCluster(bin);
}

/** Creates a database of its own on `server`. */
async function createDatabase(server: Server): Promise<TestDatabase> {
  const name = `feedback_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async stop() {
      const client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await client.end();
      await server.stop();
    },
  };
}

/**
 * Provides a fresh PostgreSQL database: on `TEST_DATABASE_URL`'s server when set, else on a
 * throwaway local cluster.
 *
 * @example
 * const database = await startTestDatabase();
 * const collector = await createCollector({ databaseUrl: database.url });
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  return createDatabase(await provideServer());
}

/** A fresh database on a throwaway cluster of its own, which a test may restart. */
export interface RestartableDatabase extends TestDatabase {
  /** Stops the server (every connection ends), runs `whileDown`, and starts it again. */
  restart(whileDown?: () => Promise<void>): Promise<void>;
}

/**
 * Provides a fresh PostgreSQL database on a throwaway local cluster, even with
 * `TEST_DATABASE_URL` set: restarting a shared server would end its other tests' connections.
 *
 * @example
 * const database = await startRestartableDatabase();
 * await database.restart(); // every connection to it ends, as at a server's restart
 */
export async function startRestartableDatabase(): Promise<RestartableDatabase> {
  const bin = binaries();
  if (!bin) {
    throw new Error('Restarting PostgreSQL needs the server binaries: apt-get install postgresql');
  }
  const cluster = await startCluster(bin);
  return { ...(await createDatabase(cluster)), restart: (whileDown) => cluster.restart(whileDown) };
}
