// Answer and case templates. Answer templates hold placeholders that are filled from the case.
import type { Db } from '../db/index.js';
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
    .select(['id', 'name', 'body'])
    .where('kind', '=', 'answer')
    .where('active', '=', true)
    .where((eb) => eb.or([eb('area_id', 'is', null), eb('area_id', '=', areaId)]))
    .orderBy('name')
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
