-- Each area's customer centre ("kundesenter lønn", "kundesenter regnskap"): how to reach it by phone and
-- e-mail and when it answers, edited by admins and shown on /contact. Empty until an admin fills it in.
ALTER TABLE areas
  ADD COLUMN contact_phone text NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 40),
  ADD COLUMN contact_email text NOT NULL DEFAULT '' CHECK (length(contact_email) <= 254),
  ADD COLUMN opening_hours_nb text NOT NULL DEFAULT '' CHECK (length(opening_hours_nb) <= 300),
  ADD COLUMN opening_hours_en text NOT NULL DEFAULT '' CHECK (length(opening_hours_en) <= 300);
