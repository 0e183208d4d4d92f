-- Where a received mail came from when it has a key of its own there: for a polled IMAP mailbox the
-- mailbox, its UIDVALIDITY and the message's UID. A mail fetched again after a crash (stored, but not
-- yet moved out of the mailbox) is then recognised even without a Message-ID.
ALTER TABLE inbound_mail ADD COLUMN source text;
CREATE UNIQUE INDEX inbound_mail_source_key ON inbound_mail (source) WHERE source IS NOT NULL;
