-- How the centre handles a case, beyond its status: priority, and what closing it needs.
-- Priority is the centre's own judgement and is never shown to customers; changes to it and to the
-- category are recorded as "handling" events, which only staff see (like internal notes).
ALTER TABLE cases
  ADD COLUMN priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'critical')),
  -- Sorting by priority puts the most urgent first.
  ADD COLUMN priority_rank smallint GENERATED ALWAYS AS (
    CASE priority WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'normal' THEN 3 ELSE 4 END
  ) STORED,
  -- What closed it, and the working time it took, when the area asks for them at closing.
  ADD COLUMN resolution text CHECK (resolution IS NULL OR resolution IN ('answered', 'corrected', 'guidance', 'referred', 'duplicate', 'no_action')),
  ADD COLUMN time_spent_minutes integer CHECK (time_spent_minutes IS NULL OR time_spent_minutes BETWEEN 1 AND 100000);
CREATE INDEX cases_priority_sort_idx ON cases (priority_rank, id);

ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check;
ALTER TABLE case_events ADD CONSTRAINT case_events_kind_check
  CHECK (kind IN ('created', 'message', 'internal_note', 'status', 'assignment', 'classification', 'due_date', 'reopened', 'customer_linked', 'handling'));

-- Closing rules per area: the fields a caseworker must fill in before a case may be set to closed.
-- Registration stays light; these are asked for only at the end.
ALTER TABLE areas ADD COLUMN closing_requires text[] NOT NULL DEFAULT '{}'
  CHECK (closing_requires <@ ARRAY['category', 'resolution', 'time_spent']::text[]);
