-- Macros: an answer template may also set the case's status, group, assignee (the caseworker who uses
-- it), category and priority, applied with the answer in one action and shown before it is saved.
ALTER TABLE templates
  ADD COLUMN set_status text CHECK (set_status IS NULL OR set_status IN ('active', 'in_progress', 'awaiting_customer', 'closed', 'postponed')),
  ADD COLUMN set_group_id bigint REFERENCES groups (id),
  ADD COLUMN set_assign_self boolean NOT NULL DEFAULT false,
  ADD COLUMN set_category_id bigint REFERENCES categories (id),
  ADD COLUMN set_priority text CHECK (set_priority IS NULL OR set_priority IN ('low', 'normal', 'high', 'critical')),
  ADD CONSTRAINT templates_macro_answer_only CHECK (
    kind = 'answer' OR (set_status IS NULL AND set_group_id IS NULL AND NOT set_assign_self AND set_category_id IS NULL AND set_priority IS NULL)
  ),
  -- A group or a category belongs to one area: a template that sets one is that area's.
  ADD CONSTRAINT templates_macro_area CHECK ((set_group_id IS NULL AND set_category_id IS NULL) OR area_id IS NOT NULL);
