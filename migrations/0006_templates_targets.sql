-- Answer and case templates, service-level targets per area, form and classification, and the
-- change-request classification of a case.

CREATE TABLE templates (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('answer', 'case')),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  area_id      bigint REFERENCES areas (id),
  -- answer templates: the text with placeholders; case templates: the description.
  body         text NOT NULL DEFAULT '' CHECK (length(body) <= 20000),
  -- case templates only: what a new case starts with.
  title        text CHECK (title IS NULL OR length(title) <= 200),
  form_id      bigint REFERENCES forms (id),
  category_id  bigint REFERENCES categories (id),
  channel      text CHECK (channel IS NULL OR channel IN ('web', 'email', 'phone')),
  active       boolean NOT NULL DEFAULT true,
  CHECK (kind = 'case' OR (title IS NULL AND form_id IS NULL AND category_id IS NULL AND channel IS NULL)),
  CHECK (kind = 'answer' OR area_id IS NOT NULL)
);

-- The most specific target applies: classification, then form, then area, then the default.
CREATE TABLE service_targets (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id         bigint REFERENCES areas (id),
  form_id         bigint REFERENCES forms (id),
  classification  text CHECK (classification IS NULL OR classification IN ('change_request')),
  working_days    integer NOT NULL CHECK (working_days BETWEEN 1 AND 250),
  UNIQUE NULLS NOT DISTINCT (area_id, form_id, classification)
);

ALTER TABLE cases ADD COLUMN classification text CHECK (classification IS NULL OR classification IN ('change_request'));
