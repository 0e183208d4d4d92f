-- Running clocks in deadline order: the overdue, due-today and at-risk queues walk this to their first
-- page (walking all open cases by deadline passed tens of thousands waiting for the customer), and the
-- counts read the area from it without visiting the table. A running clock is a status ranked 1 or 2
-- (active, in progress; see migration 0003): said as a range, the same index serves a sort by status.
DROP INDEX cases_ticking_idx;
CREATE INDEX cases_running_due_idx ON cases (due_at, id) INCLUDE (area_id) WHERE status_rank <= 2;
-- Running clocks are recent, and the sorts that follow time would walk years of closed cases to reach
-- them oldest first; these hold running cases only.
CREATE INDEX cases_running_created_idx ON cases (created_at, id) WHERE status_rank <= 2;
CREATE INDEX cases_running_updated_idx ON cases (updated_at, id) WHERE status_rank <= 2;
CREATE INDEX cases_running_number_idx ON cases (number, id) WHERE status_rank <= 2;
-- The status decides its rank: without this the planner multiplies the two as if independent.
CREATE STATISTICS cases_status_rank_stats (dependencies) ON status, status_rank FROM cases;
ANALYZE cases;
