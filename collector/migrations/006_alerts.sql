-- Issue 17 (SPEC §12 "Alerts"): alerts travel through the forwarding outbox. A down_rate alert
-- is about a subject, not one record, so it has no feedback_id; `alert` tells alerts (`comment`,
-- `down_rate`) from forwarding (NULL), so marking a record spam cancels only its comment alerts.
ALTER TABLE deliveries ALTER COLUMN feedback_id DROP NOT NULL;
ALTER TABLE deliveries ADD COLUMN alert text CHECK (alert IN ('comment', 'down_rate'));

-- When each down_rate alert last fired for each subject: not again until its window has passed.
-- Keyed by the subject's digest, as a page URL may be longer than a B-tree entry can hold.
CREATE TABLE alert_subjects (
  alert text NOT NULL,
  digest text NOT NULL,
  subject text NOT NULL,
  alerted_at timestamptz NOT NULL,
  PRIMARY KEY (alert, digest)
);
