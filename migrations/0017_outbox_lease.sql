-- The outbox worker claims rows with a lease instead of holding them locked in a transaction while it
-- sends: next_attempt_at becomes the lease's end, and lease_token says which claim owns the row. Each
-- mail is marked sent in its own commit, so a crash can repeat at most the one mail in flight.
ALTER TABLE outbox ADD COLUMN lease_token uuid;
