// A case's deadline follows its target when what decides the target changes (its classification or its
// category): counted again from when the case came in. A date promised in a provisional answer stands,
// a closed case keeps its record, and a paused clock keeps the new remaining time until it runs again.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { loadCalendar, workingTimeBetween } from '../sla/calendar.js';
import { deadlineFor, type Classification } from '../sla/targets.js';

/** Sets the case's deadline from its target as it is now; returns the target's working days. */
export async function followTarget(trx: Db, caseId: number): Promise<number> {
  const c = await trx
    .selectFrom('cases')
    .select([
      'area_id',
      'form_id',
      'category_id',
      'classification',
      'created_at',
      'status',
      'expected_at',
      'sla_paused_at',
    ])
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  const { dueAt, workingDays } = await deadlineFor(
    trx,
    {
      areaId: c.area_id,
      formId: c.form_id,
      categoryId: c.category_id,
      classification: c.classification as Classification | null,
    },
    c.created_at,
  );
  if (c.status === 'closed' || c.expected_at) return workingDays;
  await trx
    .updateTable('cases')
    .set(
      c.sla_paused_at
        ? { sla_remaining_ms: workingTimeBetween(await loadCalendar(trx), c.sla_paused_at, dueAt) }
        : { due_at: dueAt, updated_at: sql`now()` },
    )
    .where('id', '=', caseId)
    .execute();
  return workingDays;
}
