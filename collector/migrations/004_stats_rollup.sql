-- The stats route's figures per UTC day, kept in the vote's own transaction, so the dashboard
-- reads a few rows per day instead of every vote (issue 9: 1 M votes). `shard` spreads the
-- votes of one day, rating and score over 8 rows, so concurrent votes rarely wait on one lock.
-- Filters that need the votes themselves (`conversation_id`) still read `feedback`.
CREATE TABLE feedback_daily (
  day date NOT NULL,
  rating text NOT NULL,
  bucket integer NOT NULL,
  reason_key text NOT NULL,
  reason text NOT NULL,
  shard integer NOT NULL,
  votes bigint NOT NULL,
  score_sum double precision NOT NULL,
  PRIMARY KEY (day, rating, bucket, reason_key, reason, shard)
);

INSERT INTO feedback_daily
  SELECT (created_at AT TIME ZONE 'UTC')::date, rating, round(score::numeric)::int,
    coalesce(reason_key, ''), coalesce(reason, ''), 0, count(*), sum(score)
  FROM feedback GROUP BY 1, 2, 3, 4, 5;
