// Admin settings that the service-level clock reads: extra closed days, and targets per area, form and
// classification. Each change is checked, written in one transaction with its audit entry, and cases
// whose measured time spans a changed day are measured again.
import type { Audit } from '../../audit/log.js';
import type { Viewer } from '../../auth/viewer.js';
import { inTransaction, type Db } from '../../db/index.js';
import { calendar, closedDays } from '../../sla/calendar.js';
import { remeasure } from '../../sla/measures.js';
import { hasProblems, idOf, isIsoDate, type Problems } from '../../web/input.js';
import { serviceLevelSettings } from './queries.js';

export interface ClosedDay {
  day: string;
  reason_nb: string;
  reason_en: string;
}

const reasonProblem = (reason: string) => reason.length === 0 || reason.length > 200;

/** A day the centre is closed. */
export async function addClosedDay(db: Db, viewer: Viewer, audit: Audit, closed: ClosedDay): Promise<Problems> {
  const problems: Problems = {};
  if (!isIsoDate(closed.day)) problems.day = { key: 'admin.errors.day' };
  else if (!calendar().isWorkingDay(closed.day)) problems.day = { key: 'admin.errors.notWorkingDay' };
  if (reasonProblem(closed.reason_nb)) problems.reason_nb = { key: 'admin.errors.reason' };
  if (reasonProblem(closed.reason_en)) problems.reason_en = { key: 'admin.errors.reason' };
  if (hasProblems(problems)) return problems;
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('closed_days')
      .values({ ...closed, created_by: viewer.userId })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    await remeasure(trx, closed.day, closed.day);
    await audit(trx, {
      action: 'admin.change',
      objectType: 'closed_day',
      objectId: closed.day,
      details: { added: closed },
    });
  });
  closedDays.forget(db);
  return {};
}

export async function removeClosedDay(db: Db, audit: Audit, day: string): Promise<Problems> {
  if (!isIsoDate(day)) return { day: { key: 'admin.errors.day' } };
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('closed_days').where('day', '=', day).execute();
    await remeasure(trx, day, day);
    await audit(trx, { action: 'admin.change', objectType: 'closed_day', objectId: day, details: { removed: true } });
  });
  closedDays.forget(db);
  return {};
}

export interface TargetInput {
  /** Empty for every area; else an area id. */
  area: string;
  /** Empty for every form; else a form id. */
  form: string;
  /** Empty for every category; else a category id (of the area, when an area is chosen). */
  category: string;
  classification: string;
  working_days: string;
  /** Empty, or the reporting calendar whose next deadline the case must also meet. */
  calendar: string;
}

/** A target in working days for an area, a form, a category and a classification (each empty for "any"). */
export async function setServiceTarget(db: Db, audit: Audit, input: TargetInput): Promise<Problems> {
  const problems: Problems = {};
  const days = Number(input.working_days);
  if (!/^\d{1,3}$/.test(input.working_days) || days < 1 || days > 250)
    problems.working_days = { key: 'admin.errors.workingDays' };
  const areaId = input.area === '' ? null : (idOf(input.area) ?? -1);
  const formId = input.form === '' ? null : (idOf(input.form) ?? -1);
  const categoryId = input.category === '' ? null : (idOf(input.category) ?? -1);
  const { areas, forms, categories } = await serviceLevelSettings(db);
  if (areaId !== null && !areas.some((a) => a.id === areaId)) problems.area = { key: 'admin.errors.area' };
  if (formId !== null && !forms.some((f) => f.id === formId)) problems.form = { key: 'admin.errors.form' };
  const category = categories.find((c) => c.id === categoryId);
  if (categoryId !== null && (!category || (areaId !== null && category.area_id !== areaId)))
    problems.category = { key: 'admin.errors.targetCategory' };
  if (input.classification !== '' && input.classification !== 'change_request')
    problems.classification = { key: 'admin.errors.classification' };
  const calendar = input.calendar === 'payroll' || input.calendar === 'accounting' ? input.calendar : null;
  if (input.calendar !== '' && calendar === null) problems.calendar = { key: 'admin.errors.calendar' };
  if (hasProblems(problems)) return problems;
  const target = {
    // A category belongs to one area: its target is that area's.
    areaId: areaId ?? category?.area_id ?? null,
    formId,
    categoryId,
    classification: input.classification === '' ? null : ('change_request' as const),
    workingDays: days,
    calendar,
  };
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('service_targets')
      .values({
        area_id: target.areaId,
        form_id: formId,
        category_id: categoryId,
        classification: target.classification,
        working_days: days,
        calendar,
      })
      .onConflict((oc) =>
        oc
          .columns(['area_id', 'form_id', 'category_id', 'classification'])
          .doUpdateSet({ working_days: days, calendar }),
      )
      .execute();
    await audit(trx, { action: 'admin.change', objectType: 'service_target', details: target });
  });
  return {};
}
