-- Agencies as the centre knows them: the e-mail domains their staff use, the areas they buy, their
-- contact persons by role, and whether staff may register themselves. Sessions remember how strongly
-- the user logged in.
ALTER TABLE agencies ADD COLUMN self_registration boolean NOT NULL DEFAULT false;

CREATE TABLE agency_domains (
  agency_id  bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
  domain     text NOT NULL CHECK (length(domain) <= 253 AND domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$'),
  PRIMARY KEY (agency_id, domain)
);
-- Several agencies may share a domain (a ministry and its directorates): looked up by domain at registration.
CREATE INDEX agency_domains_domain_idx ON agency_domains (domain);

CREATE TABLE agency_areas (
  agency_id  bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
  area_id    bigint NOT NULL REFERENCES areas (id),
  PRIMARY KEY (agency_id, area_id)
);

CREATE TABLE agency_contacts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agency_id   bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('technical', 'payroll', 'accounting', 'invoice', 'management', 'security')),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email       text NOT NULL CHECK (email = lower(email) AND length(email) <= 254 AND position('@' in email) > 1),
  phone       text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_id, role, email)
);
CREATE INDEX agency_contacts_agency_idx ON agency_contacts (agency_id, role, name);

-- The `acr` and `amr` the identity provider vouched for at login, for the audit trail and for checks.
ALTER TABLE sessions ADD COLUMN acr text;
ALTER TABLE sessions ADD COLUMN amr text[] NOT NULL DEFAULT '{}';
