// Reads for the reporting settings: every report type with its current layout version, one type with
// every version of its layout, and the calendars of a year.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Layout } from '../../reporting/layout.js';

export async function reportTypeList(db: Db) {
  return db
    .selectFrom('report_types')
    .innerJoin('areas', 'areas.id', 'report_types.area_id')
    .select([
      'report_types.id',
      'report_types.code',
      'report_types.name_nb',
      'report_types.name_en',
      'report_types.period_kind',
      'report_types.deadline_rule',
      'report_types.active',
      'areas.name_nb as area_nb',
      'areas.name_en as area_en',
      sql<number>`(select max(version) from report_layouts l where l.report_type_id = report_types.id)`.as('version'),
    ])
    .orderBy('areas.sort_order')
    .orderBy('report_types.name_nb')
    .execute();
}

export async function reportTypeById(db: Db, id: number) {
  const type = await db.selectFrom('report_types').selectAll().where('id', '=', id).executeTakeFirst();
  if (!type) return undefined;
  const layouts = await db
    .selectFrom('report_layouts')
    .leftJoin('users', 'users.id', 'report_layouts.created_by')
    .select([
      'report_layouts.version',
      'report_layouts.definition',
      'report_layouts.created_at',
      'users.name as created_by',
    ])
    .where('report_layouts.report_type_id', '=', id)
    .orderBy('report_layouts.version', 'desc')
    .execute();
  return {
    type,
    layouts: layouts.map((l) => ({ ...l, definition: l.definition as unknown as Layout })),
  };
}

export async function agencyChoices(db: Db) {
  return db.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute();
}

export async function chosenAgencies(db: Db, typeId: number) {
  const rows = await db
    .selectFrom('report_type_agencies')
    .select('agency_id')
    .where('report_type_id', '=', typeId)
    .execute();
  return rows.map((r) => r.agency_id);
}

export async function areaChoices(db: Db) {
  return db.selectFrom('areas').select(['id', 'name_nb', 'name_en']).orderBy('sort_order').execute();
}

/** The year's dates as `payroll_3` → `2026-03-09`. */
export async function calendarOfYear(db: Db, year: number): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom('reporting_calendar')
    .select(['calendar', 'month', 'deadline'])
    .where('month', 'like', `${year}-%`)
    .execute();
  return Object.fromEntries(rows.map((r) => [`${r.calendar}_${Number(r.month.slice(5, 7))}`, r.deadline]));
}
