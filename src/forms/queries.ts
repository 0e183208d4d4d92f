import type { Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';
import { can } from '../auth/guards.js';
import { activeAreas } from '../cases/queries.js';
import type { FormField } from './definition.js';

export interface Form {
  id: number;
  areaId: number;
  areaCode: string;
  code: string;
  purpose: 'case' | 'access_order';
  name_nb: string;
  name_en: string;
  description_nb: string;
  description_en: string;
  fields: FormField[];
}

function formRows(db: Db) {
  return db
    .selectFrom('forms')
    .innerJoin('areas', 'areas.id', 'forms.area_id')
    .select([
      'forms.id',
      'forms.area_id as areaId',
      'areas.code as areaCode',
      'forms.code',
      'forms.purpose',
      'forms.name_nb',
      'forms.name_en',
      'forms.description_nb',
      'forms.description_en',
      'forms.fields',
    ])
    .where('forms.active', '=', true)
    .where('areas.active', '=', true)
    .orderBy('areas.sort_order')
    .orderBy('forms.sort_order')
    .orderBy('forms.id');
}

const asForm = (row: Awaited<ReturnType<ReturnType<typeof formRows>['execute']>>[number]): Form => ({
  ...row,
  purpose: row.purpose === 'access_order' ? 'access_order' : 'case',
  fields: row.fields as unknown as FormField[],
});

/** Every active form of every active area, in the order the home page shows them. */
export async function activeForms(db: Db): Promise<Form[]> {
  return (await formRows(db).execute()).map(asForm);
}

export async function findForm(db: Db, areaCode: string, formCode: string): Promise<Form | undefined> {
  const row = await formRows(db)
    .where('areas.code', '=', areaCode)
    .where('forms.code', '=', formCode)
    .executeTakeFirst();
  return row ? asForm(row) : undefined;
}

/** Areas with the forms this viewer may use: access orders only for the area's authorised orderers. */
export async function formCatalogue(db: Db, viewer: Viewer | null) {
  const [areas, forms] = await Promise.all([activeAreas(db), activeForms(db)]);
  return areas
    .map((area) => ({
      ...area,
      forms: forms.filter(
        (f) =>
          f.areaId === area.id && (f.purpose !== 'access_order' || can(viewer, 'access.order', { areaId: area.id })),
      ),
    }))
    .filter((area) => area.forms.length > 0);
}

/** Every area's id and names, in the order the catalogue shows them: for choices and labels. */
export function areaNames(db: Db) {
  return db.selectFrom('areas').select(['id', 'name_nb', 'name_en']).orderBy('sort_order').execute();
}
