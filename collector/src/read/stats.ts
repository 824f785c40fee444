import type { Database } from '../storage/database';
import { filterConditions, rollupFilters, type Where, whereOf } from './filters';

interface DayRow {
  day: string;
  total: number;
  up: number;
  down: number;
  neutral: number;
  score_sum: number;
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

function figures(row: Omit<DayRow, 'day'>) {
  return {
    total: row.total,
    up: row.up,
    down: row.down,
    neutral: row.neutral,
    // With no votes there is no rate: the keys are left out (answers never carry null, §8).
    ...(row.total
      ? {
          positive_rate: round(row.up / row.total, 4),
          mean_score: round(row.score_sum / row.total, 2),
        }
      : {}),
  };
}

type Counts = [DayRow[], { score: number; count: number }[], { reason: string; count: number }[]];

/** The figures from the daily rollup: a few rows per day, however many votes. */
function fromRollup(db: Database, where: Where): Promise<Counts> {
  return Promise.all([
    db.query<DayRow>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day,
         sum(votes)::int AS total,
         (coalesce(sum(votes) FILTER (WHERE rating = 'up'), 0))::int AS up,
         (coalesce(sum(votes) FILTER (WHERE rating = 'down'), 0))::int AS down,
         (coalesce(sum(votes) FILTER (WHERE rating = 'neutral'), 0))::int AS neutral,
         sum(score_sum)::float8 AS score_sum
       FROM feedback_daily ${where.sql} GROUP BY day HAVING sum(votes) > 0 ORDER BY day`,
      where.params,
    ),
    db.query<{ score: number; count: number }>(
      `SELECT bucket AS score, sum(votes)::int AS count FROM feedback_daily ${where.sql}
       GROUP BY bucket`,
      where.params,
    ),
    // Counted by key, shown by the label most of its votes saw (ties: the first in "C" order).
    db.query<{ reason: string; count: number }>(
      `SELECT (array_agg(reason ORDER BY votes DESC, reason COLLATE "C"))[1] AS reason,
         sum(votes)::int AS count
       FROM (SELECT reason_key, reason, sum(votes) AS votes FROM feedback_daily
             ${where.sql ? `${where.sql} AND` : 'WHERE'} reason_key <> ''
             GROUP BY reason_key, reason) AS labels
       GROUP BY reason_key HAVING sum(votes) > 0
       ORDER BY count DESC, reason_key COLLATE "C" LIMIT 10`,
      where.params,
    ),
  ]);
}

/** The figures from the votes themselves, for filters the rollup cannot serve; spam left out. */
function fromVotes(db: Database, query: URLSearchParams): Promise<Counts> {
  const selected = filterConditions(query, false);
  selected.conditions.push("status <> 'spam'");
  const where = whereOf(selected);
  return Promise.all([
    db.query<DayRow>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
         count(*)::int AS total,
         (count(*) FILTER (WHERE rating = 'up'))::int AS up,
         (count(*) FILTER (WHERE rating = 'down'))::int AS down,
         (count(*) FILTER (WHERE rating = 'neutral'))::int AS neutral,
         sum(score)::float8 AS score_sum
       FROM feedback ${where.sql} GROUP BY 1 ORDER BY 1`,
      where.params,
    ),
    // numeric rounds halves away from zero on every platform; float8 may round them to even.
    db.query<{ score: number; count: number }>(
      `SELECT round(score::numeric)::int AS score, count(*)::int AS count
       FROM feedback ${where.sql} GROUP BY 1`,
      where.params,
    ),
    // Counted by key (SPEC §3), so a reason voted in seven languages is one entry, not seven;
    // shown by the label most votes saw.
    db.query<{ reason: string; count: number }>(
      `SELECT mode() WITHIN GROUP (ORDER BY reason COLLATE "C") AS reason, count(*)::int AS count
       FROM feedback ${where.sql ? `${where.sql} AND` : 'WHERE'} reason_key IS NOT NULL
       GROUP BY reason_key ORDER BY count DESC, reason_key COLLATE "C" LIMIT 10`,
      where.params,
    ),
  ]);
}

/** `GET /api/feedback/stats`: the dashboard's figures, for the records the filters select. */
export async function feedbackStats(db: Database, query: URLSearchParams) {
  const rollup = rollupFilters(query);
  const [days, buckets, reasons] = rollup
    ? await fromRollup(db, rollup)
    : await fromVotes(db, query);
  const sum = { total: 0, up: 0, down: 0, neutral: 0, score_sum: 0 };
  for (const row of days)
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += row[key];
  const all = figures(sum);
  const counts = new Map(buckets.map((bucket) => [bucket.score, bucket.count]));
  return {
    total: all.total,
    by_rating: { up: all.up, down: all.down, neutral: all.neutral },
    ...(all.total ? { positive_rate: all.positive_rate, mean_score: all.mean_score } : {}),
    score_distribution: Array.from({ length: 11 }, (_, score) => ({
      score,
      count: counts.get(score) ?? 0,
    })),
    top_reasons: reasons,
    daily: days.map((row) => ({ day: row.day, ...figures(row) })),
  };
}
