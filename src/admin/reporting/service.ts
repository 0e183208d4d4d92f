// Changing periodic reporting: report types (created with a first layout, then their settings), a
// layout edited into its next version (never changed in place: deliveries name the version they were
// checked against), and the centre's calendars. Every change is written with its audit entry.
import safeRegex from 'safe-regex2';
import { canonical, type Audit } from '../../audit/log.js';
import type { Db } from '../../db/index.js';
import { calendarDates } from '../../reporting/queries.js';
import { columnTypes, type Control, type Layout, type LayoutColumn } from '../../reporting/layout.js';
import {
  deadlineRules,
  parsePeriod,
  periodKinds,
  type DeadlineRule,
  type PeriodKind,
} from '../../reporting/periods.js';
import { cleanText, isIsoDate, type Problems } from '../../web/input.js';

type Body = Record<string, unknown>;
const line = (body: Body, name: string, max = 200) => cleanText(body[name], false).slice(0, max + 1);

export interface TypeSettings {
  code: string;
  areaId: number | null;
  nameNb: string;
  nameEn: string;
  descriptionNb: string;
  descriptionEn: string;
  periodKind: string;
  deadlineRule: string;
  deadlineDays: string;
  reminderDays: string;
  firstPeriod: string;
  active: boolean;
  /** `area`: every agency that buys the area; `chosen`: the agencies listed. */
  audience: string;
  agencies: number[];
}

export function readSettings(body: Body): TypeSettings {
  const area = line(body, 'area', 20);
  return {
    code: line(body, 'code', 40).toLowerCase(),
    areaId: /^\d{1,15}$/.test(area) ? Number(area) : null,
    nameNb: line(body, 'name_nb'),
    nameEn: line(body, 'name_en'),
    descriptionNb: cleanText(body.description_nb, true).slice(0, 4001),
    descriptionEn: cleanText(body.description_en, true).slice(0, 4001),
    periodKind: line(body, 'period_kind', 20),
    deadlineRule: line(body, 'deadline_rule', 20),
    deadlineDays: line(body, 'deadline_days', 3),
    reminderDays: line(body, 'reminder_days', 3),
    firstPeriod: line(body, 'first_period', 10),
    active: body.active === 'yes',
    audience: line(body, 'audience', 10),
    agencies: [body.agencies ?? []]
      .flat()
      .filter((v): v is string => typeof v === 'string' && /^\d{1,15}$/.test(v))
      .map(Number)
      .slice(0, 5000),
  };
}

export function checkSettings(
  input: TypeSettings,
  areaIds: readonly number[],
  isNew: boolean,
  agencyIds: readonly number[] = [],
): Problems {
  const problems: Problems = {};
  if (input.audience !== 'area' && input.audience !== 'chosen')
    problems.audience = { key: 'admin.reporting.errors.audience' };
  else if (
    input.audience === 'chosen' &&
    (input.agencies.length === 0 || input.agencies.some((id) => !agencyIds.includes(id)))
  )
    problems.audience = { key: 'admin.reporting.errors.agencies' };
  if (isNew && !/^[a-z][a-z0-9_-]{0,39}$/.test(input.code)) problems.code = { key: 'admin.reporting.errors.code' };
  if (input.areaId === null || !areaIds.includes(input.areaId)) problems.area = { key: 'admin.catalogue.errors.area' };
  if (input.nameNb.length < 2 || input.nameNb.length > 200) problems.name_nb = { key: 'admin.catalogue.errors.name' };
  if (input.nameEn.length < 2 || input.nameEn.length > 200) problems.name_en = { key: 'admin.catalogue.errors.name' };
  if (input.descriptionNb.length > 4000) problems.description_nb = { key: 'admin.reporting.errors.description' };
  if (input.descriptionEn.length > 4000) problems.description_en = { key: 'admin.reporting.errors.description' };
  if (!(periodKinds as readonly string[]).includes(input.periodKind))
    problems.period_kind = { key: 'admin.reporting.errors.periodKind' };
  if (!(deadlineRules as readonly string[]).includes(input.deadlineRule))
    problems.deadline_rule = { key: 'admin.reporting.errors.deadlineRule' };
  if (!/^\d{1,2}$/.test(input.deadlineDays) || Number(input.deadlineDays) > 60)
    problems.deadline_days = { key: 'admin.reporting.errors.days', params: { max: 60 } };
  if (!/^\d{1,2}$/.test(input.reminderDays) || Number(input.reminderDays) > 30)
    problems.reminder_days = { key: 'admin.reporting.errors.days', params: { max: 30 } };
  if (!problems.period_kind && !parsePeriod(input.periodKind as PeriodKind, input.firstPeriod))
    problems.first_period = { key: 'admin.reporting.errors.firstPeriod' };
  return problems;
}

