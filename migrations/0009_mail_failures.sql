-- Addresses our mail could not be delivered to, from the bounces (delivery status notifications)
-- that come back to the return path, for caseworkers to see beside the customer.
CREATE TABLE mail_failures (
  address         text PRIMARY KEY CHECK (address = lower(address)),
  failures        integer NOT NULL DEFAULT 1,
  last_reason     text NOT NULL DEFAULT '',
  last_failed_at  timestamptz NOT NULL DEFAULT now()
);
