-- Issue 16: which of REDACT's kinds each record's free text went through, as `REDACT` names them
-- (`email,phone,card`, a part of it in that order, or '' with REDACT=off); NULL for a record
-- stored before this migration, whose text may never have been redacted. Housekeeping redacts
-- the records whose kinds fall short of the collector's REDACT (`privacy/backfill.ts`). The
-- index holds only records stored with less than every kind, so under the default REDACT intake
-- never writes to it, and once the backlog is done it finds nothing at once.
ALTER TABLE feedback ADD COLUMN redacted text;
CREATE INDEX feedback_unredacted ON feedback (redacted, id)
  WHERE redacted IS DISTINCT FROM 'email,phone,card';
