// How many working days a case has: the most specific service target for its area, form and
// classification, else the default first-answer target.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { firstAnswerWorkingDays } from './calendar.js';

export type Classification = 'change_request';

export interface ServiceTarget {
  workingDays: number;
  /** The reporting calendar whose next deadline the case must also meet, if any. */
  calendar: 'payroll' | 'accounting' | null;
}

export async function targetWorkingDays(
  db: Db,
  of: { areaId: number; formId: number | null; classification: Classification | null },
): Promise<number> {
  return (await serviceTarget(db, of)).workingDays;
}

/** The most specific target for an area, a form and a classification. */
export async function serviceTarget(
  db: Db,
  of: { areaId: number; formId: number | null; classification: Classification | null },
): Promise<ServiceTarget> {
  const target = await db
    .selectFrom('service_targets')
    .select(['working_days', 'calendar'])
    .where((eb) => eb.or([eb('area_id', 'is', null), eb('area_id', '=', of.areaId)]))
    .where((eb) => eb.or([eb('form_id', 'is', null), ...(of.formId === null ? [] : [eb('form_id', '=', of.formId)])]))
    .where((eb) =>
      eb.or([
        eb('classification', 'is', null),
        ...(of.classification === null ? [] : [eb('classification', '=', of.classification)]),
      ]),
    )
    .orderBy(sql`classification IS NOT NULL`, 'desc')
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
