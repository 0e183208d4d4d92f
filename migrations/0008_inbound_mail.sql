-- The e-mail channel: receiving addresses per area, and every received mail kept raw before it is
-- processed, so a crash after receipt never loses one and a re-delivery never makes a second case.

CREATE TABLE mailbox_addresses (
  address  text PRIMARY KEY CHECK (address = lower(address) AND position('@' in address) > 1),
  area_id  bigint NOT NULL REFERENCES areas (id)
);

CREATE TABLE inbound_mail (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id    text,
  sender        text NOT NULL DEFAULT '',
  recipient     text NOT NULL,
  subject       text NOT NULL DEFAULT '',
  raw           bytea NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'case_created', 'appended', 'refused')),
  reason        text,
  case_id       bigint REFERENCES cases (id),
  attempts      integer NOT NULL DEFAULT 0,
  processed_at  timestamptz
);
CREATE UNIQUE INDEX inbound_mail_message_id_key ON inbound_mail (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX inbound_mail_pending_idx ON inbound_mail (id) WHERE status = 'pending';
CREATE INDEX inbound_mail_sender_idx ON inbound_mail (sender, received_at);
ALTER TABLE inbound_mail ALTER COLUMN raw SET STORAGE EXTERNAL;
