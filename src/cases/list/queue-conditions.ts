// The condition of each workspace queue over the cases, for the queue's list, its count and the reports.
import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Viewer } from '../../auth/viewer.js';
import { endOfOsloDay, osloDay as osloDateOf } from '../../sla/calendar.js';
import type { Queue } from './filter.js';

/** Statuses whose service-level clock runs (the others wait for the customer, a date, or are closed). */
export const ticking = ['active', 'in_progress'] as const;

export const closedRank = 5;
/** Statuses ranked up to this have a running clock: active and in progress (see `ticking`). */
export const runningRank = 2;

/** The condition of each queue, also used for the counts and the reports. */
export function queueCondition(eb: ExpressionBuilder<DB, 'cases'>, queue: Queue, viewer: Viewer): Expression<SqlBool> {
  // Also said as the status's rank (closed ranks last, see migration 0003): sorted by status, an open
  // queue then starts its walk of the status index where open cases end instead of among all the closed.
  const open = eb.and([eb('cases.status', '<>', 'closed'), eb('cases.status_rank', '<', sql.lit(closedRank))]);
  const groups = viewer.groupIds.length > 0 ? eb('cases.group_id', 'in', viewer.groupIds) : sql<SqlBool>`false`;
  // Said as the rank alone, as the index of running clocks says it (migration 0024).
  const running = eb('cases.status_rank', '<=', sql.lit(runningRank));
  switch (queue) {
    case 'unassigned':
      return eb.and([open, groups, eb('cases.assignee_id', 'is', null)]);
    case 'unlinked':
      // Mail from unknown senders, waiting to be linked to a customer.
      return eb.and([open, eb('cases.requester_id', 'is', null)]);
    case 'mine':
      return eb.and([open, eb('cases.assignee_id', '=', viewer.userId)]);
    case 'groups':
      return eb.and([open, groups]);
    case 'due_today':
      return eb.and([
        running,
        eb('cases.due_at', '>=', sql<Date>`now()`),
        eb('cases.due_at', '<', endOfOsloDay(osloDateOf(new Date()))),
      ]);
    case 'overdue':
      return eb.and([running, eb('cases.due_at', '<', sql<Date>`now()`)]);
    case 'at_risk':
      // Less than a day left on a running clock.
      return eb.and([
        running,
        eb('cases.due_at', '>=', sql<Date>`now()`),
        eb('cases.due_at', '<', sql<Date>`now() + interval '1 day'`),
      ]);
    case 'awaiting':
      return eb.and([eb('cases.status', '=', 'awaiting_customer'), eb('cases.status_rank', '=', sql.lit(3))]);
    case 'postponed':
      return eb.and([eb('cases.status', '=', 'postponed'), eb('cases.status_rank', '=', sql.lit(4))]);
    case 'all':
      return sql<SqlBool>`true`;
  }
}

export function inQueue<Q extends SelectQueryBuilder<DB, 'cases', object>>(query: Q, queue: Queue, viewer: Viewer): Q {
  return query.where((eb) => queueCondition(eb as unknown as ExpressionBuilder<DB, 'cases'>, queue, viewer)) as Q;
}
