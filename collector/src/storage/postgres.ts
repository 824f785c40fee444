import pg from 'pg';
import type { Database, Queryable } from './database';

/** Host, port and database of a connection string, without its user or password. */
function whereTo(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host || 'local socket'}${parsed.pathname}`;
  } catch {
    return 'a connection string that is not a URL';
  }
}

/** The server backend: a pool of connections to the PostgreSQL at `url`. */
export async function openPostgres(url: string): Promise<Database> {
  // Ten for requests, and three for the forwarding worker's loops, which each hold one while
  // they send a batch: with ten in all, deliveries and alerts made votes wait for a connection.
  const pool = new pg.Pool({ connectionString: url, max: 13 });
  // An idle client losing its server must not crash the collector; the next query reconnects.
  pool.on('error', () => {});
  const wrap = (target: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = [], name?: string) {
      const values = [...params];
      const config = name === undefined ? { text: sql, values } : { name, text: sql, values };
      return (await target.query(config)).rows as T[];
    },
    // Without parameters pg uses the simple protocol, which accepts several statements.
    async exec(sql) {
      await target.query(sql);
    },
  });
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
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async exclusively(lock, fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        const [row] = (await client.query('SELECT pg_try_advisory_lock($1) AS locked', [lock]))
          .rows;
        if (!row?.locked) return undefined;
        try {
          return await fn();
        } finally {
          // A connection that cannot unlock is closed instead, which releases the lock.
          await client.query('SELECT pg_advisory_unlock($1)', [lock]).catch(() => {
            broken = true;
          });
        }
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
