-- SPEC §8: lists and exports are ordered by created_at descending, then id. Ties of created_at
-- were broken by received_at first, which the contract does not name: two votes a browser dated
-- the same millisecond came in the order they arrived, not by id. The index follows the order,
-- with what attention reads (008) still carried.
DROP INDEX feedback_order;
CREATE INDEX feedback_order ON feedback (created_at DESC, id COLLATE "C")
  INCLUDE (message_id, page_key, rating, status);
