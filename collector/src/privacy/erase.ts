import { ValidationError } from '../errors';
import { id, invalid } from '../intake/validate';
import type { Logger } from '../observe/logger';
import type { Database } from '../storage/database';
import { deleteRecords } from './records';

/** What a record can be erased by; each is a column of `feedback`. */
const KEYS = ['user_id', 'session_id', 'conversation_id'] as const;

/**
 * `DELETE /api/feedback?user_id=…` (or `session_id`, `conversation_id`; exactly one, SPEC §13):
 * deletes every matching record with its deliveries and activity; the daily figures stay.
 */
export async function eraseFeedback(
  db: Database,
  query: URLSearchParams,
  logger: Logger,
): Promise<{ deleted: number }> {
  for (const name of query.keys()) {
    if (!(KEYS as readonly string[]).includes(name)) {
      // Refused rather than ignored: a filter that seemed to narrow an erasure would not.
      throw invalid(name, `is not a parameter of erasure (name one of ${KEYS.join(', ')})`);
    }
  }
  const given = KEYS.filter((key) => query.has(key));
  const [key, second] = given;
  if (key === undefined) {
    throw new ValidationError(
      'user_id',
      'Name whose feedback to erase: exactly one of `user_id`, `session_id` or `conversation_id`.',
    );
  }
  if (second !== undefined) {
    throw new ValidationError(
      second,
      `Erase by one key at a time: \`${key}\` and \`${second}\` were both given.`,
    );
  }
  const values = query.getAll(key);
  if (values.length > 1) throw invalid(key, 'must be given once');
  const value = id(values[0], key);
  const deleted = await deleteRecords(db, `${key} = $1`, [value], { erasure: true });
  // The key's name only: its value identifies the person whose data is being erased.
  logger.info({ deleted, by: key }, `Erased ${deleted} records by ${key}.`);
  return { deleted };
}
