import { readdirSync, readFileSync } from 'node:fs';

export interface Migration {
  /** The file's name, `NNN_what.sql`, as `schema_migrations` records it. */
  name: string;
  sql: string;
}

/** `migrations/NNN_*.sql`: what makes a file a migration, here and in `build.mjs`. */
const MIGRATION_FILE = /^\d+_.+\.sql$/;

const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);

/**
 * The numbered SQL migrations, in order, read from the `.sql` files, which are their source of
 * truth. This is how the collector gets them when it runs from source (tests, tsx); `build.mjs`
 * puts the same list, written out, in this module's place in the compiled collector, which so
 * reads no file to migrate (Next's file tracing, for one, could not find them).
 */
export const MIGRATIONS: readonly Migration[] = readdirSync(MIGRATIONS_DIR)
  .filter((name) => MIGRATION_FILE.test(name))
  .sort()
  .map((name) => ({ name, sql: readFileSync(new URL(name, MIGRATIONS_DIR), 'utf8') }));
