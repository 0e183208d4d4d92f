-- Side effects (mail now; webhooks later) written in the same transaction as the change they announce.
CREATE TABLE outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind             text NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  recipient        text NOT NULL,
  language         text NOT NULL DEFAULT 'nb' CHECK (language IN ('nb', 'en')),
  payload          jsonb NOT NULL DEFAULT '{}',
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  sent_at          timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE sent_at IS NULL;

-- Development only: mail that would have been sent, shown on /dev/mail.
CREATE TABLE dev_mail (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id  text NOT NULL,
  recipient   text NOT NULL,
  subject     text NOT NULL,
  text_body   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
