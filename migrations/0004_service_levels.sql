-- Service levels: days the centre is closed beyond public holidays, and the state of each case's clock.

CREATE TABLE closed_days (
  day         date PRIMARY KEY,
  reason_nb   text NOT NULL CHECK (length(reason_nb) BETWEEN 1 AND 200),
  reason_en   text NOT NULL CHECK (length(reason_en) BETWEEN 1 AND 200),
  created_by  bigint REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE cases
  -- When the clock stopped (Venter på kunde, Utsatt) and how much working time was left then.
  ADD COLUMN sla_paused_at     timestamptz,
  ADD COLUMN sla_remaining_ms  bigint CHECK (sla_remaining_ms IS NULL OR sla_remaining_ms >= 0),
  -- The first answer or provisional answer from the centre stops the first-answer clock.
  ADD COLUMN first_answered_at timestamptz,
  -- What a provisional answer promised the customer.
  ADD COLUMN expected_at       timestamptz,
  ADD CONSTRAINT cases_sla_pause_complete CHECK ((sla_paused_at IS NULL) = (sla_remaining_ms IS NULL));
