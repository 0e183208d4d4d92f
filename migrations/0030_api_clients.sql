-- Clients of the integration API (/api/v1): the centre's specialist systems (reach 'centre') and an
-- agency's own systems (reach 'agency', one agency). Tokens are shown once and stored as SHA-256 of their
-- 256-bit secret; several may be valid at once while a client rotates.
CREATE TABLE api_clients (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
  owner       text NOT NULL CHECK (length(owner) BETWEEN 2 AND 200),
  reach       text NOT NULL CHECK (reach IN ('centre', 'agency')),
  agency_id   bigint REFERENCES agencies (id),
  scopes      text[] NOT NULL DEFAULT '{}' CHECK (scopes <@ ARRAY['cases:read', 'cases:write', 'messages:write', 'status:write', 'reporting:read', 'webhooks:manage']::text[]),
  created_by  bigint REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CHECK ((reach = 'agency') = (agency_id IS NOT NULL))
);

CREATE TABLE api_tokens (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_id     bigint NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  -- The token's first characters, shown in lists and used to find it; the rest is only hashed.
  prefix        text NOT NULL UNIQUE CHECK (prefix ~ '^[A-Za-z0-9_-]{12}$'),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_client_idx ON api_tokens (client_id, created_at DESC);
