-- The running clocks' queues (overdue, due today, at risk) sorted by any column: walking that column's
-- index over every case threw away tens of thousands of closed and waiting cases before the first page
-- (overdue by area: 27,000 rows filtered, 85 ms of SQL warm at a million cases, 244 ms cold at 200,000;
-- with the partial index 3 ms; the worst of the 96 running-queue orders at 200,000 went from 23 to 3 ms). These hold the running cases only (about one in twenty), like the
-- deadline, creation, change and number indexes of migration 0024.
CREATE INDEX cases_running_area_idx ON cases (area_id, id) WHERE status_rank <= 2;
CREATE INDEX cases_running_title_idx ON cases (title, id) WHERE status_rank <= 2;
CREATE INDEX cases_running_requester_idx ON cases (requester_name, id) WHERE status_rank <= 2;
CREATE INDEX cases_running_channel_idx ON cases (channel, id) WHERE status_rank <= 2;
CREATE INDEX cases_running_agency_idx ON cases (agency_id, id) WHERE status_rank <= 2;
CREATE INDEX cases_running_form_idx ON cases ((coalesce(form_id, 0)), id) WHERE status_rank <= 2;
CREATE INDEX cases_running_category_idx ON cases ((coalesce(category_id, 0)), id) WHERE status_rank <= 2;
CREATE INDEX cases_running_group_idx ON cases ((coalesce(group_id, 0)), id) WHERE status_rank <= 2;
CREATE INDEX cases_running_assignee_idx ON cases ((coalesce(assignee_id, 0)), id) WHERE status_rank <= 2;
CREATE INDEX cases_running_priority_idx ON cases (priority_rank, id) WHERE status_rank <= 2;
CREATE INDEX cases_running_status_idx ON cases (status_rank, id) WHERE status_rank <= 2;
ANALYZE cases;
