-- Shared mailboxes (fellespostkasser): an identity of an agency with members. A case sent as the
-- mailbox is visible to and updatable by every member. The agency's shared-mailbox administrators
-- (a role) manage the members.
CREATE TABLE shared_mailboxes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agency_id   bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
  email       text NOT NULL CHECK (email = lower(email) AND length(email) <= 254 AND position('@' in email) > 1),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_id, name),
  UNIQUE (email)
);
CREATE INDEX shared_mailboxes_agency_idx ON shared_mailboxes (agency_id, name);

CREATE TABLE shared_mailbox_members (
  mailbox_id  bigint NOT NULL REFERENCES shared_mailboxes (id) ON DELETE CASCADE,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mailbox_id, user_id)
);
CREATE INDEX shared_mailbox_members_user_idx ON shared_mailbox_members (user_id);

ALTER TABLE cases ADD COLUMN shared_mailbox_id bigint REFERENCES shared_mailboxes (id);
CREATE INDEX cases_shared_mailbox_idx ON cases (shared_mailbox_id, created_at DESC, id DESC) WHERE shared_mailbox_id IS NOT NULL;

ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
  CHECK (role IN ('caseworker', 'admin', 'professional_user', 'authorised_orderer', 'power_of_attorney', 'editor', 'mailbox_admin'));
ALTER TABLE user_roles ADD CONSTRAINT user_roles_mailbox_admin_agency CHECK (role <> 'mailbox_admin' OR agency_id IS NOT NULL);
