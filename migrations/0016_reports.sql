-- Reports: how long each case took to its first answer and to its resolution, in working time, kept
-- on the case so every figure is a plain aggregate over indexed columns; and subscriptions to reports
-- mailed on a schedule.

-- Norwegian public holidays. The application writes them from date-holidays after migrating
-- (src/sla/calendar.ts), so the database measures working time with the same calendar as the app.
CREATE TABLE public_holidays (
  day  date PRIMARY KEY
);

-- Working time between two instants in milliseconds: the parts of [a, b) that fall on Oslo working
-- days (no weekend, public holiday or closed day), as workingTimeBetween() counts it.
CREATE FUNCTION working_ms(a timestamptz, b timestamptz) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(extract(epoch FROM
           least(b, (d.day + 1)::timestamp AT TIME ZONE 'Europe/Oslo') - greatest(a, d.day::timestamp AT TIME ZONE 'Europe/Oslo')) * 1000), 0)::bigint
  FROM (SELECT g::date AS day
          FROM generate_series((a AT TIME ZONE 'Europe/Oslo')::date, (b AT TIME ZONE 'Europe/Oslo')::date, interval '1 day') g) d
  WHERE a < b
    AND extract(isodow FROM d.day) < 6
    AND NOT EXISTS (SELECT 1 FROM public_holidays h WHERE h.day = d.day)
    AND NOT EXISTS (SELECT 1 FROM closed_days c WHERE c.day = d.day)
$$;

ALTER TABLE cases
  -- When the case was last closed; cleared when it reopens.
  ADD COLUMN closed_at         timestamptz,
  -- Working time from arrival to the first answer (or provisional answer), and to the last closing.
  ADD COLUMN first_answer_ms   bigint,
  ADD COLUMN resolution_ms     bigint,
  -- Whether the first answer came before the deadline in force when it was given.
  ADD COLUMN answered_in_time  boolean;

UPDATE cases SET
  closed_at = CASE WHEN status = 'closed' THEN coalesce(
    (SELECT max(e.created_at) FROM case_events e WHERE e.case_id = cases.id AND e.kind = 'status' AND e.data->>'to' = 'closed'), updated_at) END,
  answered_in_time = CASE WHEN first_answered_at IS NOT NULL THEN first_answered_at <= due_at END;
UPDATE cases SET
  first_answer_ms = CASE WHEN first_answered_at IS NOT NULL THEN working_ms(created_at, first_answered_at) END,
  resolution_ms = CASE WHEN closed_at IS NOT NULL THEN working_ms(created_at, closed_at) END
WHERE first_answered_at IS NOT NULL OR closed_at IS NOT NULL;

-- Every way a case is answered or closed (web, bulk, mail, seed) keeps its measures current.
CREATE FUNCTION cases_measure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'closed' THEN
    NEW.closed_at := NULL;
  ELSIF TG_OP = 'INSERT' THEN
    NEW.closed_at := coalesce(NEW.closed_at, NEW.updated_at);
  ELSIF OLD.status <> 'closed' AND NEW.closed_at IS NOT DISTINCT FROM OLD.closed_at THEN
    NEW.closed_at := now();
  END IF;
  IF NEW.first_answered_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.first_answered_at IS NULL) AND NEW.answered_in_time IS NULL THEN
    -- The deadline before this change: a provisional answer moves it in the same update.
    NEW.answered_in_time := NEW.first_answered_at <= CASE WHEN TG_OP = 'INSERT' THEN NEW.due_at ELSE OLD.due_at END;
  END IF;
  IF TG_OP = 'INSERT' OR NEW.first_answered_at IS DISTINCT FROM OLD.first_answered_at OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    NEW.first_answer_ms := CASE WHEN NEW.first_answered_at IS NOT NULL THEN working_ms(NEW.created_at, NEW.first_answered_at) END;
  END IF;
  IF TG_OP = 'INSERT' OR NEW.closed_at IS DISTINCT FROM OLD.closed_at OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    NEW.resolution_ms := CASE WHEN NEW.closed_at IS NOT NULL THEN working_ms(NEW.created_at, NEW.closed_at) END;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cases_measure BEFORE INSERT OR UPDATE OF status, first_answered_at, closed_at, created_at ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_measure();

-- Figures for a period read the cases that arrived in it, within the areas the viewer works in: this
-- index holds every column they need, so a year of cases is read from the index alone.
CREATE INDEX cases_period_report_idx ON cases (area_id, created_at)
  INCLUDE (agency_id, group_id, channel, first_answered_at, closed_at, first_answer_ms, resolution_ms, answered_in_time);
CREATE INDEX cases_group_created_idx ON cases (group_id, created_at);
CREATE INDEX cases_open_report_idx ON cases (area_id, agency_id, group_id, status, due_at) WHERE status <> 'closed';

CREATE TABLE report_subscriptions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- centre: the dashboard, for staff; agency: the customer report of one agency.
  report        text NOT NULL CHECK (report IN ('centre', 'agency')),
  agency_id     bigint REFERENCES agencies (id),
  -- The report's filters as its URL has them (area, group, agency), checked again at every run.
  filters       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(filters) = 'object'),
  frequency     text NOT NULL DEFAULT 'weekly' CHECK (frequency IN ('daily', 'weekly', 'monthly')),
  -- ISO weekday (1 = Monday) for weekly reports.
  weekday       smallint NOT NULL DEFAULT 1 CHECK (weekday BETWEEN 1 AND 7),
  send_time     text NOT NULL DEFAULT '07:00' CHECK (send_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  next_run_at   timestamptz NOT NULL,
  last_run_at   timestamptz,
  -- The first day of the last period sent, and why the last run sent nothing, if it did not.
  last_period   date,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (report = 'centre' OR agency_id IS NOT NULL)
);
CREATE INDEX report_subscriptions_due_idx ON report_subscriptions (next_run_at);
CREATE INDEX report_subscriptions_user_idx ON report_subscriptions (user_id);
