-- Customer portal: forms as data, categories, case answers and due dates, attachments,
-- per-user list columns and full-text search over title, body and messages.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A form belongs to an area; its fields are data (see src/forms/definition.ts for the shape).
CREATE TABLE forms (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id         bigint NOT NULL REFERENCES areas (id),
  code            text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_-]{0,39}$'),
  purpose         text NOT NULL DEFAULT 'case' CHECK (purpose IN ('case', 'access_order')),
  name_nb         text NOT NULL CHECK (length(name_nb) BETWEEN 1 AND 200),
  name_en         text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
  description_nb  text NOT NULL DEFAULT '',
  description_en  text NOT NULL DEFAULT '',
  fields          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(fields) = 'array'),
  sort_order      integer NOT NULL DEFAULT 0,
  active          boolean NOT NULL DEFAULT true,
  UNIQUE (area_id, code)
);

CREATE TABLE categories (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id   bigint NOT NULL REFERENCES areas (id),
  code      text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_-]{0,39}$'),
  name_nb   text NOT NULL,
  name_en   text NOT NULL,
  active    boolean NOT NULL DEFAULT true,
  UNIQUE (area_id, code)
);

ALTER TABLE cases
  ADD COLUMN form_id      bigint REFERENCES forms (id),
  ADD COLUMN answers      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(answers) = 'object'),
  ADD COLUMN category_id  bigint REFERENCES categories (id),
  -- Every case has a deadline; the application computes it from the working-day calendar, and the
  -- default (two calendar days) only covers rows written by hand.
  ADD COLUMN due_at       timestamptz NOT NULL DEFAULT now() + interval '2 days',
  -- Sorting by status follows the life of a case, not the alphabet of its codes.
  ADD COLUMN status_rank  smallint GENERATED ALWAYS AS (
    CASE status WHEN 'active' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'awaiting_customer' THEN 3 WHEN 'postponed' THEN 4 ELSE 5 END
  ) STORED,
  ADD COLUMN search       tsvector NOT NULL DEFAULT ''::tsvector,
  -- A copy of the requester's name, so the list can sort by it through an index like any other column.
  ADD COLUMN requester_name text NOT NULL DEFAULT '';

UPDATE cases SET requester_name = users.name FROM users WHERE users.id = cases.requester_id;

CREATE FUNCTION cases_requester_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.requester_name = '' OR TG_OP = 'UPDATE' THEN
    NEW.requester_name := (SELECT name FROM users WHERE id = NEW.requester_id);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cases_requester_name BEFORE INSERT OR UPDATE OF requester_id ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_requester_name();

CREATE FUNCTION users_name_to_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE cases SET requester_name = NEW.name WHERE requester_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER users_name_to_cases AFTER UPDATE OF name ON users
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION users_name_to_cases();

-- Messages and internal notes carry their text in data->>'body'; only messages are searchable by customers.
CREATE FUNCTION cases_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search :=
    setweight(to_tsvector('norwegian', NEW.number || ' ' || NEW.title), 'A') ||
    setweight(to_tsvector('norwegian', NEW.body), 'B') ||
    coalesce((SELECT setweight(to_tsvector('norwegian', string_agg(e.data->>'body', ' ')), 'C')
                FROM case_events e WHERE e.case_id = NEW.id AND e.kind = 'message'), ''::tsvector);
  RETURN NEW;
END $$;
CREATE TRIGGER cases_search_refresh BEFORE INSERT OR UPDATE OF title, body ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_search_refresh();

CREATE FUNCTION case_events_search_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE cases SET search = search || setweight(to_tsvector('norwegian', coalesce(NEW.data->>'body', '')), 'C')
   WHERE id = NEW.case_id;
  RETURN NULL;
END $$;
CREATE TRIGGER case_events_search_append AFTER INSERT ON case_events
  FOR EACH ROW WHEN (NEW.kind = 'message') EXECUTE FUNCTION case_events_search_append();

CREATE INDEX cases_search_idx ON cases USING gin (search);

-- Attachments: metadata here, bytes in their own table so lists never touch them.
CREATE TABLE attachments (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id       bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  event_id      bigint REFERENCES case_events (id) ON DELETE CASCADE,
  -- The form's file field the file answers, or NULL for a plain attachment.
  form_field    text,
  filename      text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  content_type  text NOT NULL,
  size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_by   bigint REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_case_idx ON attachments (case_id, id);
CREATE INDEX attachments_event_idx ON attachments (event_id);

CREATE TABLE attachment_contents (
  attachment_id  bigint PRIMARY KEY REFERENCES attachments (id) ON DELETE CASCADE,
  data           bytea NOT NULL
);
-- Uncompressed out-of-line storage: files are mostly compressed already, and substring() can then
-- read a slice without detoasting the whole value, so downloads stream in chunks.
ALTER TABLE attachment_contents ALTER COLUMN data SET STORAGE EXTERNAL;

-- The columns a user chose for the case list; NULL means the default set.
ALTER TABLE users ADD COLUMN case_list_columns text[];

-- Every sort order the case list offers, within one agency (customers always act for one): the list
-- walks one of these in order and stops after a page, however many cases the agency has.
CREATE INDEX cases_agency_created_idx ON cases (agency_id, created_at DESC, id DESC);
CREATE INDEX cases_agency_updated_idx ON cases (agency_id, updated_at DESC, id DESC);
CREATE INDEX cases_agency_number_idx ON cases (agency_id, number, id);
CREATE INDEX cases_agency_title_idx ON cases (agency_id, title, id);
CREATE INDEX cases_agency_due_idx ON cases (agency_id, due_at, id);
CREATE INDEX cases_agency_status_idx ON cases (agency_id, status_rank, id);
CREATE INDEX cases_agency_area_sort_idx ON cases (agency_id, area_id, id);
CREATE INDEX cases_agency_channel_idx ON cases (agency_id, channel, id);
CREATE INDEX cases_agency_form_idx ON cases (agency_id, (coalesce(form_id, 0)), id);
CREATE INDEX cases_agency_category_idx ON cases (agency_id, (coalesce(category_id, 0)), id);
CREATE INDEX cases_agency_requester_name_idx ON cases (agency_id, requester_name, id);
CREATE INDEX cases_updated_idx ON cases (updated_at DESC, id DESC);
CREATE INDEX cases_title_trgm_idx ON cases USING gin (title gin_trgm_ops);
CREATE INDEX cases_number_trgm_idx ON cases USING gin (number gin_trgm_ops);
