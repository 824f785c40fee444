import type { Database } from './database';
import { MIGRATIONS } from './migrations';

/** Any fixed number: it names the lock that serialises collectors migrating the same database. */
const MIGRATION_LOCK = 8_787_001;

/**
 * Applies every `migrations/NNN_*.sql` not yet recorded in `schema_migrations`, in order, in one
 * transaction. The advisory lock makes a second collector starting at the same moment wait, then
 * find the migrations recorded and apply nothing.
 */
export async function migrate(db: Database): Promise<string[]> {
  return db.transaction(async (tx) => {
    // Through `exec`, which has no time limit: the collector migrating may take long.
    await tx.exec(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (' +
        'version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const rows = await tx.query<{ version: string }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const pending = MIGRATIONS.filter(({ name }) => !applied.has(name));
    for (const { name, sql } of pending) {
      await tx.exec(sql);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [name]);
    }
    return pending.map(({ name }) => name);
  });
}

/** The migrations this database still lacks, for `/readyz`; every one when none ran yet. */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const files = MIGRATIONS.map(({ name }) => name);
  const [table] = await db.query<{ name: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS name",
  );
  if (!table?.name) return files;
  const rows = await db.query<{ version: string }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => row.version));
  return files.filter((name) => !applied.has(name));
}
