-- Knowledge base and FAQ, news and known problems, page feedback, and deflected cases.

ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
  CHECK (role IN ('caseworker', 'admin', 'professional_user', 'authorised_orderer', 'power_of_attorney', 'editor'));

CREATE TABLE articles (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id      bigint REFERENCES areas (id),
  category_id  bigint REFERENCES categories (id),
  audience     text NOT NULL DEFAULT 'public' CHECK (audience IN ('public', 'internal')),
  status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  faq          boolean NOT NULL DEFAULT false,
  title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 50000),
  search       tsvector GENERATED ALWAYS AS (
                 setweight(to_tsvector('norwegian', title), 'A') || setweight(to_tsvector('norwegian', body), 'B')
               ) STORED,
  created_by   bigint REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX articles_search_idx ON articles USING gin (search);
CREATE INDEX articles_area_idx ON articles (area_id, status, audience);

-- Every saved version, with who and when.
CREATE TABLE article_revisions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  article_id  bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  title       text NOT NULL,
  body        text NOT NULL,
  edited_by   bigint REFERENCES users (id),
  edited_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_revisions_article_idx ON article_revisions (article_id, id);

CREATE TABLE article_relations (
  article_id  bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  related_id  bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  PRIMARY KEY (article_id, related_id),
  CHECK (article_id <> related_id)
);

CREATE TABLE news (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id        bigint REFERENCES areas (id),
  severity       text NOT NULL DEFAULT 'info' CHECK (severity IN ('info', 'warning', 'critical')),
  title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body           text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  visible_from   timestamptz NOT NULL DEFAULT now(),
  visible_until  timestamptz,
  created_by     bigint REFERENCES users (id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (visible_until IS NULL OR visible_until > visible_from)
);
CREATE INDEX news_visible_idx ON news (visible_from DESC);

-- "Fant du det du lette etter?": anonymous on purpose, no user or session is stored.
CREATE TABLE page_feedback (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  article_id  bigint REFERENCES articles (id) ON DELETE CASCADE,
  page        text NOT NULL CHECK (length(page) <= 200),
  helpful     boolean NOT NULL,
  comment     text CHECK (comment IS NULL OR length(comment) <= 1000),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX page_feedback_article_idx ON page_feedback (article_id);

-- A suggested article opened from the new-case form; `converted` when a case was submitted anyway.
CREATE TABLE deflections (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  article_id  bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  session_id  uuid NOT NULL,
  converted   boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deflections_session_idx ON deflections (session_id) WHERE NOT converted;
