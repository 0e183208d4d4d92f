-- Targets by kind of case (the seed's "NAV refunds within a week, larger organisation changes up to
-- three weeks"): a service target may name a category too. The most specific target applies:
-- classification, then category, then form, then area, then the default.
ALTER TABLE service_targets ADD COLUMN category_id bigint REFERENCES categories (id);
ALTER TABLE service_targets DROP CONSTRAINT service_targets_area_id_form_id_classification_key;
ALTER TABLE service_targets
  ADD CONSTRAINT service_targets_scope_key UNIQUE NULLS NOT DISTINCT (area_id, form_id, category_id, classification);
