import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openPglite } from '../../collector/src/storage/pglite';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('maintain() leaves no dead row behind and checkpoints, so the log is recycled', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-maintain-'));
  dirs.push(dir);
  const db = await openPglite(dir);
  try {
    await db.exec('CREATE TABLE churn (id int PRIMARY KEY, status text)');
    await db.query("INSERT INTO churn SELECT n, 'pending' FROM generate_series(1, 2000) AS n");
    await db.query("UPDATE churn SET status = 'delivered'");
    // A backend flushes its counters at most once a second: without this, the UPDATE's 2,000
    // dead rows could reach pg_stat_user_tables after VACUUM reported none left.
    await db.query('SELECT pg_stat_force_next_flush()');
    const checkpoint = async () =>
      (
        await db.query<{ lsn: string }>(
          'SELECT checkpoint_lsn::text AS lsn FROM pg_control_checkpoint()',
        )
      )[0]?.lsn;
    const before = await checkpoint();

    await db.maintain?.(false);

    const [churn] = await db.query<{ dead: number; vacuums: number }>(
      "SELECT n_dead_tup::int AS dead, vacuum_count::int AS vacuums FROM pg_stat_user_tables WHERE relname = 'churn'",
    );
    expect(churn).toEqual({ dead: 0, vacuums: 1 });
    expect(await checkpoint()).not.toBe(before);
  } finally {
    await db.close();
  }
});
