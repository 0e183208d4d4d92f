// Reads for periodic reporting. Report types are reached through `visibleReportTypes` (the agency's
// obligations in the viewer's reporting areas, or the centre's areas); deliveries, refusals and files
// through their type and the viewer's agency, so another agency's report answers 404.
import { sql, type RawBuilder } from 'kysely';
import { caseworkerAreaIds, hasRole, type Viewer } from '../auth/viewer.js';
import { reportingAreas } from '../auth/guards.js';
import type { Db } from '../db/index.js';
import { shortCache } from '../db/cache.js';
import type { Layout } from './layout.js';
import type { DeadlineRule, PeriodKind } from './periods.js';

export interface ReportType {
  id: number;
  code: string;
  areaId: number;
  areaName: { nb: string; en: string };
  name: { nb: string; en: string };
  description: { nb: string; en: string };
  periodKind: PeriodKind;
  deadlineRule: DeadlineRule;
  deadlineDays: number;
  reminderDays: number;
  firstPeriod: string;
  audience: 'area' | 'chosen';
}

/** Whether an agency must deliver a type: it buys the type's area, or it is on the type's list. */
function obliges(agency: number | RawBuilder<unknown>) {
  return sql<boolean>`case when report_types.audience = 'area'
    then exists (select 1 from agency_areas aa where aa.agency_id = ${agency} and aa.area_id = report_types.area_id)
    else exists (select 1 from report_type_agencies rta where rta.report_type_id = report_types.id and rta.agency_id = ${agency})
    end`;
}

/**
 * The report types a viewer may see: for someone acting for an agency, the active types the agency must
 * deliver in their reporting areas (all areas for a power-of-attorney holder); for the centre, the
 * types of a caseworker's areas, all for admins. Nobody else sees any.
 */
export function visibleReportTypes(db: Db, viewer: Viewer) {
  const query = db
    .selectFrom('report_types')
    .innerJoin('areas', 'areas.id', 'report_types.area_id')
    .where('report_types.active', '=', true);
  if (viewer.agencyId !== null) {
    const areas = reportingAreas(viewer);
    if (areas === undefined) return query.where(sql<boolean>`false`);
    const obliged = query.where(obliges(viewer.agencyId));
    return areas === null ? obliged : obliged.where('report_types.area_id', 'in', areas.length ? areas : [0]);
  }
  if (hasRole(viewer, 'admin')) return query;
  const areas = caseworkerAreaIds(viewer);
  return query.where('report_types.area_id', 'in', areas.length ? areas : [0]);
}

const typeColumns = [
  'report_types.id',
  'report_types.code',
  'report_types.area_id',
  'areas.name_nb as area_nb',
  'areas.name_en as area_en',
  'report_types.name_nb',
  'report_types.name_en',
  'report_types.description_nb',
  'report_types.description_en',
  'report_types.period_kind',
  'report_types.deadline_rule',
  'report_types.deadline_days',
  'report_types.reminder_days',
  'report_types.first_period',
  'report_types.audience',
] as const;

type TypeRow = {
  id: number;
  code: string;
  area_id: number;
  area_nb: string;
  area_en: string;
  name_nb: string;
  name_en: string;
  description_nb: string;
  description_en: string;
  period_kind: string;
  deadline_rule: string;
  deadline_days: number;
  reminder_days: number;
  first_period: string;
  audience: string;
};

function toType(row: TypeRow): ReportType {
  return {
    id: row.id,
    code: row.code,
    areaId: row.area_id,
    areaName: { nb: row.area_nb, en: row.area_en },
    name: { nb: row.name_nb, en: row.name_en },
    description: { nb: row.description_nb, en: row.description_en },
    periodKind: row.period_kind as PeriodKind,
    deadlineRule: row.deadline_rule as DeadlineRule,
    deadlineDays: row.deadline_days,
    reminderDays: row.reminder_days,
    firstPeriod: row.first_period,
    audience: row.audience === 'chosen' ? 'chosen' : 'area',
  };
}

export async function reportTypesFor(db: Db, viewer: Viewer): Promise<ReportType[]> {
  const rows = await visibleReportTypes(db, viewer)
    .select(typeColumns)
    .orderBy('areas.sort_order')
    .orderBy('report_types.name_nb')
    .execute();
  return rows.map(toType);
}

/** Every active type, whoever must deliver it: for the reminders, which act for no viewer. */
export async function activeReportTypes(db: Db): Promise<ReportType[]> {
  const rows = await db
    .selectFrom('report_types')
    .innerJoin('areas', 'areas.id', 'report_types.area_id')
    .select(typeColumns)
    .where('report_types.active', '=', true)
    .execute();
  return rows.map(toType);
}

