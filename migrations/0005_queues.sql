-- Caseworker groups (teams) per area, routing of new cases to a group, and assignment.

CREATE TABLE groups (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id   bigint NOT NULL REFERENCES areas (id),
  code      text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_-]{0,39}$'),
  name_nb   text NOT NULL CHECK (length(name_nb) BETWEEN 1 AND 200),
  name_en   text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
  active    boolean NOT NULL DEFAULT true
);

CREATE TABLE group_members (
  group_id  bigint NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

-- The most specific rule wins: a rule for the area and form before a rule for the area alone.
CREATE TABLE routing_rules (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id   bigint NOT NULL REFERENCES areas (id),
  form_id   bigint REFERENCES forms (id),
  group_id  bigint NOT NULL REFERENCES groups (id),
  UNIQUE NULLS NOT DISTINCT (area_id, form_id)
);

ALTER TABLE cases
  ADD COLUMN group_id     bigint REFERENCES groups (id),
  ADD COLUMN assignee_id  bigint REFERENCES users (id);

-- Queues look at open cases only; these stay small however many closed cases pile up.
CREATE INDEX cases_open_group_idx ON cases (group_id, due_at, id) WHERE status <> 'closed';
CREATE INDEX cases_open_assignee_idx ON cases (assignee_id, due_at, id) WHERE status <> 'closed';
CREATE INDEX cases_open_due_idx ON cases (due_at, id) WHERE status <> 'closed';
