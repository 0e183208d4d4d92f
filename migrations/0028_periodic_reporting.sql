-- Periodic reporting (innrapportering): the centre defines report types with a versioned layout and a
-- deadline rule; agencies deliver a file (or a small web form) per period; each passing delivery gets a
-- receipt, a refused one is kept with its file so its errors can be shown again and the centre can
-- follow up. Reminders are written once per type, agency, period and kind.

-- The innrapportør: may deliver an area's reports for one agency.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
  CHECK (role IN ('caseworker', 'admin', 'professional_user', 'authorised_orderer', 'power_of_attorney', 'editor', 'mailbox_admin', 'reporter'));
ALTER TABLE user_roles ADD CONSTRAINT user_roles_reporter_scope
  CHECK (role <> 'reporter' OR (agency_id IS NOT NULL AND area_id IS NOT NULL));

-- The centre's calendars: one registration deadline per month in the payroll calendar (lønnskalender),
-- one period-close date per month for accounting.
CREATE TABLE reporting_calendar (
  calendar  text NOT NULL CHECK (calendar IN ('payroll', 'accounting')),
  month     text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  deadline  date NOT NULL,
  PRIMARY KEY (calendar, month)
);

CREATE TABLE report_types (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id         bigint NOT NULL REFERENCES areas (id),
  code            text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_-]{0,39}$'),
  name_nb         text NOT NULL CHECK (length(name_nb) BETWEEN 1 AND 200),
  name_en         text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
  description_nb  text NOT NULL DEFAULT '' CHECK (length(description_nb) <= 4000),
  description_en  text NOT NULL DEFAULT '' CHECK (length(description_en) <= 4000),
  period_kind     text NOT NULL CHECK (period_kind IN ('monthly', 'bimonthly', 'quarterly', 'yearly')),
  -- 'area': every agency that buys the area; 'chosen': the agencies in report_type_agencies.
  audience        text NOT NULL DEFAULT 'area' CHECK (audience IN ('area', 'chosen')),
  -- 'payroll' / 'accounting': the calendar's date for the period's last month; 'working_days': N working
  -- days after the period ends.
  deadline_rule   text NOT NULL CHECK (deadline_rule IN ('payroll', 'accounting', 'working_days')),
  deadline_days   smallint NOT NULL DEFAULT 10 CHECK (deadline_days BETWEEN 0 AND 60),
  reminder_days   smallint NOT NULL DEFAULT 3 CHECK (reminder_days BETWEEN 0 AND 30),
  -- Periods before this one were never due.
  first_period    text NOT NULL CHECK (first_period ~ '^[0-9]{4}(-(0[1-9]|1[0-2]|B[1-6]|Q[1-4]))?$'),
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_types_area_idx ON report_types (area_id);

CREATE TABLE report_type_agencies (
  report_type_id  bigint NOT NULL REFERENCES report_types (id) ON DELETE CASCADE,
  agency_id       bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
  PRIMARY KEY (report_type_id, agency_id)
);

-- A layout never changes once written: editing writes the next version.
CREATE TABLE report_layouts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  report_type_id  bigint NOT NULL REFERENCES report_types (id),
  version         integer NOT NULL CHECK (version > 0),
  definition      jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
  created_by      bigint REFERENCES users (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (report_type_id, version)
);

-- Who the centre writes to about an agency's reporting: registered at first use.
CREATE TABLE reporting_contacts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agency_id      bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email          text NOT NULL CHECK (email = lower(email) AND length(email) <= 254 AND position('@' in email) > 1),
  phone          text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
  registered_by  bigint REFERENCES users (id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_id, email)
);

-- The files delivered or refused, stored in slices like attachments.
CREATE TABLE report_files (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  filename      text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  content_type  text NOT NULL,
  size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE report_file_chunks (
  file_id  bigint NOT NULL REFERENCES report_files (id) ON DELETE CASCADE,
  seq      integer NOT NULL,
  data     bytea NOT NULL,
  PRIMARY KEY (file_id, seq)
);
ALTER TABLE report_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE SEQUENCE report_receipt_seq;

CREATE TABLE report_deliveries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  receipt         text NOT NULL UNIQUE,
  report_type_id  bigint NOT NULL REFERENCES report_types (id),
  agency_id       bigint NOT NULL REFERENCES agencies (id),
  period          text NOT NULL,
  -- 1 for the first delivery of the period; a correction is the next version and replaces the last.
  version         integer NOT NULL CHECK (version > 0),
  layout_id       bigint NOT NULL REFERENCES report_layouts (id),
  file_id         bigint NOT NULL REFERENCES report_files (id),
  channel         text NOT NULL CHECK (channel IN ('file', 'web')),
  row_count       integer NOT NULL CHECK (row_count >= 0),
  control_sums    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(control_sums) = 'object'),
  delivered_by    bigint REFERENCES users (id),
  delivered_at    timestamptz NOT NULL DEFAULT now(),
  replaced_at     timestamptz,
  UNIQUE (report_type_id, agency_id, period, version)
);
-- The one delivery of a period that counts.
CREATE UNIQUE INDEX report_deliveries_current_idx ON report_deliveries (report_type_id, agency_id, period)
  WHERE replaced_at IS NULL;
CREATE INDEX report_deliveries_agency_idx ON report_deliveries (agency_id, report_type_id, period);

-- A delivery that did not pass: kept with its file and layout so the errors can be listed again.
CREATE TABLE report_rejections (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  report_type_id  bigint NOT NULL REFERENCES report_types (id),
  agency_id       bigint NOT NULL REFERENCES agencies (id),
  period          text NOT NULL,
  layout_id       bigint NOT NULL REFERENCES report_layouts (id),
  file_id         bigint NOT NULL REFERENCES report_files (id),
  channel         text NOT NULL CHECK (channel IN ('file', 'web')),
  error_count     integer NOT NULL CHECK (error_count > 0),
  -- The figures the deliverer stated for the control rules, to check the file again the same way.
  declared        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(declared) = 'object'),
  -- The first errors as shown on the page; the error report lists all of them from the file.
  errors          jsonb NOT NULL CHECK (jsonb_typeof(errors) = 'array'),
  rejected_by     bigint REFERENCES users (id),
  rejected_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_rejections_agency_idx ON report_rejections (agency_id, report_type_id, period, rejected_at);

-- One reminder per type, agency, period and kind, however many instances look at once.
CREATE TABLE report_reminders (
  report_type_id  bigint NOT NULL REFERENCES report_types (id) ON DELETE CASCADE,
  agency_id       bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
  period          text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('before', 'after')),
  sent_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (report_type_id, agency_id, period, kind)
);
