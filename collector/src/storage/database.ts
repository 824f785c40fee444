/** A row as the driver returns it, one property per selected column. */
export type Row = Record<string, unknown>;

/** What the collector asks of a database; both backends run the same SQL through it. */
export interface Queryable {
  /**
   * One statement with `$1`-style parameters; values are never spliced into the SQL. With a
   * `name`, PostgreSQL prepares it once per connection: for statements run at every vote, whose
   * planning costs about as much as their work. The name stands for that SQL text alone.
   */
  query<T = Row>(sql: string, params?: readonly unknown[], name?: string): Promise<T[]>;
  /**
   * Runs a script of several statements without parameters (a migration file). Unlike `query`'s,
   * its statements have no time limit on PostgreSQL: a migration may rewrite a large table.
   */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` unless another collector on this database is running work under the same `lock`
   * (an advisory lock held on a connection of its own, released if the process dies); resolves
   * with undefined without running it then.
   */
  exclusively<T>(lock: number, fn: () => Promise<T>): Promise<T | undefined>;
  /**
   * What a PostgreSQL server's own processes do and PGlite, one process in single-user mode,
   * never does by itself: VACUUM (so the space of deleted and updated rows is used again;
   * `analyze` also gathers the planner's statistics) and CHECKPOINT (so the write-ahead log is
   * recycled instead of growing for as long as the collector runs). PGlite only.
   */
  maintain?(analyze: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Where the records live: PostgreSQL when a URL is given, else PGlite in `dataDir`. */
export interface StorageConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  durable: boolean;
}

export async function openDatabase(storage: StorageConfig): Promise<Database> {
  if (storage.databaseUrl) {
    const { openPostgres } = await import('./postgres');
    return openPostgres(storage.databaseUrl);
  }
  const { openPglite } = await import('./pglite');
  return openPglite(storage.dataDir, storage.durable);
}
