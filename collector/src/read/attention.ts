import { parseWindow } from '../../../widget/core/vocabulary';
import { invalid } from '../intake/validate';
import type { Database } from '../storage/database';
import { wholeParam } from './filters';

/**
 * What a subject's votes are counted by (a column the order index carries, so counting reads
 * the index alone), the key shown for it, and how its votes are found by an index. A page is
 * counted by the digest of its URL (008_page_key.sql), and its URL looked up once ranked.
 */
const SUBJECTS = {
  message: { column: 'message_id', key: 'ranked.subject', match: 'message_id = top.subject' },
  page: {
    column: 'page_key',
    key: `(SELECT page_url FROM feedback
           WHERE md5(page_url) = ranked.subject AND page_url IS NOT NULL LIMIT 1)`,
    match: 'md5(page_url) = top.subject AND page_url IS NOT NULL',
  },
} as const;

/** The 95 % interval: a subject needs many votes before a high down share ranks it first. */
const Z = 1.96;

interface SubjectRow {
  key: string;
  votes: number;
  up: number;
  down: number;
  neutral: number;
  down_rate_lower: number;
  top_reason_key: string | null;
  previous_votes: number;
  previous_down: number;
  last_at: Date | string;
}

const round = (value: number) => Math.round(value * 1e4) / 1e4;
/** A hundred years: the window before it still starts after year 1. */
const MAX_WINDOW_MS = 36_500 * 86_400_000;
/**
 * How far ahead of the collector's clock a vote's `created_at`, which its browser sets, may be
 * and still count in the current window; one dated later never does, so a vote forged or
 * misdated into the future cannot hold a subject in the ranking.
 */
const CLOCK_SKEW_MS = 3_600_000;

function windowParam(query: URLSearchParams): number {
  const text = query.get('window') ?? '7d';
  const ms = parseWindow(text);
  if (ms === undefined || ms === 0 || !(ms <= MAX_WINDOW_MS)) {
    throw invalid(
      'window',
      `must be a duration from 1m to 36500d, such as 24h, 7d or 30d, not "${text}"`,
    );
  }
  return ms;
}

/**
 * `GET /api/feedback/attention` (SPEC §12): the subjects with at least `min_votes` votes (spam
 * left out) created within the trailing `window`, ranked by the lower bound of the Wilson score
 * interval of their down share, so 40 down of 100 ranks above 1 of 1; each with the same
 * figures over the window before, and the commonest reason key of its down votes.
 */
export async function attention(db: Database, query: URLSearchParams, now: Date) {
  const by = query.get('by') ?? 'message';
  // Own keys only: `in` would take `constructor` or `__proto__` for a subject.
  if (!Object.hasOwn(SUBJECTS, by)) throw invalid('by', 'must be message or page');
  const windowMs = windowParam(query);
  const minVotes = wholeParam(query, 'min_votes', { min: 1, max: 1_000_000, fallback: 5 });
  const limit = wholeParam(query, 'limit', { min: 1, max: 100, fallback: 20 });
  const since = new Date(now.getTime() - windowMs);
  const before = new Date(now.getTime() - 2 * windowMs);
  // Counted first (one pass, hashed by subject) and ranked; the subjects tied with the last
  // of the first `limit` are kept, as the key that breaks ties may need looking up. Only the
  // first `limit` then get their commonest reason: an ordered aggregate over every subject
  // would sort them all. A vote dated a little ahead by its browser's clock (`CLOCK_SKEW_MS`)
  // still counts in the current window.
  const { column, key, match } = SUBJECTS[by as keyof typeof SUBJECTS];
  const rows = await db.query<SubjectRow>(
    `WITH subjects AS (
       SELECT ${column} AS subject,
         (count(*) FILTER (WHERE created_at >= $1))::int AS votes,
         (count(*) FILTER (WHERE created_at >= $1 AND rating = 'up'))::int AS up,
         (count(*) FILTER (WHERE created_at >= $1 AND rating = 'down'))::int AS down,
         (count(*) FILTER (WHERE created_at >= $1 AND rating = 'neutral'))::int AS neutral,
         (count(*) FILTER (WHERE created_at < $1))::int AS previous_votes,
         (count(*) FILTER (WHERE created_at < $1 AND rating = 'down'))::int AS previous_down,
         max(created_at) FILTER (WHERE created_at >= $1) AS last_at
       FROM feedback
       WHERE created_at >= $2 AND created_at <= $6 AND status <> 'spam' AND ${column} IS NOT NULL
       GROUP BY 1
       HAVING count(*) FILTER (WHERE created_at >= $1) >= $3
     ), ranked AS (
       SELECT *,
         (p + z * z / (2 * votes) - z * sqrt(p * (1 - p) / votes + z * z / (4.0 * votes * votes)))
           / (1 + z * z / votes) AS down_rate_lower
       FROM (SELECT *, down::float8 / votes AS p, $4::float8 AS z FROM subjects) AS shares
       ORDER BY down_rate_lower DESC, votes DESC
       FETCH FIRST $5 ROWS WITH TIES
     ), top AS (
       SELECT * FROM (SELECT ranked.*, ${key} AS key FROM ranked) AS named
       ORDER BY down_rate_lower DESC, votes DESC, key COLLATE "C"
       LIMIT $5
     )
     SELECT top.*,
       (SELECT reason_key FROM feedback
        WHERE ${match} AND created_at >= $1 AND created_at <= $6 AND rating = 'down'
          AND status <> 'spam'
          AND reason_key IS NOT NULL
        GROUP BY reason_key ORDER BY count(*) DESC, reason_key COLLATE "C" LIMIT 1)
         AS top_reason_key
     FROM top
     ORDER BY down_rate_lower DESC, votes DESC, key COLLATE "C"`,
    [
      since.toISOString(),
      before.toISOString(),
      minVotes,
      Z,
      limit,
      new Date(now.getTime() + CLOCK_SKEW_MS).toISOString(),
    ],
  );
  return {
    items: rows.map((row) => ({
      key: row.key,
      votes: row.votes,
      up: row.up,
      down: row.down,
      neutral: row.neutral,
      down_rate: round(row.down / row.votes),
      down_rate_lower: round(Math.max(0, row.down_rate_lower)),
      ...(row.top_reason_key === null ? {} : { top_reason_key: row.top_reason_key }),
      previous: {
        votes: row.previous_votes,
        down_rate: row.previous_votes ? round(row.previous_down / row.previous_votes) : 0,
      },
      last_at: new Date(row.last_at).toISOString(),
    })),
  };
}
