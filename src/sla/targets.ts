// How many working days a case has: the most specific service target for its area, form and
// classification, else the default first-answer target.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { firstAnswerWorkingDays } from './calendar.js';

export type Classification = 'change_request';

export async function targetWorkingDays(
  db: Db,
  of: { areaId: number; formId: number | null; classification: Classification | null },
): Promise<number> {
  const target = await db
    .selectFrom('service_targets')
    .select('working_days')
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
  return target?.working_days ?? firstAnswerWorkingDays;
}