/** One type by its code, as the viewer sees it, with its current layout. */
export async function reportTypeFor(db: Db, viewer: Viewer, code: string) {
  const row = await visibleReportTypes(db, viewer)
    .select(typeColumns)
    .where('report_types.code', '=', code)
    .executeTakeFirst();
  if (!row) return undefined;
  const layout = await currentLayout(db, row.id);
  return layout ? { type: toType(row), layout } : undefined;
}

export async function currentLayout(db: Db, typeId: number) {
  const row = await db
    .selectFrom('report_layouts')
    .select(['id', 'version', 'definition', 'created_at'])
    .where('report_type_id', '=', typeId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, version: row.version, definition: row.definition as unknown as Layout } : undefined;
}

export async function layoutById(db: Db, id: number) {
  const row = await db
    .selectFrom('report_layouts')
    .select(['id', 'version', 'definition'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { id: row.id, version: row.version, definition: row.definition as unknown as Layout };
}

/** The centre's calendars as `payroll:2026-03` → `2026-03-10`; they change seldom. */
export const calendarDates = shortCache(10_000, async (db: Db) => {
  const rows = await db.selectFrom('reporting_calendar').select(['calendar', 'month', 'deadline']).execute();
  return new Map(rows.map((r) => [`${r.calendar}:${r.month}`, r.deadline]));
});

export interface DeliveryRow {
  id: number;
  receipt: string;
  report_type_id: number;
  agency_id: number;
  period: string;
  version: number;
  delivered_at: Date;
  replaced_at: Date | null;
  row_count: number;
}

/** The deliveries that count (not replaced) of these types, for one agency or all, in periods of a year. */
export async function currentDeliveries(
  db: Db,
  typeIds: readonly number[],
  year: number,
  agencyId?: number,
): Promise<DeliveryRow[]> {
  if (typeIds.length === 0) return [];
  let query = db
    .selectFrom('report_deliveries')
    .select([
      'id',
      'receipt',
      'report_type_id',
      'agency_id',
      'period',
      'version',
      'delivered_at',
      'replaced_at',
      'row_count',
    ])
    .where('report_type_id', 'in', typeIds)
    .where('replaced_at', 'is', null)
    .where('period', 'like', `${year}%`);
  if (agencyId !== undefined) query = query.where('agency_id', '=', agencyId);
  return query.execute();
}

/** Every version delivered for one period, newest first, with who delivered it. */
export async function periodHistory(db: Db, agencyId: number, typeId: number, period: string) {
  return db
    .selectFrom('report_deliveries')
    .innerJoin('report_files', 'report_files.id', 'report_deliveries.file_id')
    .innerJoin('report_layouts', 'report_layouts.id', 'report_deliveries.layout_id')
    .leftJoin('users', 'users.id', 'report_deliveries.delivered_by')
    .select([
      'report_deliveries.receipt',
      'report_deliveries.version',
      'report_deliveries.channel',
      'report_deliveries.row_count',
      'report_deliveries.delivered_at',
      'report_deliveries.replaced_at',
      'report_files.filename',
      'report_files.size_bytes',
      'report_layouts.version as layout_version',
      'users.name as delivered_by',
    ])
    .where('report_deliveries.agency_id', '=', agencyId)
    .where('report_deliveries.report_type_id', '=', typeId)
    .where('report_deliveries.period', '=', period)
    .orderBy('report_deliveries.version', 'desc')
    .execute();
}

/** Refused deliveries of one period since the last one that passed, newest first. */
export async function periodRejections(db: Db, agencyId: number, typeId: number, period: string) {
  return db
    .selectFrom('report_rejections')
    .innerJoin('report_files', 'report_files.id', 'report_rejections.file_id')
    .leftJoin('users', 'users.id', 'report_rejections.rejected_by')
    .select([
      'report_rejections.id',
      'report_rejections.error_count',
      'report_rejections.rejected_at',
      'report_files.filename',
      'users.name as rejected_by',
    ])
    .where('report_rejections.agency_id', '=', agencyId)
    .where('report_rejections.report_type_id', '=', typeId)
    .where('report_rejections.period', '=', period)
    .orderBy('report_rejections.rejected_at', 'desc')
    .limit(10)
    .execute();
}

/** The latest refused delivery of a period per agency, for the centre's list (by agency id). */
export async function agencyRejections(db: Db, typeId: number, period: string, agencyIds: readonly number[]) {
  if (agencyIds.length === 0) return new Map<number, { id: number; error_count: number; rejected_at: Date }>();
  const rows = await db
    .selectFrom('report_rejections')
    .select(['id', 'agency_id', 'error_count', 'rejected_at'])
    .distinctOn('agency_id')
    .where('report_type_id', '=', typeId)
    .where('period', '=', period)
    .where('agency_id', 'in', agencyIds)
    .orderBy('agency_id')
    .orderBy('rejected_at', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.agency_id, r]));
}

