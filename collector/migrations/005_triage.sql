-- Issue 17 (SPEC §12): every record's triage state, the changes made to it, and the columns the
-- inbox's search, attention and alerts read. The record's own fields are read out of its JSON,
-- so intake keeps writing one row as before; `status` starts open. One ALTER: one table rewrite.
ALTER TABLE feedback
  ADD COLUMN status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'spam')),
  ADD COLUMN assignee text,
  ADD COLUMN message_id text GENERATED ALWAYS AS ((record::jsonb) ->> 'message_id') STORED,
  ADD COLUMN session_id text GENERATED ALWAYS AS ((record::jsonb) ->> 'session_id') STORED,
  ADD COLUMN user_id text GENERATED ALWAYS AS ((record::jsonb) ->> 'user_id') STORED,
  ADD COLUMN page_url text GENERATED ALWAYS AS ((record::jsonb) ->> 'page_url') STORED,
  ADD COLUMN locale text GENERATED ALWAYS AS ((record::jsonb) ->> 'locale') STORED,
  ADD COLUMN comment text GENERATED ALWAYS AS ((record::jsonb) ->> 'comment') STORED,
  -- The rated text: the event's own, or what a `quality` intake kept of the message it rates.
  ADD COLUMN message_content text GENERATED ALWAYS AS (coalesce(
    (record::jsonb) ->> 'message_content',
    (record::jsonb) -> 'metadata' ->> 'sent_message_content')) STORED;

-- The order of every list and export (created_at, then received_at, then id), so a page of the
-- export continues exactly where the last one ended. It carries what attention ranks by and
-- what lists filter on most, so those read the index alone (issue 17: 1 M votes).
DROP INDEX feedback_newest;
CREATE INDEX feedback_order ON feedback (created_at DESC, received_at DESC, id COLLATE "C" DESC)
  INCLUDE (message_id, rating, status);
-- Votes are stored open and unassigned, so these hold only what the team changed: `is:resolved`,
-- `is:spam` and `assigned:` find their few records at once, and intake never writes to them.
CREATE INDEX feedback_triaged ON feedback (status, created_at DESC) WHERE status <> 'open';
CREATE INDEX feedback_assigned ON feedback (assignee, created_at DESC) WHERE assignee IS NOT NULL;
-- down_rate alerts count a subject's votes by received_at at each vote, attention finds a
-- subject's reasons by created_at, and `message:` and `page:` search: one index each serves all
-- three. A page URL may be longer than a B-tree entry can hold, so its index is on its digest.
CREATE INDEX feedback_message ON feedback (message_id, received_at, created_at)
  WHERE message_id IS NOT NULL;
CREATE INDEX feedback_page ON feedback (md5(page_url), received_at, created_at)
  WHERE page_url IS NOT NULL;

-- How many records there are of each status and rating, kept by triggers whoever writes
-- (intake, the team's changes, deletions), so the inbox's totals for `is:` and `rating:` need not
-- count a million rows. `shard` spreads votes stored at once over 16 rows, so they rarely wait on
-- one lock. Intake stores one record per statement: its trigger adds one, per row. Changes and
-- deletions may touch thousands of records in one statement: theirs run once per statement over
-- its transition tables, so each count is updated once, not once per record.
CREATE TABLE feedback_counts (
  status text NOT NULL,
  rating text NOT NULL,
  shard integer NOT NULL,
  records bigint NOT NULL,
  PRIMARY KEY (status, rating, shard)
);
INSERT INTO feedback_counts
  SELECT status, rating, hashtext(id) & 15, count(*) FROM feedback GROUP BY 1, 2, 3;

CREATE FUNCTION feedback_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO feedback_counts AS c VALUES (NEW.status, NEW.rating, hashtext(NEW.id) & 15, 1)
    ON CONFLICT (status, rating, shard) DO UPDATE SET records = c.records + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER feedback_counted_insert AFTER INSERT ON feedback
  FOR EACH ROW EXECUTE FUNCTION feedback_count_added();

CREATE FUNCTION feedback_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only the branch of this operation runs, so only its transition tables are named.
  IF TG_OP = 'DELETE' THEN
    INSERT INTO feedback_counts AS c
      SELECT status, rating, hashtext(id) & 15, -count(*) FROM removed GROUP BY 1, 2, 3
      ON CONFLICT (status, rating, shard) DO UPDATE SET records = c.records + excluded.records;
  ELSE
    INSERT INTO feedback_counts AS c
      SELECT status, rating, shard, sum(change) FROM (
        SELECT status, rating, hashtext(id) & 15 AS shard, -1 AS change FROM removed
        UNION ALL
        SELECT status, rating, hashtext(id) & 15, 1 FROM added
      ) AS changes GROUP BY 1, 2, 3 HAVING sum(change) <> 0
      ON CONFLICT (status, rating, shard) DO UPDATE SET records = c.records + excluded.records;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER feedback_counted_delete AFTER DELETE ON feedback
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION feedback_count_changed();
CREATE TRIGGER feedback_counted_update AFTER UPDATE ON feedback
  REFERENCING OLD TABLE AS removed NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION feedback_count_changed();

CREATE FUNCTION feedback_uncount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM feedback_counts;
  RETURN NULL;
END $$;
CREATE TRIGGER feedback_emptied AFTER TRUNCATE ON feedback
  FOR EACH STATEMENT EXECUTE FUNCTION feedback_uncount();

-- Every change of state and every note, oldest first by `id`. Deleting a record deletes its
-- activity.
CREATE TABLE feedback_activity (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  feedback_id text NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN ('status', 'assignee', 'note')),
  from_value text,
  to_value text,
  note text
);
CREATE INDEX feedback_activity_record ON feedback_activity (feedback_id, id);

-- A word of a search is a substring of the comment, the reason or the rated text: trigram
-- indexes find it without reading every record. pg_trgm ships with PostgreSQL (and PGlite) and is
-- a trusted extension, so the database's owner may create it; where it cannot be, search still
-- works, reading every record.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): searching for words reads every record', SQLERRM;
END $$;

DO $$
DECLARE
  trgm text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm');
BEGIN
  IF trgm IS NOT NULL THEN
    EXECUTE format('CREATE INDEX feedback_comment_words ON feedback USING gin (comment %I.gin_trgm_ops) WHERE comment IS NOT NULL', trgm);
    EXECUTE format('CREATE INDEX feedback_reason_words ON feedback USING gin (reason %I.gin_trgm_ops) WHERE reason IS NOT NULL', trgm);
    EXECUTE format('CREATE INDEX feedback_content_words ON feedback USING gin (message_content %I.gin_trgm_ops) WHERE message_content IS NOT NULL', trgm);
  END IF;
END $$;
