-- One row per stored vote. `record` is the canonical record as JSON text, returned byte for
-- byte; the other columns exist to filter, sort and aggregate it.
CREATE TABLE feedback (
  id text PRIMARY KEY,
  format text NOT NULL,
  rating text NOT NULL,
  score double precision NOT NULL,
  conversation_id text,
  reason text,
  voter text,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  record text NOT NULL
);

CREATE INDEX feedback_newest ON feedback (created_at DESC, received_at DESC);
CREATE INDEX feedback_conversation ON feedback (conversation_id, created_at DESC);
CREATE INDEX feedback_votes ON feedback (conversation_id, voter, received_at)
  WHERE voter IS NOT NULL;

-- The first answer to each Idempotency-Key, replayed to every repeat of that key.
CREATE TABLE idempotency_keys (
  key text PRIMARY KEY,
  status integer NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
