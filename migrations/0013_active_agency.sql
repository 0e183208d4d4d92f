-- A user who acts for several agencies (a payroll community) chooses which one per session; every
-- list, form and export follows that choice. Null means the first of their agencies.
ALTER TABLE sessions ADD COLUMN active_agency_id bigint REFERENCES agencies (id);
