import pg from 'pg';
import { type ConnectionOptions, parse } from 'pg-connection-string';
import type { Database, Queryable } from './database';

/** How long a request waits for a connection (a new one to open, or its turn in a busy pool). */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * How long a statement waits for its answer: a server that stops answering without closing its
 * sockets would otherwise hold the requests, and the pool's every connection, forever. Short
 * enough that a vote is answered 503 well within the widget's 10 s, which then keeps it for a
 * retry (at 60 s the answer came long after the widget had stopped waiting); yet tens of times
 * what the heaviest statements take (a search, a page of an export, a batch of housekeeping,
 * each a bounded run of rows: under 100 ms at 1,000,000 votes). DATABASE_URL's `query_timeout`
 * (in ms, as node-postgres reads it) replaces it.
 */
const QUERY_TIMEOUT_MS = 5_000;
/** A migration may rewrite a large table: it waits as long as a Node timer can (24.8 days). */
const MIGRATION_TIMEOUT_MS = 2 ** 31 - 1;
/**
 * How long the collector's transactions may stay idle, whatever the server's
 * `idle_in_transaction_session_timeout` says: a forwarder holds its batch's transaction while
 * it waits for the answers (a second at most, then it leases what is still in flight). Under a
 * setting lower than that the server ended the connection under every slow batch, which then
 * failed and was sent again, over and over.
 */
const IDLE_IN_TRANSACTION = '60s';
/** Idle connections probe their server, so one gone without a word is noticed and replaced. */
const KEEP_ALIVE_DELAY_MS = 10_000;

type Run = (config: pg.QueryConfig) => Promise<pg.QueryResult>;

/**
 * A connection string as node-postgres reads it (its own parser, `pg-connection-string`, which
 * also takes a string without a host, as the README's systemd unit writes one:
 * `postgres://feedback@/feedback?host=/var/run/postgresql`); undefined where it cannot.
 */
function connection(url: string): ConnectionOptions | undefined {
  try {
    return parse(url);
  } catch {
    return undefined;
  }
}

/**
 * Host, port and database of a connection string, without its user or password: without a host,
 * the socket directory its `?host=` names, else `localhost`, as node-postgres connects.
 */
function whereTo(url: string): string {
  const parsed = connection(url);
  if (parsed === undefined) return 'a connection string that is not a URL';
  const port = parsed.port ? `:${parsed.port}` : '';
  const database = parsed.database ?? '';
  if (parsed.host?.startsWith('/'))
    return `the socket in ${parsed.host}${port}, database ${database}`;
  const host = parsed.host?.includes(':') ? `[${parsed.host}]` : parsed.host || 'localhost';
  return `${host}${port}/${database}`;
}

/**
 * A migration the server refused for want of privilege (SQLSTATE 42501), said with the fix: from
 * PostgreSQL 15 on only a database's owner may create tables in its `public` schema, so a role
 * made with `createuser` but not given the database cannot set it up. Undefined for any other
 * error. The role and database are named as DATABASE_URL names them (`ROLE`, `DATABASE` where
 * it does not), never its password.
 */
export function migrationRefused(url: string, error: unknown): Error | undefined {
  if (!(error instanceof pg.DatabaseError) || error.code !== '42501') return undefined;
  const parsed = connection(url);
  const role = parsed?.user || 'ROLE';
  const database = parsed?.database || 'DATABASE';
  return new Error(
    `The role at DATABASE_URL (${whereTo(url)}) may not create or change the collector's tables (${error.message}): make it the database's owner, with \`createdb -O ${role} ${database}\` for a new database or \`ALTER DATABASE ${database} OWNER TO ${role}\` for this one.`,
    { cause: error },
  );
}

function queryable(run: Run): Queryable {
  return {
    async query<T>(sql: string, params: readonly unknown[] = [], name?: string) {
      const values = [...params];
      const config = name === undefined ? { text: sql, values } : { name, text: sql, values };
      return (await run(config)).rows as T[];
    },
    // Without parameters pg uses the simple protocol, which accepts several statements.
    async exec(sql) {
      const script: pg.QueryConfig & { query_timeout: number } = {
        text: sql,
        query_timeout: MIGRATION_TIMEOUT_MS,
      };
      await run(script);
    },
  };
}

/** A connection taken out of the pool for a transaction or a lock, until it is released. */
interface CheckedOut {
  run: Run;
  /**
   * Whether its connection is lost, or cannot be trusted to anyone else (a statement may still be
   * running on it, a transaction still be open): it is then closed on release, not pooled.
   */
  lost: boolean;
  /** Gives it back to the pool, or closes it when it was lost. */
  release(): void;
}

/**
 * The pool listens for the errors of idle connections only: one lost while it is checked out
 * (the server restarts, or ends an idle transaction) emits 'error' on its client, which would
 * crash the process unheard. Here it is heard, and the connection closed on release.
 */
async function checkOut(pool: pg.Pool): Promise<CheckedOut> {
  const client = await pool.connect();
  const onError = () => {
    connection.lost = true;
  };
  const connection: CheckedOut = {
    lost: false,
    async run(config) {
      try {
        return await client.query(config);
      } catch (error) {
        // The server refusing a statement leaves the connection as it was; anything else (a lost
        // connection, a timeout with the statement still running on it) does not.
        if (!(error instanceof pg.DatabaseError)) connection.lost = true;
        throw error;
      }
    },
    release() {
      client.release(connection.lost);
      client.off('error', onError);
    },
  };
  client.on('error', onError);
  return connection;
}

/** The server backend: a pool of connections to the PostgreSQL at `url`. */
export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    // Ten for requests, and three for the forwarding worker's loops, which each hold one while
    // a batch waits for its answers (up to a second): with ten in all, deliveries and alerts
    // made votes wait for a connection.
    max: 13,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
  });
  // An idle client losing its server must not crash the collector; the next query reconnects.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new Error(
      `The PostgreSQL at DATABASE_URL (${whereTo(url)}) could not be reached: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    ...queryable((config) => pool.query(config)),
    async transaction(fn) {
      const connection = await checkOut(pool);
      try {
        // One round trip: both statements in the simple protocol.
        await connection.run({
          text: `BEGIN; SET LOCAL idle_in_transaction_session_timeout = '${IDLE_IN_TRANSACTION}'`,
        });
        const result = await fn(queryable(connection.run));
        await connection.run({ text: 'COMMIT' });
        return result;
      } catch (error) {
        // A connection lost, or that cannot roll back, is closed instead: the server rolls back.
        if (!connection.lost) {
          await connection.run({ text: 'ROLLBACK' }).catch(() => {
            connection.lost = true;
          });
        }
        throw error;
      } finally {
        connection.release();
      }
    },
    async exclusively(lock, fn) {
      const connection = await checkOut(pool);
      try {
        const { rows } = await connection.run({
          text: 'SELECT pg_try_advisory_lock($1) AS locked',
          values: [lock],
        });
        if (!rows[0]?.locked) return undefined;
        try {
          return await fn();
        } finally {
          // A connection that cannot unlock is closed instead, which releases the lock.
          await connection
            .run({ text: 'SELECT pg_advisory_unlock($1)', values: [lock] })
            .catch(() => {
              connection.lost = true;
            });
        }
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}
