// Answer and case templates. Answer templates hold placeholders that are filled from the case.
import { preparedMark, type Db } from '../db/index.js';
import { shortCache } from '../db/cache.js';

/** The placeholders an answer template may use, and what fills them. */
export const placeholders = ['kunde', 'saksnummer', 'frist'] as const;
export type Placeholder = (typeof placeholders)[number];

/** Fills a template's placeholders; unknown ones are reported instead of being sent to a customer. */
export function fillTemplate(
  body: string,
  values: Record<Placeholder, string>,
): { text: string } | { unknown: string[] } {
  const unknown = [...body.matchAll(/\{([^{}\s]{1,40})\}/g)]
    .map((m) => m[1]!)
    .filter((name) => !(placeholders as readonly string[]).includes(name));
  if (unknown.length > 0) return { unknown: [...new Set(unknown)] };
  return { text: body.replace(/\{(kunde|saksnummer|frist)\}/g, (_match, name: Placeholder) => values[name]) };
}

/** Answer templates for an area (and those for every area). */
export function answerTemplates(db: Db, areaId: number) {
  return db
    .selectFrom('templates')
    .leftJoin('groups', 'groups.id', 'templates.set_group_id')
    .leftJoin('categories', 'categories.id', 'templates.set_category_id')
    .select([
      'templates.id',
      'templates.name',
      'templates.body',
      'templates.set_status',
      'templates.set_group_id',
      'templates.set_assign_self',
      'templates.set_category_id',
      'templates.set_priority',
      'groups.name_nb as group_nb',
      'groups.name_en as group_en',
      'categories.name_nb as category_nb',
      'categories.name_en as category_en',
    ])
    .where('templates.kind', '=', 'answer')
    .where('templates.active', '=', true)
    .where((eb) => eb.or([eb('templates.area_id', 'is', null), eb('templates.area_id', '=', areaId)]))
    .orderBy('templates.name')
    .modifyEnd(preparedMark)
    .execute();
}

export function caseTemplates(db: Db) {
  return db
    .selectFrom('templates')
    .innerJoin('areas', 'areas.id', 'templates.area_id')
    .leftJoin('forms', 'forms.id', 'templates.form_id')
    .select([
      'templates.id',
      'templates.name',
      'templates.title',
      'templates.body',
      'templates.channel',
      'templates.category_id',
      'areas.code as area',
      'areas.id as area_id',
      'forms.code as form',
    ])
    .where('templates.kind', '=', 'case')
    .where('templates.active', '=', true)
    .orderBy('templates.name')
    .execute();
}

/** The case templates as the workspace offers them on every page load: remembered for a few seconds. */
export function recentCaseTemplates(db: Db) {
  return recent.get(db, undefined);
}

const recent = shortCache(10_000, (db: Db) => caseTemplates(db));

export type AnswerTemplate = Awaited<ReturnType<typeof answerTemplates>>[number];

/** Whether a template does more than fill the reply box. */
export const isMacro = (t: AnswerTemplate) =>
  t.set_status !== null ||
  t.set_group_id !== null ||
  t.set_assign_self ||
  t.set_category_id !== null ||
  t.set_priority !== null;
