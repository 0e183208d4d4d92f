-- A service target may follow one of the centre's reporting calendars: a payroll voucher must be
-- registered "innen registreringsfristen", so its case is due by the next payroll registration deadline
-- when that comes before the working-day target.
ALTER TABLE service_targets ADD COLUMN calendar text CHECK (calendar IS NULL OR calendar IN ('payroll', 'accounting'));
