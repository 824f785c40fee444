-- Issue 16 (SPEC §13): privacy by default.

-- Keys the collector generates once and keeps with its data, shared by every collector on one
-- database. `voter`: the HMAC-SHA-256 key the vote window's anonymous voter is derived with, so
-- no client address is stored. 32 bytes from two v4 UUIDs (244 bits of PostgreSQL's strong
-- random source): gen_random_uuid() is built in, where pgcrypto may not be installable.
CREATE TABLE collector_keys (
  name text PRIMARY KEY,
  key bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO collector_keys (name, key)
  VALUES ('voter', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));

-- The addresses stored so far become the voter the collector now derives (`client:` and the hex
-- HMAC of the address), so a window that is running still holds. HMAC (RFC 2104) out of the
-- built-in sha256(): the key padded to SHA-256's 64-byte block, XORed with 0x36 and 0x5c.
WITH block AS (
  SELECT key || decode(repeat('00', 64 - length(key)), 'hex') AS k
  FROM collector_keys WHERE name = 'voter'
), pads AS (
  SELECT
    (SELECT string_agg(set_byte('\x00'::bytea, 0, get_byte(k, i) # 54), ''::bytea ORDER BY i)
      FROM generate_series(0, 63) AS i) AS inner_pad,
    (SELECT string_agg(set_byte('\x00'::bytea, 0, get_byte(k, i) # 92), ''::bytea ORDER BY i)
      FROM generate_series(0, 63) AS i) AS outer_pad
  FROM block
)
UPDATE feedback
  SET voter = 'client:' || encode(
    sha256(outer_pad || sha256(inner_pad || convert_to(substr(voter, 8), 'UTF8'))), 'hex')
  FROM pads
  WHERE voter LIKE 'client:%';

-- Retention deletes by age in batches; the hourly job forgets voters past their window.
CREATE INDEX feedback_received ON feedback (received_at);
CREATE INDEX feedback_voter_age ON feedback (received_at) WHERE voter IS NOT NULL;

-- Erasure finds a person's records by `user_id` or `session_id` without reading every record.
-- Issue 17's migration may have added the same columns already.
ALTER TABLE feedback
  ADD COLUMN IF NOT EXISTS user_id text GENERATED ALWAYS AS ((record::jsonb) ->> 'user_id') STORED,
  ADD COLUMN IF NOT EXISTS session_id text
    GENERATED ALWAYS AS ((record::jsonb) ->> 'session_id') STORED;
CREATE INDEX feedback_user ON feedback (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX feedback_session ON feedback (session_id) WHERE session_id IS NOT NULL;

-- Which record an Idempotency-Key's replayed answer belongs to (a `score` answer repeats the
-- session id and text), so erasing or purging the record erases its answer too. Keys stored
-- before have none and are pruned after 8 days as before.
ALTER TABLE idempotency_keys ADD COLUMN feedback_id text;
CREATE INDEX idempotency_keys_feedback ON idempotency_keys (feedback_id)
  WHERE feedback_id IS NOT NULL;
