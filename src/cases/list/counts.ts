// The workspace's queue counts. Counting cases grows with the table (a million cases took most of a
// second), so the counts come from `case_counts`, which the database keeps exact in the transaction that
// changes a case (migration 0021), and the clock's queues from the index of running clocks, which holds
// open, ticking cases only. `exactQueueCounts` counts the cases themselves, for the viewers the counters
// cannot describe and for the tests that hold the two to the same figures.
import { sql, type RawBuilder } from 'kysely';
import { preparedMark, type Db } from '../../db/index.js';
import { caseworkerAreaIds, hasRole, type Viewer } from '../../auth/viewer.js';
import { visibleCases } from '../visibility.js';
import { endOfOsloDay, osloDay } from '../../sla/calendar.js';
import { queues, type Queue } from './filter.js';
import { queueCondition, runningRank, ticking } from './queue-conditions.js';
import { KeptCounts } from './kept-counts.js';
import { writesTo } from '../../db/writes.js';

export type QueueCounts = Record<Queue, number>;

const numbers = (row: Record<string, unknown>): QueueCounts =>
  Object.fromEntries(queues.map((queue) => [queue, Number(row[queue] ?? 0)])) as QueueCounts;

/** Counts by counting the visible cases, each queue by its own condition: exact, and linear in the table. */
export async function exactQueueCounts(db: Db, viewer: Viewer): Promise<QueueCounts> {
  const row = await visibleCases(db, viewer)
    .select((eb) =>
      queues.map((queue) =>
        eb.fn
          .countAll<number>()
          .filterWhere(queueCondition(eb, queue, viewer))
          .as(queue),
      ),
    )
    .executeTakeFirstOrThrow();
  return numbers(row as Record<string, unknown>);
}

const list = (ids: readonly number[]): RawBuilder<unknown> =>
  // -1 is no id: 0 stands for "none" in the counters.
  sql`(${sql.join(ids.length > 0 ? ids.map((id) => sql`${id}::bigint`) : [sql`-1::bigint`])})`;

/** How many cases each queue holds now, for the queue tabs: a few milliseconds at any size. */
export async function queueCounts(db: Db, viewer: Viewer): Promise<QueueCounts> {
  const admin = hasRole(viewer, 'admin');
  // Counters know areas; a staff member who also acts for an agency sees cases by agency too.
  if (!admin && viewer.agencyId !== null) return exactQueueCounts(db, viewer);
  const areas = caseworkerAreaIds(viewer);
  if (!admin && areas.length === 0) return numbers({});
  const inAreas = admin ? sql`true` : sql`area_id IN ${list(areas)}`;
  const groups = list(viewer.groupIds);
  const running = sql`status IN (${sql.join(ticking.map((status) => sql`${status}`))})`;
  const endOfToday = endOfOsloDay(osloDay(new Date()));
  // Overdue = running clocks minus those with time left (few: the deadline is days away at most); the
  // index of running clocks answers that from its own entries.
  const { rows } = await sql<Record<string, unknown>>`
    WITH stored AS (
      SELECT
        sum(n) FILTER (WHERE status <> 'closed' AND group_id IN ${groups} AND assignee_id = 0) AS unassigned,
        sum(n) FILTER (WHERE status <> 'closed' AND unlinked) AS unlinked,
        sum(n) FILTER (WHERE status <> 'closed' AND assignee_id = ${viewer.userId}) AS mine,
        sum(n) FILTER (WHERE status <> 'closed' AND group_id IN ${groups}) AS groups,
        sum(n) FILTER (WHERE status = 'awaiting_customer') AS awaiting,
        sum(n) FILTER (WHERE status = 'postponed') AS postponed,
        sum(n) FILTER (WHERE ${running}) AS running,
        sum(n) AS "all"
      FROM case_counts WHERE ${inAreas}
    ), clocks AS (
      SELECT
        count(*) FILTER (WHERE due_at < ${endOfToday}) AS due_today,
        count(*) FILTER (WHERE due_at < now() + interval '1 day') AS at_risk,
        count(*) AS not_overdue
      FROM cases
      WHERE status_rank <= ${sql.lit(runningRank)} AND ${inAreas} AND due_at >= now()
    )
    SELECT stored.*, clocks.due_today, clocks.at_risk, coalesce(stored.running, 0) - clocks.not_overdue AS overdue
    FROM stored, clocks ${preparedMark}`.execute(db);
  return numbers(rows[0]!);
}

const keptQueues = new KeptCounts<QueueCounts>(1000);

/**
 * The queue tabs' counts, kept while the cases do not change (see kept-counts), with when they were
 * counted: moving between queues, paging and sorting ask for the same figures, and the page says how
 * fresh they are (the clock's queues move with time, not only with writes).
 */
export async function keptQueueCounts(db: Db, viewer: Viewer): Promise<{ counts: QueueCounts; countedAt: Date }> {
  const key = JSON.stringify(viewer);
  const kept = keptQueues.get(key);
  if (kept) return { counts: kept.value, countedAt: new Date(kept.at) };
  const writes = writesTo('cases');
  const at = Date.now();
  return { counts: keptQueues.keep(key, await queueCounts(db, viewer), writes, at), countedAt: new Date(at) };
}
