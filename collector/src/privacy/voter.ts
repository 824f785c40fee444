import { createHmac } from 'node:crypto';
import type { Queryable } from '../storage/database';

/**
 * The key the vote window's anonymous voter is derived with, generated once by migration
 * `007_privacy.sql` and kept in the database, so every collector on it derives the same voter.
 */
export async function loadVoterKey(db: Queryable): Promise<Buffer> {
  const [row] = await db.query<{ key: Uint8Array }>(
    "SELECT key FROM collector_keys WHERE name = 'voter'",
  );
  if (!row) throw new Error('The database has no voter key: migration 007_privacy.sql is missing.');
  return Buffer.from(row.key);
}

/** How many clients' pseudonyms are kept in memory; past that the memo starts again. */
const REMEMBERED = 4096;

/**
 * A client as the vote window knows an anonymous voter (SPEC §13): the hex HMAC-SHA-256 of its
 * address under `key`, never the address. Migration 007 derives the same text in SQL from the
 * addresses stored before it, so the two must not drift. A client votes again and again, so the
 * answers are memoised (an HMAC is about 20 µs; the memo lives in memory only, where the address
 * already is while its request is answered).
 */
export function pseudonyms(key: Buffer): (address: string) => string {
  const known = new Map<string, string>();
  return (address) => {
    let pseudonym = known.get(address);
    if (pseudonym === undefined) {
      if (known.size >= REMEMBERED) known.clear();
      pseudonym = createHmac('sha256', key).update(address, 'utf8').digest('hex');
      known.set(address, pseudonym);
    }
    return pseudonym;
  };
}