/** Whether the viewer may see an agency's deliveries of a type: their own agency's, or the centre's areas. */
function deliveryScope(viewer: Viewer, agencyId: number) {
  return viewer.agencyId === null || viewer.agencyId === agencyId;
}

/** A receipt (one delivery) as the viewer may see it, with its type and file. */
export async function receiptFor(db: Db, viewer: Viewer, receipt: string) {
  const row = await visibleReportTypes(db, viewer)
    .innerJoin('report_deliveries', 'report_deliveries.report_type_id', 'report_types.id')
    .innerJoin('report_files', 'report_files.id', 'report_deliveries.file_id')
    .innerJoin('report_layouts', 'report_layouts.id', 'report_deliveries.layout_id')
    .innerJoin('agencies', 'agencies.id', 'report_deliveries.agency_id')
    .leftJoin('users', 'users.id', 'report_deliveries.delivered_by')
    .select([
      'report_types.code',
      'report_types.name_nb',
      'report_types.name_en',
      'report_types.period_kind',
      'report_types.area_id',
      'report_deliveries.id',
      'report_deliveries.receipt',
      'report_deliveries.agency_id',
      'report_deliveries.period',
      'report_deliveries.version',
      'report_deliveries.channel',
      'report_deliveries.row_count',
      'report_deliveries.control_sums',
      'report_deliveries.delivered_at',
      'report_deliveries.replaced_at',
      'report_deliveries.file_id',
      'report_files.filename',
      'report_files.content_type',
      'report_files.size_bytes',
      'report_files.sha256',
      'report_layouts.version as layout_version',
      'agencies.name as agency_name',
      'users.name as delivered_by',
    ])
    .where('report_deliveries.receipt', '=', receipt)
    .executeTakeFirst();
  return row && deliveryScope(viewer, row.agency_id) ? row : undefined;
}

/** A refused delivery as the viewer may see it. */
export async function rejectionFor(db: Db, viewer: Viewer, id: number) {
  const row = await visibleReportTypes(db, viewer)
    .innerJoin('report_rejections', 'report_rejections.report_type_id', 'report_types.id')
    .innerJoin('report_files', 'report_files.id', 'report_rejections.file_id')
    .innerJoin('agencies', 'agencies.id', 'report_rejections.agency_id')
    .select([
      'report_types.code',
      'report_types.name_nb',
      'report_types.name_en',
      'report_types.period_kind',
      'report_rejections.id',
      'report_rejections.agency_id',
      'report_rejections.period',
      'report_rejections.layout_id',
      'report_rejections.error_count',
      'report_rejections.errors',
      'report_rejections.declared',
      'report_rejections.rejected_at',
      'report_rejections.file_id',
      'report_files.filename',
      'report_files.content_type',
      'agencies.name as agency_name',
    ])
    .where('report_rejections.id', '=', id)
    .executeTakeFirst();
  return row && deliveryScope(viewer, row.agency_id) ? row : undefined;
}

/** A stored file's slices in order, one query per slice so no file is whole in memory. */
export async function* fileChunks(db: Db, fileId: number): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const chunk = await db
      .selectFrom('report_file_chunks')
      .select('data')
      .where('file_id', '=', fileId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!chunk) return;
    yield chunk.data;
  }
}

export async function contactsOf(db: Db, agencyId: number) {
  return db
    .selectFrom('reporting_contacts')
    .select(['id', 'name', 'email', 'phone'])
    .where('agency_id', '=', agencyId)
    .orderBy('name')
    .execute();
}

/** The agencies that must deliver each of these types, by type id. */
export async function obligedAgencies(db: Db, typeIds: readonly number[]) {
  if (typeIds.length === 0) return new Map<number, { id: number; name: string }[]>();
  const rows = await db
    .selectFrom('report_types')
    .innerJoin('agencies', (join) => join.on(obliges(sql.ref('agencies.id'))))
    .select(['report_types.id as type_id', 'agencies.id', 'agencies.name'])
    .where('report_types.id', 'in', typeIds)
    .orderBy('agencies.name')
    .execute();
  const byType = new Map<number, { id: number; name: string }[]>();
  for (const row of rows) {
    const list = byType.get(row.type_id) ?? [];
    list.push({ id: row.id, name: row.name });
    byType.set(row.type_id, list);
  }
  return byType;
}
