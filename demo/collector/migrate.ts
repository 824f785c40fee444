import { readdir, readFile } from 'node:fs/promises';
import type { Database } from './database';

const MIGRATIONS = new URL('./migrations/', import.meta.url);
/** Any fixed number: it names the lock that serialises collectors migrating the same database. */
const MIGRATION_LOCK = 8_787_001;

/**
 * Applies every `migrations/NNN_*.sql` not yet recorded in `schema_migrations`, in order, in one
 * transaction. The advisory lock makes a second collector starting at the same moment wait, then
 * find the migrations recorded and apply nothing.
 */
export async function migrate(db: Database): Promise<string[]> {
  const files = (await readdir(MIGRATIONS)).filter((name) => /^\d+_.+\.sql$/.test(name)).sort();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (' +
        'version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const rows = await tx.query<{ version: string }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const pending = files.filter((name) => !applied.has(name));
    for (const name of pending) {
      await tx.exec(await readFile(new URL(name, MIGRATIONS), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [name]);
    }
    return pending;
  });
}
