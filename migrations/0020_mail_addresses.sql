-- Receiving addresses decide more than the area: a group to route to, and optionally the form and
-- category of the case (mail to a dedicated address becomes a case of the right type). Each area may
-- send its notices under its own name and address.
ALTER TABLE mailbox_addresses
  ADD COLUMN group_id bigint REFERENCES groups (id),
  ADD COLUMN form_id bigint REFERENCES forms (id),
  ADD COLUMN category_id bigint REFERENCES categories (id);

ALTER TABLE areas
  ADD COLUMN mail_sender_name text CHECK (mail_sender_name IS NULL OR length(mail_sender_name) BETWEEN 1 AND 200),
  ADD COLUMN mail_sender_address text CHECK (
    mail_sender_address IS NULL OR (mail_sender_address = lower(mail_sender_address) AND position('@' in mail_sender_address) > 1)
  );
