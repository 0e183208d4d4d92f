// How many working days a case has: the most specific service target for its classification, category,
// form and area, else the default first-answer target.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { addWorkingDays, endOfOsloDay, firstAnswerWorkingDays, loadCalendar, osloDay } from './calendar.js';

export type Classification = 'change_request';

export interface ServiceTarget {
  workingDays: number;
  /** The reporting calendar whose next deadline the case must also meet, if any. */
  calendar: 'payroll' | 'accounting' | null;
}

/** What decides a case's target. */
export interface TargetOf {
  areaId: number;
  formId: number | null;
  categoryId: number | null;
  classification: Classification | null;
}

/** The most specific target: classification, then category, then form, then area, then the default. */
export async function serviceTarget(db: Db, of: TargetOf): Promise<ServiceTarget> {
  const target = await db
    .selectFrom('service_targets')
    .select(['working_days', 'calendar'])
    .where((eb) => eb.or([eb('area_id', 'is', null), eb('area_id', '=', of.areaId)]))
    .where((eb) => eb.or([eb('form_id', 'is', null), ...(of.formId === null ? [] : [eb('form_id', '=', of.formId)])]))
    .where((eb) =>
      eb.or([
        eb('category_id', 'is', null),
        ...(of.categoryId === null ? [] : [eb('category_id', '=', of.categoryId)]),
      ]),
    )
    .where((eb) =>
      eb.or([
        eb('classification', 'is', null),
        ...(of.classification === null ? [] : [eb('classification', '=', of.classification)]),
      ]),
    )
    .orderBy(sql`classification IS NOT NULL`, 'desc')
    .orderBy(sql`category_id IS NOT NULL`, 'desc')
    .orderBy(sql`form_id IS NOT NULL`, 'desc')
    .orderBy(sql`area_id IS NOT NULL`, 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    workingDays: target?.working_days ?? firstAnswerWorkingDays,
    calendar: target?.calendar === 'payroll' || target?.calendar === 'accounting' ? target.calendar : null,
  };
}

/** The calendar's first deadline on or after a day (ISO dates), if the calendar has one. */
export async function nextCalendarDeadline(db: Db, calendar: 'payroll' | 'accounting', fromDay: string) {
  const row = await db
    .selectFrom('reporting_calendar')
    .select('deadline')
    .where('calendar', '=', calendar)
    .where('deadline', '>=', fromDay)
    .orderBy('deadline')
    .limit(1)
    .executeTakeFirst();
  return row?.deadline;
}

/**
 * A case's deadline counted from `from` (when it came in): its target's working days after, or its
 * calendar's next deadline when that is sooner (payroll vouchers).
 */
export async function deadlineFor(db: Db, of: TargetOf, from: Date): Promise<{ dueAt: Date; workingDays: number }> {
  const target = await serviceTarget(db, of);
  let dueAt = addWorkingDays(await loadCalendar(db), from, target.workingDays);
  const deadline = target.calendar && (await nextCalendarDeadline(db, target.calendar, osloDay(from)));
  if (deadline && endOfOsloDay(deadline) < dueAt) dueAt = endOfOsloDay(deadline);
  return { dueAt, workingDays: target.workingDays };
}
