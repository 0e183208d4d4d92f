-- Acting for another agency (seed 002: payroll communities): a member asks with a short form, which
-- becomes a case; a caseworker of the case's area approves (the membership is added) or refuses, in the
-- case. One open request per user and agency.
CREATE TABLE membership_requests (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id     bigint NOT NULL UNIQUE REFERENCES cases (id),
  user_id     bigint NOT NULL REFERENCES users (id),
  agency_id   bigint NOT NULL REFERENCES agencies (id),
  decision    text CHECK (decision IS NULL OR decision IN ('approved', 'refused')),
  decided_by  bigint REFERENCES users (id),
  decided_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((decision IS NULL) = (decided_at IS NULL))
);
CREATE UNIQUE INDEX membership_requests_open ON membership_requests (user_id, agency_id) WHERE decision IS NULL;

-- The decision is an event in the case's timeline, seen by the customer.
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check;
ALTER TABLE case_events ADD CONSTRAINT case_events_kind_check
  CHECK (kind IN ('created', 'message', 'internal_note', 'status', 'assignment', 'classification', 'due_date', 'reopened', 'customer_linked', 'handling', 'membership'));
