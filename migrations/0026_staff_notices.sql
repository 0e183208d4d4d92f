-- Notices for caseworkers: a customer replied, a case was assigned to them, mail was held, a deadline
-- is near. One row per recipient (the assignee, or each member of the case's group when nobody has it);
-- read when opened. `dedupe` keeps one notice per thing that happened, however often it is noticed.
CREATE TABLE staff_notices (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('customer_reply', 'assigned', 'held_mail', 'deadline')),
  case_id     bigint REFERENCES cases (id) ON DELETE CASCADE,
  inbound_id  bigint REFERENCES inbound_mail (id) ON DELETE CASCADE,
  dedupe      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  read_at     timestamptz,
  UNIQUE (user_id, dedupe)
);
CREATE INDEX staff_notices_user_idx ON staff_notices (user_id, id DESC);
CREATE INDEX staff_notices_unread_idx ON staff_notices (user_id) WHERE read_at IS NULL;

-- Whether a caseworker also wants a content-free e-mail for each notice.
ALTER TABLE users ADD COLUMN notice_email boolean NOT NULL DEFAULT false;
