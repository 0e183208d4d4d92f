-- "Saken i fagsystemet": a case's references in the specialist systems (one per system, kept up to date
-- by the system through the API), and the answers to POSTs with an Idempotency-Key, kept for 24 hours so
-- a retried request gets the first answer instead of doing the work twice.
CREATE TABLE case_references (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id      bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  system       text NOT NULL CHECK (length(system) BETWEEN 1 AND 100),
  external_id  text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
  url          text CHECK (url IS NULL OR (length(url) <= 2000 AND url ~ '^https?://')),
  client_id    bigint REFERENCES api_clients (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, system)
);

CREATE TABLE api_idempotency (
  client_id     bigint NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  -- What was asked: method, path and body, so the same key with another request is refused.
  request_hash  text NOT NULL,
  status        integer,
  body          jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, key)
);
CREATE INDEX api_idempotency_created_idx ON api_idempotency (created_at);