const settingsRow = (input: TypeSettings) => ({
  area_id: input.areaId!,
  name_nb: input.nameNb,
  name_en: input.nameEn,
  description_nb: input.descriptionNb,
  description_en: input.descriptionEn,
  deadline_rule: input.deadlineRule as DeadlineRule,
  deadline_days: Number(input.deadlineDays),
  reminder_days: Number(input.reminderDays),
  first_period: input.firstPeriod,
  active: input.active,
  audience: input.audience === 'chosen' ? ('chosen' as const) : ('area' as const),
});

/** The chosen agencies of a type: replaced as a whole, and kept only while the audience is "chosen". */
async function saveAudience(trx: Db, typeId: number, input: TypeSettings) {
  await trx.deleteFrom('report_type_agencies').where('report_type_id', '=', typeId).execute();
  if (input.audience === 'chosen' && input.agencies.length > 0)
    await trx
      .insertInto('report_type_agencies')
      .values([...new Set(input.agencies)].map((agency_id) => ({ report_type_id: typeId, agency_id })))
      .execute();
}

/** A new type with a first layout of one column, to be edited into its real shape. */
export async function createType(db: Db, audit: Audit, input: TypeSettings, userId: number) {
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('report_types')
      .values({ ...settingsRow(input), code: input.code, period_kind: input.periodKind as PeriodKind })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!created) return undefined;
    await saveAudience(trx, created.id, input);
    const first: Layout = {
      columns: [{ name: 'Verdi', help: { nb: '', en: '' }, type: 'text', required: true, maxLength: 200 }],
      keys: [],
      controls: [],
      example: [],
    };
    await trx
      .insertInto('report_layouts')
      .values({ report_type_id: created.id, version: 1, definition: JSON.stringify(first), created_by: userId })
      .execute();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'report_type',
      objectId: created.id,
      details: { created: input.code },
    });
    return created.id;
  });
}

