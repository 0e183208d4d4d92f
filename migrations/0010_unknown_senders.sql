-- Mail from an address no user has still becomes a case: it has no requester and no agency until a
-- caseworker links it to a customer, and it keeps the address it came from. Customers never see
-- such a case (their visibility needs an agency); caseworkers of its area do.
ALTER TABLE cases
  ALTER COLUMN agency_id DROP NOT NULL,
  ALTER COLUMN requester_id DROP NOT NULL,
  ADD COLUMN sender_address text,
  ADD CONSTRAINT cases_requester_and_agency CHECK ((agency_id IS NULL) = (requester_id IS NULL)),
  ADD CONSTRAINT cases_someone_asked CHECK (requester_id IS NOT NULL OR sender_address IS NOT NULL);

-- Unlinked cases show the address they came from where a requester's name would be.
CREATE OR REPLACE FUNCTION cases_requester_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.requester_id IS NULL THEN
    NEW.requester_name := coalesce(NEW.sender_address, '');
  ELSIF NEW.requester_name = '' OR TG_OP = 'UPDATE' THEN
    NEW.requester_name := (SELECT name FROM users WHERE id = NEW.requester_id);
  END IF;
  RETURN NEW;
END $$;

ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check;
ALTER TABLE case_events ADD CONSTRAINT case_events_kind_check
  CHECK (kind IN ('created', 'message', 'internal_note', 'status', 'assignment', 'classification', 'due_date', 'reopened', 'customer_linked'));

CREATE INDEX cases_unlinked_idx ON cases (area_id, created_at DESC, id DESC) WHERE requester_id IS NULL;
