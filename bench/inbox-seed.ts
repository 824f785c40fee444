import pg from 'pg';
import type { Queryable } from '../collector/src/storage/database';

/**
 * Fills `feedback` with `count` votes in one SQL statement, as the collector's ingest would have
 * stored them (the canonical record as JSON text; the search columns follow from it): 90 days,
 * 60 % up, 30 % down, 10 % neutral; a quarter of the votes on 500 popular answers, the rest on
 * 50,000 others, on 2,000 pages; a reason on two down votes in three, a comment on one vote in
 * ten (one in fifty of those asks for a refund), the rated text on three in ten. Then the daily
 * figures, and VACUUM ANALYZE.
 */
export async function seedVotes(db: Queryable, count: number): Promise<void> {
  await bulkLoad(db, 'seed-', () =>
    db.query(
      `WITH votes AS (
       SELECT n,
         'seed-' || n AS id,
         CASE WHEN n % 10 < 6 THEN 'up' WHEN n % 10 < 9 THEN 'down' ELSE 'neutral' END AS rating,
         now() - (n % 90) * interval '1 day' - (n % 86400) * interval '1 second' AS at,
         (ARRAY['incorrect', 'irrelevant', 'unclear', 'incomplete'])[1 + n % 4] AS reason_key,
         (ARRAY['Incorrect', 'Irrelevant', 'Unclear', 'Incomplete'])[1 + n % 4] AS reason,
         CASE WHEN n % 20 IN (3, 7) THEN
           (ARRAY['The link is broken', 'Too vague, did not help', 'Wrong plan limits for SSO',
                  'Great, thanks', 'Out of date screenshots', 'It never says where the button is',
                  'Answered a different question', 'Clear and short', 'Missing the API example',
                  'Steps do not match the app'])[1 + (n / 10) % 10]
             || CASE WHEN n % 500 = 7 THEN ': I want a refund' ELSE '' END
         END AS comment,
         CASE WHEN n % 10 IN (1, 4, 7) THEN
           'To change your plan, open Settings, then Billing, and choose a plan. Changes apply '
             || 'at the next invoice; a downgrade keeps your data. Article ' || n % 2000
             || ' explains invoices, taxes and plan changes in more detail for every country.'
         END AS content
       FROM generate_series(1, $1::int) AS n
     )
     INSERT INTO feedback
       (id, format, rating, score, conversation_id, reason, voter, created_at, received_at, record,
        redacted)
     SELECT id, 'event', rating,
       CASE rating WHEN 'up' THEN 10 WHEN 'down' THEN 0 ELSE 5 END,
       'conv-' || n % 20000,
       CASE WHEN rating = 'down' AND n % 3 > 0 THEN reason END,
       NULL, at, at,
       json_strip_nulls(json_build_object(
         'id', id,
         'rating', rating,
         'sentiment', CASE rating WHEN 'up' THEN 'positive' WHEN 'down' THEN 'negative' ELSE 'neutral' END,
         'value', CASE rating WHEN 'up' THEN 100 WHEN 'down' THEN -100 ELSE 0 END,
         'scale', json_build_object('min', -100, 'max', 100),
         'conversation_id', 'conv-' || n % 20000,
         'message_id', CASE WHEN n % 4 = 0 THEN 'm-hot-' || n % 500 ELSE 'm-' || n % 50000 END,
         'reason', CASE WHEN rating = 'down' AND n % 3 > 0 THEN reason END,
         'reason_key', CASE WHEN rating = 'down' AND n % 3 > 0 THEN reason_key END,
         'comment', comment,
         'message_content', content,
         'page_url', 'https://help.example.com/articles/' || n % 2000,
         'locale', (ARRAY['en', 'de', 'fr', 'es'])[1 + n % 4],
         'created_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'score', CASE rating WHEN 'up' THEN 10 WHEN 'down' THEN 0 ELSE 5 END,
         'format', 'event',
         'received_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
       ))::text,
       'email,phone,card'
     FROM votes`,
      [count],
    ),
  );
  await db.query(
    `INSERT INTO feedback_daily
     SELECT (created_at AT TIME ZONE 'UTC')::date, rating, round(score::numeric)::int,
       coalesce(reason_key, ''), coalesce(reason, ''), 0, count(*), sum(score)
     FROM feedback WHERE id LIKE 'seed-%' GROUP BY 1, 2, 3, 4, 5`,
  );
  await db.query('VACUUM ANALYZE feedback');
  await db.query('ANALYZE feedback_daily');
}

/**
 * Runs `load`, statements that insert many records at once, as a bulk load should: intake's
 * per-record count trigger off (in one statement it would update each count row once per record,
 * for many minutes), then the records whose id starts with `prefix` counted once.
 */
export async function bulkLoad(
  db: Queryable,
  prefix: string,
  load: () => Promise<unknown>,
): Promise<void> {
  await db.query('ALTER TABLE feedback DISABLE TRIGGER feedback_counted_insert');
  try {
    await load();
  } finally {
    await db.query('ALTER TABLE feedback ENABLE TRIGGER feedback_counted_insert');
  }
  await db.query(
    `INSERT INTO feedback_counts AS c
     SELECT status, rating, hashtext(id) & 15, count(*) FROM feedback WHERE id LIKE $1
     GROUP BY 1, 2, 3
     ON CONFLICT (status, rating, shard) DO UPDATE SET records = c.records + excluded.records`,
    [`${prefix}%`],
  );
}

/** A `pg` client as the collector's own `Queryable`, for the seeding functions. */
export function asQueryable(client: {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}): Queryable {
  return {
    query: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await client.query(sql, [...params])).rows as T[],
    exec: async (sql: string) => {
      await client.query(sql);
    },
  };
}

/** `seedVotes` on the PostgreSQL database at `url`, through a client of its own. */
export async function seedDatabase(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await seedVotes(asQueryable(client), count);
  } finally {
    await client.end();
  }
}
