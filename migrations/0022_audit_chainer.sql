-- Entries leave the request's path: a request records what it did or read in its own transaction,
-- without the chain's lock, and one chainer links them just after commit, in order of arrival (`id`),
-- giving each its place in the chain (`seq`), the previous entry's hash and its own. Until then an
-- entry has no `seq`. The guard now lets exactly that one change through: linking an unlinked entry,
-- with everything it records unchanged. Deletes stay refused, and so does any other update.
DROP TRIGGER audit_log_append_only ON audit_log;

ALTER TABLE audit_log ADD COLUMN id bigint;
UPDATE audit_log SET id = seq;
ALTER TABLE audit_log
  DROP CONSTRAINT audit_log_pkey,
  ALTER COLUMN id SET NOT NULL,
  ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY,
  ADD PRIMARY KEY (id),
  ALTER COLUMN seq DROP NOT NULL,
  ALTER COLUMN prev_hash DROP NOT NULL,
  ALTER COLUMN hash DROP NOT NULL,
  ADD CONSTRAINT audit_log_linked_whole CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL));
SELECT setval(pg_get_serial_sequence('audit_log', 'id'), coalesce((SELECT max(id) FROM audit_log), 0) + 1, false);
CREATE UNIQUE INDEX audit_log_seq_idx ON audit_log (seq);
CREATE INDEX audit_log_unlinked_idx ON audit_log (id) WHERE seq IS NULL;

CREATE TRIGGER audit_log_append_only BEFORE DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE FUNCTION audit_log_link_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_name, NEW.action, NEW.object_type, NEW.object_id,
          NEW.agency_id, NEW.ip, NEW.details)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.at, OLD.actor_id, OLD.actor_name, OLD.action, OLD.object_type, OLD.object_id,
          OLD.agency_id, OLD.ip, OLD.details) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_link_only BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_link_only();

-- The pages list entries newest first by arrival, linked or not yet.
DROP INDEX audit_log_agency_idx, audit_log_actor_idx, audit_log_object_idx;
CREATE INDEX audit_log_agency_idx ON audit_log (agency_id, id DESC) WHERE agency_id IS NOT NULL;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, id DESC);
