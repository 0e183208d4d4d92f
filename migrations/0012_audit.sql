-- The audit trail: who did or read what, when and from where. Append-only (a trigger refuses updates
-- and deletes), and hash-chained: each entry's hash is an HMAC, under a key the database does not
-- hold, of the previous entry's hash and its own content, so a changed, removed or inserted entry
-- breaks the chain from there on. `seq` is the chain's order, given under a lock by the writer.
CREATE TABLE audit_log (
  seq          bigint PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_id     bigint REFERENCES users (id),
  actor_name   text NOT NULL DEFAULT '',
  action       text NOT NULL,
  object_type  text NOT NULL,
  object_id    text NOT NULL DEFAULT '',
  -- The agency whose data the entry concerns, so that agency can see who at the centre read it.
  agency_id    bigint REFERENCES agencies (id),
  ip           text NOT NULL DEFAULT '',
  details      jsonb NOT NULL DEFAULT '{}',
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE INDEX audit_log_agency_idx ON audit_log (agency_id, seq DESC) WHERE agency_id IS NOT NULL;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, seq DESC);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, seq DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
