-- "Nei" with a comment is something to act on: editors read the comments with the page they came from
-- and mark each handled (by whom and when). The feedback itself stays anonymous.
ALTER TABLE page_feedback
  ADD COLUMN handled_at timestamptz,
  ADD COLUMN handled_by bigint REFERENCES users (id);
CREATE INDEX page_feedback_open_comments ON page_feedback (created_at DESC)
  WHERE comment IS NOT NULL AND handled_at IS NULL;
