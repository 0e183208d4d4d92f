-- The workspace's queue counts without counting cases. Most queues are a condition on status, area,
-- group, assignee and whether the requester is known; `case_counts` holds how many cases there are of
-- each such combination, kept exact by statement triggers in the transaction that changes the cases.
-- The queues that depend on the clock (overdue, due today, at risk) count running clocks through a
-- partial index that holds open, ticking cases only.
CREATE TABLE case_counts (
  area_id      bigint NOT NULL,
  -- 0 for none: a key column cannot be null.
  group_id     bigint NOT NULL,
  assignee_id  bigint NOT NULL,
  status       text NOT NULL,
  unlinked     boolean NOT NULL,
  n            bigint NOT NULL,
  PRIMARY KEY (area_id, status, group_id, assignee_id, unlinked)
);

-- One function for the three triggers (a trigger with transition tables has one event): the rows
-- leaving count -1 in their old combination, the rows arriving +1 in their new one. Rows sorted by key
-- so concurrent writers lock counters in the same order.
CREATE FUNCTION case_counts_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO case_counts AS c (area_id, group_id, assignee_id, status, unlinked, n)
    SELECT area_id, coalesce(group_id, 0), coalesce(assignee_id, 0), status, requester_id IS NULL, count(*)
    FROM arrived GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 4, 2, 3, 5
    ON CONFLICT (area_id, status, group_id, assignee_id, unlinked) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO case_counts AS c (area_id, group_id, assignee_id, status, unlinked, n)
    SELECT area_id, coalesce(group_id, 0), coalesce(assignee_id, 0), status, requester_id IS NULL, -count(*)
    FROM departed GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 4, 2, 3, 5
    ON CONFLICT (area_id, status, group_id, assignee_id, unlinked) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    INSERT INTO case_counts AS c (area_id, group_id, assignee_id, status, unlinked, n)
    SELECT area_id, group_id, assignee_id, status, unlinked, sum(n) FROM (
      SELECT area_id, coalesce(group_id, 0) AS group_id, coalesce(assignee_id, 0) AS assignee_id, status,
             requester_id IS NULL AS unlinked, -1 AS n FROM departed
      UNION ALL
      SELECT area_id, coalesce(group_id, 0), coalesce(assignee_id, 0), status, requester_id IS NULL, 1 FROM arrived
    ) d
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 4, 2, 3, 5
    ON CONFLICT (area_id, status, group_id, assignee_id, unlinked) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER case_counts_insert AFTER INSERT ON cases
  REFERENCING NEW TABLE AS arrived FOR EACH STATEMENT EXECUTE FUNCTION case_counts_refresh();
CREATE TRIGGER case_counts_update AFTER UPDATE ON cases
  REFERENCING OLD TABLE AS departed NEW TABLE AS arrived FOR EACH STATEMENT EXECUTE FUNCTION case_counts_refresh();
CREATE TRIGGER case_counts_delete AFTER DELETE ON cases
  REFERENCING OLD TABLE AS departed FOR EACH STATEMENT EXECUTE FUNCTION case_counts_refresh();

LOCK TABLE cases IN SHARE MODE;
INSERT INTO case_counts (area_id, group_id, assignee_id, status, unlinked, n)
SELECT area_id, coalesce(group_id, 0), coalesce(assignee_id, 0), status, requester_id IS NULL, count(*)
FROM cases GROUP BY 1, 2, 3, 4, 5;

-- Running clocks by area and deadline: the overdue, due-today and at-risk counts read only this.
CREATE INDEX cases_ticking_idx ON cases (area_id, due_at) WHERE status IN ('active', 'in_progress');
