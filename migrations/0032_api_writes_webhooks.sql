-- What an API client writes is written by a user of its own: case events, files and notices name an
-- actor, and the client's is "API: <name>". The user has no login (no OIDC subject, an .invalid address)
-- and is inactive, so it is never offered as a caseworker, a customer or a recipient.
ALTER TABLE api_clients ADD COLUMN user_id bigint REFERENCES users (id);
INSERT INTO users (email, name, active)
  SELECT 'api-client-' || id || '@api.invalid', 'API: ' || name, false FROM api_clients;
UPDATE api_clients c SET user_id = u.id FROM users u WHERE u.email = 'api-client-' || c.id || '@api.invalid';
ALTER TABLE api_clients ALTER COLUMN user_id SET NOT NULL;

-- Webhook subscriptions: a client's URL and the events it wants. The secret signs each delivery (HMAC
-- needs it in clear); it is shown once, when the subscription is made.
CREATE TABLE webhook_subscriptions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_id        bigint NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  url              text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  events           text[] NOT NULL CHECK (cardinality(events) > 0 AND events <@ ARRAY['case.created', 'case.updated', 'case.status_changed', 'message.created', 'reporting.delivered']::text[]),
  secret           text NOT NULL CHECK (length(secret) >= 32),
  -- Message text in the payload: only for the centre's clients, and only when asked for.
  include_content  boolean NOT NULL DEFAULT false,
  -- Failed attempts in a row; at the limit the subscription pauses until it is resumed. Events go on
  -- being queued while it is paused, and are delivered in order once it is resumed.
  failures         integer NOT NULL DEFAULT 0,
  paused_at        timestamptz,
  paused_reason    text CHECK (paused_reason IN ('failures', 'manual')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((paused_at IS NULL) = (paused_reason IS NULL))
);
CREATE INDEX webhook_subscriptions_client_idx ON webhook_subscriptions (client_id);

-- One event for one subscription, written in the transaction of the change it announces (the outbox).
-- Delivered at least once, in order per case and subscription: a later event of the same case waits
-- until the earlier is delivered or given up.
CREATE TABLE webhook_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscription_id  bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  event_id         uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  event_type       text NOT NULL,
  case_id          bigint REFERENCES cases (id) ON DELETE CASCADE,
  case_event_id    bigint REFERENCES case_events (id) ON DELETE CASCADE,
  report_delivery_id bigint REFERENCES report_deliveries (id) ON DELETE CASCADE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- A worker's claim; a worker killed mid-delivery leaves it to expire, and the event goes again.
  locked_until     timestamptz,
  delivered_at     timestamptz,
  given_up_at      timestamptz,
  last_status      integer,
  last_error       text
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
  WHERE delivered_at IS NULL AND given_up_at IS NULL;
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (subscription_id, case_id, id)
  WHERE delivered_at IS NULL AND given_up_at IS NULL;
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (subscription_id, id DESC);

-- Every attempt: the delivery log.
CREATE TABLE webhook_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  at           timestamptz NOT NULL DEFAULT now(),
  status       integer,
  error        text,
  duration_ms  integer NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, at DESC);

-- Which subscriptions hear of a case event: the centre's clients of every case, an agency's of its own
-- cases in the areas it buys; internal notes only to the centre's. A client needs cases:read.
CREATE FUNCTION webhook_case_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event_type text := CASE NEW.kind
    WHEN 'created' THEN 'case.created'
    WHEN 'message' THEN 'message.created'
    WHEN 'internal_note' THEN 'message.created'
    WHEN 'status' THEN 'case.status_changed'
    WHEN 'reopened' THEN 'case.status_changed'
    ELSE 'case.updated' END;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions) THEN
    RETURN NULL;
  END IF;
  INSERT INTO webhook_deliveries (subscription_id, event_type, case_id, case_event_id)
  SELECT s.id, event_type, NEW.case_id, NEW.id
    FROM webhook_subscriptions s
    JOIN api_clients c ON c.id = s.client_id
    JOIN cases k ON k.id = NEW.case_id
   WHERE c.revoked_at IS NULL
     AND event_type = ANY (s.events)
     AND 'cases:read' = ANY (c.scopes)
     AND (c.reach = 'centre'
          OR (NEW.kind <> 'internal_note'
              AND k.agency_id = c.agency_id
              AND EXISTS (SELECT 1 FROM agency_areas a WHERE a.agency_id = c.agency_id AND a.area_id = k.area_id)));
  RETURN NULL;
END $$;
CREATE TRIGGER case_events_webhooks AFTER INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION webhook_case_event();

-- A periodic report delivered: the centre's clients and the agency's own, with reporting:read.
CREATE FUNCTION webhook_report_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_deliveries (subscription_id, event_type, report_delivery_id)
  SELECT s.id, 'reporting.delivered', NEW.id
    FROM webhook_subscriptions s
    JOIN api_clients c ON c.id = s.client_id
   WHERE c.revoked_at IS NULL
     AND 'reporting.delivered' = ANY (s.events)
     AND 'reporting:read' = ANY (c.scopes)
     AND (c.reach = 'centre' OR c.agency_id = NEW.agency_id);
  RETURN NULL;
END $$;
CREATE TRIGGER report_deliveries_webhooks AFTER INSERT ON report_deliveries FOR EACH ROW EXECUTE FUNCTION webhook_report_delivery();
