-- Issue 10. The trace id and the reason key are read out of the stored record, so intake keeps
-- writing one row as before; the reason key falls back to the reason, so votes from formats
-- without keys still count by their text.
ALTER TABLE feedback
  ADD COLUMN trace_id text GENERATED ALWAYS AS ((record::jsonb) ->> 'trace_id') STORED;
ALTER TABLE feedback
  ADD COLUMN reason_key text
    GENERATED ALWAYS AS (coalesce((record::jsonb) ->> 'reason_key', reason)) STORED;

-- The forwarding outbox (SPEC §11): one row per stored vote and destination, written in the
-- vote's own transaction. `id` is the delivery's Idempotency-Key. `url` and `body` are built at
-- intake, so a restart sends exactly what was decided then; headers (secrets) are never stored.
CREATE TABLE deliveries (
  id text PRIMARY KEY,
  feedback_id text NOT NULL REFERENCES feedback (id),
  destination text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  url text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL,
  -- Retried until then (FORWARD_MAX_AGE after creation, or after a manual retry).
  give_up_at timestamptz NOT NULL,
  next_attempt_at timestamptz,
  delivered_at timestamptz,
  last_status integer,
  last_error text
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_newest ON deliveries (created_at DESC, id DESC);
CREATE INDEX deliveries_feedback ON deliveries (feedback_id);
