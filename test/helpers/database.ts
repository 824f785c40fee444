import type { CreateCollectorOptions } from '../../collector/src/collector';
import { type Database, openDatabase } from '../../collector/src/storage/database';
import { MIGRATIONS } from '../../collector/src/storage/migrations';

/**
 * Opens the database a collector with `options` uses, runs `fn` on it and closes it. PGlite
 * belongs to one process at a time: its collector must be closed first.
 */
export async function withDatabase<T>(
  options: CreateCollectorOptions,
  fn: (db: Database) => Promise<T>,
): Promise<T> {
  const db = await openDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir ?? '.data',
    durable: false,
  });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/**
 * Where any of `needles` occurs in the database: `table.column` for every column of every table
 * (read as text, whatever its type) that holds one of them.
 */
export async function findInDatabase(db: Database, needles: string[]): Promise<string[]> {
  const columns = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' ORDER BY table_name, column_name`,
  );
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const text = `lower("${column}"::text)`;
    const matches = needles.map((_, index) => `position(lower($${index + 1}) IN ${text}) > 0`);
    const [row] = await db.query<{ hits: number }>(
      `SELECT count(*)::int AS hits FROM "${table}" WHERE ${matches.join(' OR ')}`,
      needles,
    );
    if ((row?.hits ?? 0) > 0) found.push(`${table}.${column}`);
  }
  return found;
}

/**
 * Brings a fresh database to the schema of the migrations numbered below `before` (as a
 * collector released before them left it), so a test can store what it stored then.
 */
export async function migrateUntil(db: Database, before: string): Promise<void> {
  await db.exec(
    'CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  for (const { name, sql } of MIGRATIONS.filter((migration) => migration.name < before)) {
    await db.exec(sql);
    await db.query('INSERT INTO schema_migrations (version) VALUES ($1)', [name]);
  }
}