/** Settings of an existing type; its period kind stays once anything has been delivered or refused. */
export async function saveSettings(db: Db, audit: Audit, id: number, input: TypeSettings) {
  await db.transaction().execute(async (trx) => {
    const used = await trx
      .selectFrom('report_deliveries')
      .select('id')
      .where('report_type_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    const refused = await trx
      .selectFrom('report_rejections')
      .select('id')
      .where('report_type_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    const values = {
      ...settingsRow(input),
      ...(used || refused ? {} : { period_kind: input.periodKind as PeriodKind }),
    };
    await trx.updateTable('report_types').set(values).where('id', '=', id).execute();
    await saveAudience(trx, id, input);
    await audit(trx, { action: 'admin.change', objectType: 'report_type', objectId: id, details: { changed: values } });
  });
}

/** The layout editor's rows: `c{i}_…` fields for as many columns as it says it has (at most 40). */
export function readLayout(body: Body): { columns: LayoutColumn[]; layout: Layout } {
  const count = Math.min(
    40,
    Math.max(1, Number(/^\d{1,2}$/.test(line(body, 'columns', 2)) ? line(body, 'columns', 2) : 1)),
  );
  const number = (value: string) => (value === '' ? undefined : Number(value.replace(',', '.')));
  const columns: LayoutColumn[] = Array.from({ length: count }, (_, i) => {
    const f = (name: string, max = 200) => line(body, `c${i}_${name}`, max);
    const codes = cleanText(body[`c${i}_codes`], true)
      .slice(0, 10_000)
      .split('\n')
      .map((row) => row.split(';').map((part) => part.trim()))
      .filter((row) => row[0])
      .map(([code, nb, en]) => ({ code: code!, label: { nb: nb ?? '', en: en ?? nb ?? '' } }));
    return {
      name: f('name', 60),
      help: { nb: f('help_nb', 500), en: f('help_en', 500) },
      type: f('type', 20) as LayoutColumn['type'],
      required: body[`c${i}_required`] === 'yes',
      ...(f('max_length', 6) ? { maxLength: number(f('max_length', 6)) } : {}),
      ...(f('min', 20) ? { min: number(f('min', 20)) } : {}),
      ...(f('max', 20) ? { max: number(f('max', 20)) } : {}),
      ...(f('pattern', 200) ? { pattern: f('pattern', 200) } : {}),
      ...(codes.length ? { codes } : {}),
    };
  });
  const keys = columns.filter((_, i) => body[`c${i}_key`] === 'yes').map((c) => c.name);
  const controls: Control[] = [];
  if (body.control_count === 'yes') controls.push({ kind: 'count' });
  const sum = line(body, 'control_sum', 60);
  if (sum) controls.push({ kind: 'sum', column: sum });
  const period = line(body, 'control_period', 60);
  if (period) controls.push({ kind: 'period', column: period });
  const example = cleanText(body.example, true)
    .slice(0, 10_000)
    .split('\n')
    .filter((row) => row.trim() !== '')
    .slice(0, 10)
    .map((row) => row.split(';').map((cell) => cell.trim()));
  return { columns, layout: { columns, keys, controls, example } };
}

/** Problems keyed by field (`c2_pattern`, `control_sum`): names unique, limits sensible, patterns safe. */
export function checkLayout(layout: Layout): Problems {
  const problems: Problems = {};
  const names = layout.columns.map((c) => c.name.toLowerCase());
  layout.columns.forEach((c, i) => {
    if (c.name.length < 1 || c.name.length > 60 || /[;,\t"]/.test(c.name))
      problems[`c${i}_name`] = { key: 'admin.reporting.errors.columnName', params: { n: i + 1 } };
    else if (names.indexOf(c.name.toLowerCase()) !== i)
      problems[`c${i}_name`] = { key: 'admin.reporting.errors.columnRepeated', params: { name: c.name } };
    if (!(columnTypes as readonly string[]).includes(c.type))
      problems[`c${i}_type`] = { key: 'admin.reporting.errors.columnType', params: { n: i + 1 } };
    if (c.maxLength !== undefined && (!Number.isInteger(c.maxLength) || c.maxLength < 1 || c.maxLength > 10_000))
      problems[`c${i}_max_length`] = { key: 'admin.reporting.errors.maxLength', params: { n: i + 1 } };
    for (const bound of ['min', 'max'] as const)
      if (c[bound] !== undefined && !Number.isFinite(c[bound]))
        problems[`c${i}_${bound}`] = { key: 'admin.reporting.errors.bound', params: { n: i + 1 } };
    if (c.pattern !== undefined) {
      let valid = true;
      try {
        new RegExp(`^(?:${c.pattern})$`, 'u');
      } catch {
        valid = false;
      }
      // Checked on every cell of files from outside: a pattern that can backtrack for ever is refused.
      if (!valid || !safeRegex(c.pattern))
        problems[`c${i}_pattern`] = { key: 'admin.reporting.errors.pattern', params: { n: i + 1 } };
    }
    if (c.type === 'code' && !c.codes?.length)
      problems[`c${i}_codes`] = { key: 'admin.reporting.errors.codes', params: { n: i + 1 } };
  });
  const column = (name: string) => layout.columns.find((c) => c.name === name);
  for (const control of layout.controls) {
    if (control.kind === 'sum' && column(control.column)?.type !== 'amount')
      problems.control_sum = { key: 'admin.reporting.errors.sumColumn' };
    if (control.kind === 'period' && !column(control.column))
      problems.control_period = { key: 'admin.reporting.errors.periodColumn' };
  }
  if (layout.example.some((row) => row.length !== layout.columns.length))
    problems.example = { key: 'admin.reporting.errors.example', params: { n: layout.columns.length } };
  return problems;
}

/** Writes the layout as the type's next version, unless it is the same as the current one. */
export async function saveLayout(db: Db, audit: Audit, typeId: number, layout: Layout, userId: number) {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('report_layouts')
      .select(['version', 'definition'])
      .where('report_type_id', '=', typeId)
      .orderBy('version', 'desc')
      .forUpdate()
      .executeTakeFirst();
    if (current && canonical(current.definition) === canonical(JSON.parse(JSON.stringify(layout))))
      return current.version;
    const version = (current?.version ?? 0) + 1;
    await trx
      .insertInto('report_layouts')
      .values({ report_type_id: typeId, version, definition: JSON.stringify(layout), created_by: userId })
      .execute();
    await audit(trx, { action: 'admin.change', objectType: 'report_layout', objectId: typeId, details: { version } });
    return version;
  });
}

/** The calendars' dates for a year: `payroll_1` … `accounting_12`, each empty (unset) or an ISO date. */
export function readCalendar(body: Body, year: number) {
  const problems: Problems = {};
  const rows: { calendar: 'payroll' | 'accounting'; month: string; deadline: string | null }[] = [];
  for (const calendar of ['payroll', 'accounting'] as const)
    for (let month = 1; month <= 12; month++) {
      const name = `${calendar}_${month}`;
      const value = line(body, name, 10);
      if (value !== '' && !isIsoDate(value)) problems[name] = { key: 'admin.reporting.errors.date' };
      rows.push({ calendar, month: `${year}-${String(month).padStart(2, '0')}`, deadline: value || null });
    }
  return { rows, problems };
}

export async function saveCalendar(db: Db, audit: Audit, year: number, rows: ReturnType<typeof readCalendar>['rows']) {
  await db.transaction().execute(async (trx) => {
    for (const row of rows) {
      if (row.deadline === null)
        await trx
          .deleteFrom('reporting_calendar')
          .where('calendar', '=', row.calendar)
          .where('month', '=', row.month)
          .execute();
      else
        await trx
          .insertInto('reporting_calendar')
          .values({ calendar: row.calendar, month: row.month, deadline: row.deadline })
          .onConflict((oc) => oc.columns(['calendar', 'month']).doUpdateSet({ deadline: row.deadline! }))
          .execute();
    }
    await audit(trx, { action: 'admin.change', objectType: 'reporting_calendar', objectId: year, details: { year } });
  });
  calendarDates.forget(db);
}
