-- E-mail you can trust. Every incoming mail gets a sender verdict (verified, unverified, failed) with
-- its reason, from the connection it came over (address, HELO, envelope sender); mail that claims a
-- customer without a verified sender is held for a caseworker, who releases or discards it.
ALTER TABLE inbound_mail
  ADD COLUMN verdict text CHECK (verdict IN ('verified', 'unverified', 'failed')),
  ADD COLUMN verdict_reason text,
  ADD COLUMN remote_address text,
  ADD COLUMN helo text,
  ADD COLUMN envelope_sender text,
  -- SHA-256 of the message body (after the header block): with the Message-ID and the sender it tells
  -- a true re-delivery (ignored) from a different mail that reuses a Message-ID (processed).
  ADD COLUMN body_digest text,
  ADD COLUMN decided_by bigint REFERENCES users (id),
  ADD COLUMN decided_at timestamptz,
  ADD COLUMN decision_reason text;

UPDATE inbound_mail
SET body_digest = encode(sha256(substring(raw FROM position('\x0d0a0d0a'::bytea IN raw) + 4)), 'hex');

ALTER TABLE inbound_mail DROP CONSTRAINT inbound_mail_status_check;
ALTER TABLE inbound_mail ADD CONSTRAINT inbound_mail_status_check
  CHECK (status IN ('pending', 'case_created', 'appended', 'refused', 'held', 'discarded'));

DROP INDEX inbound_mail_message_id_key;
CREATE UNIQUE INDEX inbound_mail_redelivery_key ON inbound_mail (message_id, sender, body_digest)
  WHERE message_id IS NOT NULL;
CREATE INDEX inbound_mail_message_id_idx ON inbound_mail (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX inbound_mail_held_idx ON inbound_mail (id) WHERE status = 'held';
