-- Consultants (seed 002): people who act for exactly one institution and accept a consent declaration
-- before they use the service. The declaration is versioned: an admin's new text is a new row, and a
-- consultant who accepted an older one is asked again.
CREATE TABLE consultant_declarations (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  body_nb     text NOT NULL CHECK (length(body_nb) BETWEEN 1 AND 10000),
  body_en     text NOT NULL CHECK (length(body_en) <= 10000),
  created_by  bigint REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO consultant_declarations (body_nb, body_en) VALUES (
  'Jeg er innleid konsulent og opptrer bare på vegne av virksomheten jeg er registrert for. Jeg behandler opplysninger i Kundesenter på nett konfidensielt, bruker dem bare til oppdraget og gir dem ikke videre. Jeg vet at det jeg gjør, logges, og at tilgangen avsluttes når oppdraget er over.',
  'I am a hired consultant and act only on behalf of the agency I am registered for. I treat information in the customer centre as confidential, use it only for the assignment and do not pass it on. I know that what I do is logged, and that my access ends when the assignment is over.'
);

ALTER TABLE users
  ADD COLUMN consultant boolean NOT NULL DEFAULT false,
  ADD COLUMN consent_declaration_id bigint REFERENCES consultant_declarations (id),
  ADD COLUMN consent_accepted_at timestamptz;

-- A consultant acts for exactly one agency, whatever adds the membership: the user row is locked, so
-- two memberships added at once cannot both pass.
CREATE FUNCTION consultant_one_agency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM users WHERE id = NEW.user_id AND consultant FOR UPDATE;
  IF FOUND AND EXISTS (
    SELECT 1 FROM agency_members WHERE user_id = NEW.user_id AND agency_id <> NEW.agency_id
  ) THEN
    RAISE EXCEPTION 'a consultant acts for one agency only'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'consultant_one_agency';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER agency_members_consultant BEFORE INSERT OR UPDATE ON agency_members
  FOR EACH ROW EXECUTE FUNCTION consultant_one_agency();

-- And a member of several agencies cannot be made a consultant.
CREATE FUNCTION consultant_has_one_agency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.consultant AND NOT OLD.consultant
     AND (SELECT count(*) FROM agency_members WHERE user_id = NEW.id) > 1 THEN
    RAISE EXCEPTION 'a consultant acts for one agency only'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'consultant_one_agency';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER users_consultant BEFORE UPDATE OF consultant ON users
  FOR EACH ROW EXECUTE FUNCTION consultant_has_one_agency();
