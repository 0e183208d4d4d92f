-- Each app process keeps the viewer of a session in memory for up to a minute instead of reading the
-- session, the user and their roles, agencies, groups and mailboxes on every request
-- (src/auth/kept-viewers.ts). Whatever changes any of those, in any process (another app, a worker, a
-- command, an administrator in psql), says so on the channel 'ks_access' when its transaction commits,
-- and every process listening drops what it keeps:
-- - a session ended or moved to another agency names its user ('user:<id>'): only that user's viewers go;
-- - anything else says '*' and everything goes (role, membership, group and mailbox changes are rare).
-- What changes nothing in a viewer stays quiet: a new session, a session's minute-by-minute "last seen"
-- stamp, and a login's stamp on the user (last login, subject), so logins never empty the memory.
-- PostgreSQL folds equal notices of one transaction into one.
CREATE FUNCTION announce_access_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ks_access', '*');
  RETURN NULL;
END
$$;

CREATE FUNCTION announce_session_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ks_access', 'user:' || OLD.user_id);
  IF TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
    PERFORM pg_notify('ks_access', 'user:' || NEW.user_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_access_changed
  AFTER UPDATE OF name, email, language, case_list_columns, consultant, consent_declaration_id, active
  OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION announce_access_change();
CREATE TRIGGER user_roles_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_roles
  FOR EACH STATEMENT EXECUTE FUNCTION announce_access_change();
CREATE TRIGGER agency_members_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agency_members
  FOR EACH STATEMENT EXECUTE FUNCTION announce_access_change();
CREATE TRIGGER agencies_access_changed AFTER UPDATE OR DELETE OR TRUNCATE ON agencies
  FOR EACH STATEMENT EXECUTE FUNCTION announce_access_change();
CREATE TRIGGER group_members_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON group_members
  FOR EACH STATEMENT EXECUTE FUNCTION announce_access_change();
CREATE TRIGGER shared_mailboxes_access_changed AFTER UPDATE OR DELETE OR TRUNCATE ON shared_mailboxes
  FOR EACH STATEMENT EXECUTE FUNCTION announce_access_change();
CREATE TRIGGER shared_mailbox_members_access_changed
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shared_mailbox_members
  FOR EACH STATEMENT EXECUTE FUNCTION announce_access_change();
CREATE TRIGGER consultant_declarations_access_changed
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON consultant_declarations
  FOR EACH STATEMENT EXECUTE FUNCTION announce_access_change();
CREATE TRIGGER sessions_access_changed
  AFTER UPDATE OF user_id, revoked_at, active_agency_id, created_at OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION announce_session_change();
CREATE TRIGGER sessions_truncated AFTER TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION announce_access_change();
