-- What each Idempotency-Key was first used for: a repeat with another request answers 422.
-- Keys stored before this column existed have none and keep replaying their answer.
ALTER TABLE idempotency_keys ADD COLUMN fingerprint text;

-- Keys are pruned by age once they are older than any browser's outbox still retries.
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
