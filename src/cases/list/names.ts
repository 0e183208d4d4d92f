// The names a case list shows beside its ids (area, form, category, group, agency), from a few seconds'
// memory instead of a subquery per row and column: ten subqueries in a list's SQL cost more to plan and
// run than the list itself. An id the memory does not know yet (made a moment ago) reads them again.
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/index.js';
import { shortCache } from '../../db/cache.js';

interface Named {
  id: number;
  name_nb: string;
  name_en: string;
}

interface ListNames {
  areas: Map<number, Named>;
  forms: Map<number, Named>;
  categories: Map<number, Named>;
  groups: Map<number, Named>;
  agencies: Map<number, string>;
}

/** The ids a listed case refers to by name. */
export interface NamedIds {
  area_id: number;
  agency_id: number | null;
  form_id: number | null;
  category_id: number | null;
  group_id: number | null;
}

export interface CaseNames {
  area_nb: string;
  area_en: string;
  agency: string | null;
  form_nb: string | null;
  form_en: string | null;
  category_nb: string | null;
  category_en: string | null;
  group_nb: string | null;
  group_en: string | null;
}

const byId = <T extends { id: number }>(rows: T[]) => new Map(rows.map((row) => [Number(row.id), row]));

const names = shortCache(10_000, async (db: Db): Promise<ListNames> => {
  const named = (table: 'areas' | 'forms' | 'categories' | 'groups') =>
    jsonArrayFrom(db.selectFrom(table).select(['id', 'name_nb', 'name_en']));
  const row = await db
    .selectNoFrom([
      named('areas').as('areas'),
      named('forms').as('forms'),
      named('categories').as('categories'),
      named('groups').as('groups'),
      jsonArrayFrom(db.selectFrom('agencies').select(['id', 'name'])).as('agencies'),
    ])
    .executeTakeFirstOrThrow();
  return {
    areas: byId(row.areas),
    forms: byId(row.forms),
    categories: byId(row.categories),
    groups: byId(row.groups),
    agencies: new Map(row.agencies.map((agency) => [Number(agency.id), agency.name])),
  };
});

const known = (memory: ListNames, row: NamedIds) =>
  memory.areas.has(row.area_id) &&
  (row.agency_id === null || memory.agencies.has(row.agency_id)) &&
  (row.form_id === null || memory.forms.has(row.form_id)) &&
  (row.category_id === null || memory.categories.has(row.category_id)) &&
  (row.group_id === null || memory.groups.has(row.group_id));

function namesOf(memory: ListNames, row: NamedIds): CaseNames {
  const area = memory.areas.get(row.area_id);
  const form = row.form_id === null ? undefined : memory.forms.get(row.form_id);
  const category = row.category_id === null ? undefined : memory.categories.get(row.category_id);
  const group = row.group_id === null ? undefined : memory.groups.get(row.group_id);
  return {
    area_nb: area?.name_nb ?? '',
    area_en: area?.name_en ?? '',
    agency: row.agency_id === null ? null : (memory.agencies.get(row.agency_id) ?? null),
    form_nb: form?.name_nb ?? null,
    form_en: form?.name_en ?? null,
    category_nb: category?.name_nb ?? null,
    category_en: category?.name_en ?? null,
    group_nb: group?.name_nb ?? null,
    group_en: group?.name_en ?? null,
  };
}

/**
 * The names of what a row refers to, as a function for rows one at a time (the export's stream). The
 * caller builds the named row: a row as the driver makes it changes shape when properties are added, and
 * both copying and extending it cost more than the names themselves.
 */
export async function caseNamer(db: Db): Promise<(row: NamedIds) => Promise<CaseNames>> {
  let memory = await names.get(db, undefined);
  return async (row) => {
    if (!known(memory, row)) memory = await readAgain(db);
    return namesOf(memory, row);
  };
}

/**
 * The names for a page of rows at once: read again (once) when the memory does not know one of them, then
 * named without a promise per row.
 */
export async function pageNamer(db: Db, rows: readonly NamedIds[]): Promise<(row: NamedIds) => CaseNames> {
  let memory = await names.get(db, undefined);
  if (!rows.every((row) => known(memory, row))) memory = await readAgain(db);
  return (row) => namesOf(memory, row);
}

/** A row names what the memory does not know yet (made a moment ago, perhaps by another process). */
function readAgain(db: Db): Promise<ListNames> {
  names.forget(db);
  return names.get(db, undefined);
}

/** After renaming an area, form, category, group or agency: this process shows the new name at once. */
export function forgetCaseNames(db: Db): void {
  names.forget(db);
}
