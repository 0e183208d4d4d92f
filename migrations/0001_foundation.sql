-- Foundation: agencies, areas, users and their roles, sessions, cases and their events.

CREATE TABLE agencies (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_number  text NOT NULL UNIQUE CHECK (org_number ~ '^[0-9]{9}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE areas (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_-]{0,39}$'),
  name_nb     text NOT NULL,
  name_en     text NOT NULL,
  description_nb text NOT NULL DEFAULT '',
  description_en text NOT NULL DEFAULT '',
  sort_order  integer NOT NULL DEFAULT 0,
  active      boolean NOT NULL DEFAULT true
);

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  oidc_subject  text UNIQUE,
  email         text NOT NULL CHECK (email = lower(email) AND position('@' in email) > 1),
  name          text NOT NULL,
  language      text CHECK (language IN ('nb', 'en')),
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Which agencies a user acts for (several for payroll communities).
CREATE TABLE agency_members (
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  agency_id  bigint NOT NULL REFERENCES agencies (id),
  PRIMARY KEY (user_id, agency_id)
);
CREATE INDEX agency_members_agency_idx ON agency_members (agency_id);

-- Roles as (role, agency?, area?) tuples, e.g. professional_user for agency 12 in area lønn.
CREATE TABLE user_roles (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('caseworker', 'admin', 'professional_user', 'authorised_orderer', 'power_of_attorney')),
  agency_id   bigint REFERENCES agencies (id),
  area_id     bigint REFERENCES areas (id),
  granted_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (role NOT IN ('professional_user', 'authorised_orderer') OR (agency_id IS NOT NULL AND area_id IS NOT NULL)),
  CHECK (role <> 'power_of_attorney' OR agency_id IS NOT NULL),
  CHECK (role <> 'caseworker' OR area_id IS NOT NULL)
);
CREATE UNIQUE INDEX user_roles_unique ON user_roles (user_id, role, coalesce(agency_id, 0), coalesce(area_id, 0));

-- Server-side record of each login, so logout and revocation really end a session.
CREATE TABLE sessions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- Case numbers are year + a gapless sequence per year, assigned in the creating transaction.
CREATE TABLE case_number_counters (
  year        integer PRIMARY KEY,
  last_value  integer NOT NULL
);

CREATE TABLE cases (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number        text NOT NULL UNIQUE CHECK (number ~ '^[0-9]{4}-[0-9]{6,}$'),
  title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  area_id       bigint NOT NULL REFERENCES areas (id),
  agency_id     bigint NOT NULL REFERENCES agencies (id),
  requester_id  bigint NOT NULL REFERENCES users (id),
  channel       text NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'email', 'phone')),
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'in_progress', 'awaiting_customer', 'closed', 'postponed')),
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_requester_idx ON cases (requester_id, created_at DESC, id DESC);
CREATE INDEX cases_agency_area_idx ON cases (agency_id, area_id, created_at DESC, id DESC);
CREATE INDEX cases_area_idx ON cases (area_id, created_at DESC, id DESC);
CREATE INDEX cases_created_idx ON cases (created_at DESC, id DESC);

CREATE TABLE case_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id     bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('created', 'message', 'internal_note', 'status', 'assignment', 'classification', 'due_date', 'reopened')),
  actor_id    bigint REFERENCES users (id),
  data        jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);
